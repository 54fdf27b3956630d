/**
 * Consistent Overhead Byte Stuffing: rewrites bytes so that none is zero, at a cost of one
 * byte per 254, which lets a zero byte mark frame boundaries on a serial line. A receiver
 * that lands mid-frame after noise waits for the next zero and is in step again.
 */

const MAX_RUN = 254;

/** The most bytes COBS turns `length` input bytes into. */
export function cobsMaxEncoded(length: number): number {
  return length + Math.ceil(length / MAX_RUN) + 1;
}

/** Encodes `input` so it contains no zero byte. */
export function cobsEncode(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(cobsMaxEncoded(input.length));
  return out.subarray(0, cobsEncodeInto(out, 0, [input]));
}

/**
 * Encodes the concatenation of `parts` into `out` from `start`, without joining them first;
 * returns the offset after the last byte written. `out` needs cobsMaxEncoded(total) bytes.
 */
export function cobsEncodeInto(out: Buffer, start: number, parts: Uint8Array[]): number {
  let code = start; // where the current block's code byte goes
  let written = start + 1;
  let run = 0; // data bytes in the current block
  let afterFullRun = false; // the current block was opened only because the last one filled

  for (const part of parts) {
    const source = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    let at = 0;
    while (at < source.length) {
      const zero = source.indexOf(0, at);
      const runEnd = zero === -1 ? source.length : zero;
      while (at < runEnd) {
        const take = Math.min(runEnd - at, MAX_RUN - run);
        written += source.copy(out, written, at, at + take);
        at += take;
        run += take;
        afterFullRun = false;
        if (run === MAX_RUN) {
          // A full block (code 0xFF) implies no zero after it, even when one follows.
          out[code] = MAX_RUN + 1;
          code = written++;
          run = 0;
          afterFullRun = true;
        }
      }
      if (zero !== -1) {
        out[code] = run + 1;
        code = written++;
        run = 0;
        afterFullRun = false;
        at = zero + 1;
      }
    }
  }

  // Input that ends exactly on a full block needs no empty block after it.
  if (afterFullRun) return written - 1;
  out[code] = run + 1;
  return written;
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
