import { randomFillSync } from 'node:crypto';

const poolSize = 16 * 256;
const pool = Buffer.alloc(poolSize);
let poolOffset = poolSize;
const hex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. */
export function uuidv7(nowMs: number = Date.now()): string {
  if (poolOffset === poolSize) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  // 48-bit big-endian timestamp: the high 16 bits, then the low 32.
  bytes.writeUInt16BE(Math.floor(nowMs / 2 ** 32), 0);
  bytes.writeUInt32BE(nowMs % 2 ** 32, 2);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  let text = '';
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) text += '-';
    text += hex[bytes[index] as number];
  }
  return text;
}
