import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';

const chunkSize = 1 << 20;

/**
 * Streams text to `file` through a temporary sibling that is renamed into place at the end, so a
 * reader never sees a half-written file and a failure leaves no partial file behind.
 */
export async function writeFileAtomically(
  file: string,
  pieces: Iterable<string> | AsyncIterable<string>,
): Promise<void> {
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  const stream = fs.createWriteStream(partial);
  try {
    let buffered: string[] = [];
    let bufferedLength = 0;
    const flush = async () => {
      if (!stream.write(buffered.join(''))) await once(stream, 'drain');
      buffered = [];
      bufferedLength = 0;
    };
    for await (const piece of pieces) {
      buffered.push(piece);
      bufferedLength += piece.length;
      if (bufferedLength >= chunkSize) await flush();
    }
    await flush();
    stream.end();
    await once(stream, 'finish');
    await fs.promises.rename(partial, file);
  } catch (error) {
    stream.destroy();
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
}

/** Writes bytes to `file` through a temporary sibling renamed into place. */
export async function writeBytesAtomically(file: string, content: Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  try {
    await fs.promises.writeFile(partial, content);
    await fs.promises.rename(partial, file);
  } catch (error) {
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
}
