// Compares zlib's native CRC32 with the crc-32 package over the same 1 MiB buffer.
import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

import CRC32 from 'crc-32';

const ROUNDS = 400;
const CHUNK = 4096;
const image = randomBytes(1024 * 1024);

function time(label: string, step: (chunk: Uint8Array, state: number) => number): number {
  const started = process.hrtime.bigint();
  let state = 0;
  for (let round = 0; round < ROUNDS; round++) {
    state = 0;
    for (let at = 0; at < image.length; at += CHUNK) {
      state = step(image.subarray(at, at + CHUNK), state);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const mibPerS = ROUNDS / seconds;
  console.log(`${label}: ${mibPerS.toFixed(0)} MiB/s (crc ${(state >>> 0).toString(16)})`);
  return mibPerS;
}

const zlib = time('zlib.crc32', (chunk, state) => zlibCrc32(chunk, state));
const pkg = time('crc-32', (chunk, state) => CRC32.buf(chunk, state));
console.log(JSON.stringify({ zlib_mib_per_s: zlib, crc32_pkg_mib_per_s: pkg, ratio: zlib / pkg }));
