import { crc32 as zlibCrc32 } from 'node:zlib';

// zlib's native CRC32 is used rather than the crc-32 package: `npm run bench:crc32` measures
// it nearly twice as fast over a 1 MiB image fed in 4 KiB chunks, with identical results.

/** A running CRC32 (IEEE) over chunks fed in order; `value` is the unsigned result so far. */
export class Crc32 {
  private state = 0;

  /** Feeds the next chunk. */
  update(chunk: Uint8Array): this {
    this.state = zlibCrc32(chunk, this.state);
    return this;
  }

  /** The CRC32 of everything fed so far, as an unsigned 32-bit number. */
  get value(): number {
    return this.state >>> 0;
  }
}

/** The CRC32 of one buffer, unsigned. */
export function crc32(bytes: Uint8Array): number {
  return new Crc32().update(bytes).value;
}

/** The CRC32 of a stream of chunks, unsigned. */
export async function crc32OfStream(chunks: AsyncIterable<Uint8Array>): Promise<number> {
  const crc = new Crc32();
  for await (const chunk of chunks) crc.update(chunk);
  return crc.value;
}

/** A CRC32 written the way people read it: `0x` and eight hex digits. */
export function formatCrc32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}
