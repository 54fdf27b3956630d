import { crc32 } from '../crc32';
import { cobsDecode, cobsEncode } from './cobs';

/**
 * Serial framing for link messages: each message gets its CRC32 (little-endian) appended,
 * is COBS-encoded so it holds no zero byte, and is sent between two zero bytes. The leading
 * zero closes off any noise that came before, so noise costs at most the frame it lands
 * in. A frame whose COBS or CRC32 is wrong is dropped; the link protocol's window and NAKs
 * recover the data, and request retries recover control messages.
 */

const DELIMITER = 0;
const CRC_BYTES = 4;

/** Frames one message for the wire. */
export function encodeFrame(message: Uint8Array): Buffer {
  const body = Buffer.allocUnsafe(message.length + CRC_BYTES);
  body.set(message, 0);
  body.writeUInt32LE(crc32(message), message.length);

  const encoded = cobsEncode(body);
  const frame = Buffer.allocUnsafe(encoded.length + 2);
  frame[0] = DELIMITER;
  encoded.copy(frame, 1);
  frame[frame.length - 1] = DELIMITER;
  return frame;
}

/** The most wire bytes a frame of a `messageBytes` message can take. */
export function maxFrameBytes(messageBytes: number): number {
  const body = messageBytes + CRC_BYTES;
  return body + Math.ceil(body / 254) + 1 + 2;
}

/** Why the decoder dropped some bytes. */
export type FrameDropReason = 'too-long' | 'bad-cobs' | 'bad-crc' | 'too-short';

/** Turns a byte stream back into messages, dropping damaged frames. */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;
  private readonly maxEncoded: number;

  constructor(
    /** Largest message expected; longer frames are dropped as noise. */
    maxMessageBytes: number,
    /** Receives each good message. */
    private readonly onMessage: (message: Buffer) => void,
    /** Told about each dropped frame, for counters and debug logs. */
    private readonly onDrop: (reason: FrameDropReason) => void = () => undefined,
  ) {
    this.maxEncoded = maxFrameBytes(maxMessageBytes);
  }

  /** Feeds bytes as they arrive, in any split. */
  push(chunk: Buffer): void {
    let at = 0;
    for (;;) {
      const zero = chunk.indexOf(DELIMITER, at);
      if (zero === -1) {
        this.hold(chunk.subarray(at));
        return;
      }
      this.hold(chunk.subarray(at, zero));
      this.complete();
      at = zero + 1;
    }
  }

  private hold(part: Buffer): void {
    if (part.length === 0 || this.overflowed) return;
    if (this.pendingBytes + part.length > this.maxEncoded) {
      this.overflowed = true;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private complete(): void {
    const overflowed = this.overflowed;
    const encoded = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.overflowed = false;

    if (overflowed) return this.onDrop('too-long');
    if (!encoded || encoded.length === 0) return; // two delimiters in a row
    this.deliver(encoded);
  }

  private deliver(encoded: Buffer): void {
    const body = cobsDecode(encoded);
    if (!body) return this.onDrop('bad-cobs');
    if (body.length < CRC_BYTES) return this.onDrop('too-short');

    const message = body.subarray(0, body.length - CRC_BYTES);
    if (crc32(message) !== body.readUInt32LE(message.length)) return this.onDrop('bad-crc');
    this.onMessage(message);
  }
}
