/**
 * Little-endian byte writing and reading for the link codec. The reader throws
 * LinkCodecError on any read past the end, so a decoder never sees half a field.
 */

/** A link message that cannot be decoded: truncated, unknown type, or a bad field. */
export class LinkCodecError extends Error {
  /** Stable code for every malformed message. */
  readonly code = 'MALFORMED_MESSAGE';

  constructor(message: string) {
    super(message);
    this.name = 'LinkCodecError';
  }
}

/** Appends fields to a growing buffer. */
export class ByteWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(capacity = 64) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** One unsigned byte. */
  u8(value: number): this {
    this.reserve(1);
    this.length = this.buffer.writeUInt8(value, this.length);
    return this;
  }

  /** An unsigned 16-bit integer. */
  u16(value: number): this {
    this.reserve(2);
    this.length = this.buffer.writeUInt16LE(value, this.length);
    return this;
  }

  /** An unsigned 32-bit integer. */
  u32(value: number): this {
    this.reserve(4);
    this.length = this.buffer.writeUInt32LE(value, this.length);
    return this;
  }

  /** A whole number of milliseconds (up to 2^53), as an unsigned 64-bit integer. */
  u64(value: number): this {
    this.reserve(8);
    this.length = this.buffer.writeBigUInt64LE(BigInt(value), this.length);
    return this;
  }

  /** A UTF-8 string behind a 16-bit byte length. */
  text(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > 0xffff) throw new RangeError(`text of ${bytes.length} bytes is too long`);
    return this.u16(bytes.length).raw(bytes);
  }

  /** Bytes as they are, with no length: only as the last field or a fixed-size one. */
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** The bytes written so far. */
  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** Reads fields in order from one message. */
export class ByteReader {
  private readonly view: Buffer;
  private at = 0;

  constructor(bytes: Uint8Array) {
    this.view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** One unsigned byte. */
  u8(): number {
    return this.view.readUInt8(this.take(1));
  }

  /** An unsigned 16-bit integer. */
  u16(): number {
    return this.view.readUInt16LE(this.take(2));
  }

  /** An unsigned 32-bit integer. */
  u32(): number {
    return this.view.readUInt32LE(this.take(4));
  }

  /** An unsigned 64-bit integer that must fit a JavaScript number exactly. */
  u64(): number {
    const value = this.view.readBigUInt64LE(this.take(8));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new LinkCodecError('number too large');
    return Number(value);
  }

  /** A UTF-8 string behind a 16-bit byte length. */
  text(): string {
    const length = this.u16();
    const start = this.take(length);
    return this.view.toString('utf8', start, start + length);
  }

  /** Exactly `length` bytes (a view, not a copy). */
  bytes(length: number): Uint8Array {
    const start = this.take(length);
    return this.view.subarray(start, start + length);
  }

  /** Everything left (a view, not a copy). */
  rest(): Uint8Array {
    return this.bytes(this.view.length - this.at);
  }

  /** Throws unless every byte was read: trailing bytes mean a malformed message. */
  end(): void {
    if (this.at !== this.view.length) {
      throw new LinkCodecError(`${this.view.length - this.at} unexpected bytes at the end`);
    }
  }

  private take(length: number): number {
    if (this.at + length > this.view.length) {
      throw new LinkCodecError(`message ends after ${this.view.length} bytes; field needs more`);
    }
    const start = this.at;
    this.at += length;
    return start;
  }
}
