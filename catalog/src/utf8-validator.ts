import { Transform } from 'node:stream';
import { CatalogFileError } from './catalog-file-error.js';

const newline = 0x0a;
const isContinuationByte = (byte: number) => (byte & 0xc0) === 0x80;

/**
 * Validates a byte stream as UTF-8 chunk by chunk (a character may be cut between two chunks) and
 * tells the physical line of the first invalid byte, counted by LF so that CRLF files count right.
 */
export class Utf8Validator {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** The line the next chunk starts on. */
  private line = 1;
  /** The last bytes written that may start a character the next chunk finishes. */
  private tail: Uint8Array = new Uint8Array();

  /** Checks the next chunk: the line of its first invalid byte, or undefined when it is valid. */
  write(chunk: Buffer): number | undefined {
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      return this.lineOfInvalidByte(chunk);
    }
    for (let at = chunk.indexOf(newline); at !== -1; at = chunk.indexOf(newline, at + 1)) this.line++;
    this.keepTail(chunk);
    return undefined;
  }

  /** After the last chunk: the line of a character the input stops in the middle of, if any. */
  end(): number | undefined {
    try {
      this.decoder.decode();
      return undefined;
    } catch {
      return this.line;
    }
  }

  /**
   * A character is at most 4 bytes, so a character still unfinished after a chunk starts in its
   * last 3 bytes; continuation bytes at the start of those belong to a finished character.
   */
  private keepTail(chunk: Buffer): void {
    const recent = chunk.length >= 3 ? chunk.subarray(-3) : Buffer.concat([this.tail, chunk]).subarray(-3);
    let start = 0;
    while (start < recent.length && isContinuationByte(recent[start] as number)) start++;
    this.tail = recent.slice(start);
  }

  /**
   * Replays the chunk byte by byte, after the unfinished character it continues, to find the
   * byte the decoder stops at. A character's bytes never include a newline, so the line of that
   * byte, counting only the newlines before it, is the line of the character it breaks.
   */
  private lineOfInvalidByte(chunk: Buffer): number {
    const replay = new TextDecoder('utf-8', { fatal: true });
    replay.decode(this.tail, { stream: true });
    let line = this.line;
    for (let at = 0; at < chunk.length; at++) {
      try {
        replay.decode(chunk.subarray(at, at + 1), { stream: true });
      } catch {
        return line;
      }
      if (chunk[at] === newline) line++;
    }
    throw new Error('Utf8Validator: the decoder refused a chunk that it accepts byte by byte');
  }
}

/** A pass-through stream that fails with a CatalogFileError at the first byte of `file` that is not UTF-8. */
export function validatingUtf8(file: string): Transform {
  const validator = new Utf8Validator();
  const invalid = (line: number) =>
    new CatalogFileError(file, line, 'not valid UTF-8 (is the file in another encoding?)');
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const line = validator.write(chunk);
      callback(line === undefined ? null : invalid(line), line === undefined ? chunk : undefined);
    },
    flush(callback) {
      const line = validator.end();
      callback(line === undefined ? null : invalid(line));
    },
  });
}
