import fs from 'node:fs/promises';
import path from 'node:path';

/** Lines per segment file are whatever fits in this; a segment is replayed in one transaction. */
const segmentBytes = 4 * 1024 * 1024;
const segmentName = /^(\d{16})\.copy$/;
const newline = 0x0a;

interface Segment {
  sequence: number;
  file: string;
  bytes: number;
  lines: number;
}

/** The oldest spooled lines, to be written and then removed. */
export interface SpooledSegment {
  bytes: Buffer;
  lines: number;
  /** Deletes the segment's file: only once its lines are committed (a replay is idempotent). */
  remove(): Promise<void>;
}

function countLines(bytes: Buffer): number {
  let lines = 0;
  for (let index = bytes.indexOf(newline); index >= 0; index = bytes.indexOf(newline, index + 1)) lines++;
  return lines;
}

/**
 * Inference-log COPY lines kept on local disk while PostgreSQL is away, at most `maxBytes` of them,
 * in numbered segment files of a few MiB written oldest first. Lines are appended without fsync:
 * the files outlive a crash or restart of the process (the kernel keeps what was written), not of
 * the machine, and neither does the emptyDir they are kept in.
 */
export class InferenceLogSpool {
  #segments: Segment[];
  /** The newest segment, while lines are still appended to it. */
  #open: { segment: Segment; handle: fs.FileHandle } | undefined;
  #bytes: number;
  #lines: number;

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    segments: Segment[],
  ) {
    this.#segments = segments;
    this.#bytes = segments.reduce((sum, segment) => sum + segment.bytes, 0);
    this.#lines = segments.reduce((sum, segment) => sum + segment.lines, 0);
  }

  /**
   * The spool in `dir` (created if missing), with the segments a previous process left. A line cut
   * short by a crash in the middle of an append is removed, with nothing after it in its file.
   */
  static async open(dir: string, maxBytes: number): Promise<InferenceLogSpool> {
    await fs.mkdir(dir, { recursive: true });
    const segments: Segment[] = [];
    for (const name of (await fs.readdir(dir)).sort()) {
      const match = segmentName.exec(name);
      if (!match) continue;
      const file = path.join(dir, name);
      const bytes = await fs.readFile(file);
      const complete = bytes.lastIndexOf(newline) + 1;
      if (complete === 0) {
        await fs.rm(file);
        continue;
      }
      if (complete < bytes.length) await fs.truncate(file, complete);
      segments.push({
        sequence: Number(match[1]),
        file,
        bytes: complete,
        lines: countLines(bytes.subarray(0, complete)),
      });
    }
    return new InferenceLogSpool(dir, maxBytes, segments);
  }

  get lines(): number {
    return this.#lines;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get empty(): boolean {
    return this.#segments.length === 0;
  }

  /** Appends whole lines after every line spooled so far; false, and nothing written, when they do not fit. */
  async append(chunks: readonly Buffer[], lines: number): Promise<boolean> {
    const size = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    if (this.#bytes + size > this.maxBytes) return false;
    if (this.#open && this.#open.segment.bytes >= segmentBytes) await this.#closeOpen();
    const open = this.#open ?? (await this.#openNext());
    try {
      const { bytesWritten } = await open.handle.writev(chunks);
      if (bytesWritten !== size)
        throw new Error(`wrote ${bytesWritten} of ${size} bytes to ${open.segment.file}`);
    } catch (error) {
      // Keep the file to its whole lines, or at least end it there so a reopened spool drops the rest.
      await open.handle.truncate(open.segment.bytes).catch(() => undefined);
      await this.#closeOpen();
      throw error;
    }
    open.segment.bytes += size;
    open.segment.lines += lines;
    this.#bytes += size;
    this.#lines += lines;
    return true;
  }

  /** The oldest segment; when that is the one being appended to, later lines go to a new one. */
  async oldest(): Promise<SpooledSegment | undefined> {
    if (this.#open && this.#open.segment === this.#segments[0]) await this.#closeOpen();
    const segment = this.#segments[0];
    if (!segment) return undefined;
    const bytes = await fs.readFile(segment.file);
    return {
      bytes: bytes.subarray(0, segment.bytes),
      lines: segment.lines,
      remove: async () => {
        await fs.rm(segment.file);
        this.#segments.shift();
        this.#bytes -= segment.bytes;
        this.#lines -= segment.lines;
      },
    };
  }

  async close(): Promise<void> {
    await this.#closeOpen();
  }

  async #openNext(): Promise<{ segment: Segment; handle: fs.FileHandle }> {
    const sequence = (this.#segments.at(-1)?.sequence ?? 0) + 1;
    const file = path.join(this.dir, `${String(sequence).padStart(16, '0')}.copy`);
    const handle = await fs.open(file, 'a');
    const segment = { sequence, file, bytes: 0, lines: 0 };
    this.#segments.push(segment);
    this.#open = { segment, handle };
    return this.#open;
  }

  async #closeOpen(): Promise<void> {
    const open = this.#open;
    if (!open) return;
    this.#open = undefined;
    await open.handle.close();
    if (open.segment.bytes === 0) {
      await fs.rm(open.segment.file, { force: true });
      this.#segments.splice(this.#segments.indexOf(open.segment), 1);
    }
  }
}
