import { randomBytes } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

// Random bytes drawn in bulk: one randomBytes call per id costs more than the rest of it.
const POOL_BYTES = 16 * 256;
let pool = randomBytes(POOL_BYTES);
let poolAt = 0;

function random16(): Buffer {
  if (poolAt + 16 > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolAt, poolAt + 16));
  poolAt += 16;
  return bytes;
}

/**
 * A UUID v7: 48 bits of Unix milliseconds, then random bits, so ids sort by creation time
 * and can be made anywhere without coordination. Within one millisecond a counter in the
 * random field keeps ids from one process strictly increasing.
 */
export function uuidv7(now = Date.now()): string {
  const bytes = random16();
  if (now <= lastMs) {
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) lastMs += 1;
  } else {
    lastMs = now;
    // A random start in the lower half leaves room to count up within the millisecond.
    sequence = bytes.readUInt16BE(6) & 0x7ff;
  }

  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);

  const hex = bytes.toString('hex');
  const parts = [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ];
  return parts.join('-');
}
