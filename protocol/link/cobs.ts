/**
 * Consistent Overhead Byte Stuffing: rewrites bytes so that none is zero, at a cost of one
 * byte per 254, which lets a zero byte mark frame boundaries on a serial line. A receiver
 * that lands mid-frame after noise waits for the next zero and is in step again.
 */

const MAX_RUN = 254;

/** Encodes `input` so it contains no zero byte. */
export function cobsEncode(input: Uint8Array): Buffer {
  const source = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const out = Buffer.allocUnsafe(input.length + Math.ceil(input.length / MAX_RUN) + 1);
  let written = 0;
  let at = 0;
  let nextZero = findZero(source, 0);

  for (;;) {
    if (nextZero < at) nextZero = findZero(source, at);
    const runEnd = Math.min(nextZero, at + MAX_RUN, source.length);
    out[written++] = runEnd - at + 1;
    written += source.copy(out, written, at, runEnd);

    if (runEnd - at === MAX_RUN) {
      at = runEnd; // a full run (code 0xFF) implies no zero, even when one follows
      if (at === source.length) return out.subarray(0, written);
    } else if (runEnd < source.length) {
      at = runEnd + 1; // the run stopped at a zero, which its code implies
    } else {
      return out.subarray(0, written);
    }
  }
}

/** Decodes one COBS block (without its delimiter); undefined when it is not valid COBS. */
export function cobsDecode(input: Uint8Array): Buffer | undefined {
  const source = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const out = Buffer.allocUnsafe(input.length);
  let written = 0;
  let at = 0;

  while (at < source.length) {
    const code = source[at++] as number;
    const end = at + code - 1;
    if (code === 0 || end > source.length) return undefined;
    written += source.copy(out, written, at, end);
    at = end;
    if (code <= MAX_RUN && at < source.length) out[written++] = 0;
  }
  return out.subarray(0, written);
}

function findZero(source: Buffer, from: number): number {
  const found = source.indexOf(0, from);
  return found === -1 ? source.length : found;
}
