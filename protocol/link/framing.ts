import { crc32 } from '../crc32';
import { cobsEncodeInto, cobsMaxEncoded } from './cobs';

/**
 * Serial framing for link messages: each message gets its CRC32 (little-endian) appended,
 * is COBS-encoded so it holds no zero byte, and is sent between two zero bytes. The leading
 * zero closes off any noise that came before, so noise costs at most the frame it lands
 * in. A frame whose COBS or CRC32 is wrong is dropped; the link protocol's window and NAKs
 * recover the data, and request retries recover control messages.
 */

const DELIMITER = 0;
const CRC_BYTES = 4;
const MAX_RUN = 254;

/** Frames one message for the wire: one buffer, written in one pass. */
export function encodeFrame(message: Uint8Array): Buffer {
  const crc = Buffer.allocUnsafe(CRC_BYTES);
  crc.writeUInt32LE(crc32(message), 0);

  const frame = Buffer.allocUnsafe(maxFrameBytes(message.length));
  frame[0] = DELIMITER;
  const end = cobsEncodeInto(frame, 1, [message, crc]);
  frame[end] = DELIMITER;
  return frame.subarray(0, end + 1);
}

/** The most wire bytes a frame of a `messageBytes` message can take. */
export function maxFrameBytes(messageBytes: number): number {
  return cobsMaxEncoded(messageBytes + CRC_BYTES) + 2;
}

/** Why the decoder dropped some bytes. */
export type FrameDropReason = 'too-long' | 'bad-cobs' | 'bad-crc' | 'too-short';

/** Decoded bytes the decoder allocates at a time; frames are views into it. */
const SLAB_BYTES = 256 * 1024;

/**
 * Turns a byte stream back into messages, dropping damaged frames. COBS is undone as the
 * bytes arrive, straight into a shared slab, so a frame costs one copy whatever the split
 * of the reads; each message is a view into the slab and stays valid after delivery.
 */
export class FrameDecoder {
  private readonly maxBody: number;
  private slab: Buffer = Buffer.alloc(0);
  private frameStart = 0;
  private written = 0; // decoded bytes of the current frame
  private blockLeft = 0; // data bytes still due in the current COBS block
  private zeroDue = false; // the current block implies a zero if another block follows
  private skipping = false; // the frame is already dropped; wait for the next delimiter

  constructor(
    /** Largest message expected; longer frames are dropped as noise. */
    maxMessageBytes: number,
    /** Receives each good message. */
    private readonly onMessage: (message: Buffer) => void,
    /** Told about each dropped frame, for counters and debug logs. */
    private readonly onDrop: (reason: FrameDropReason) => void = () => undefined,
  ) {
    this.maxBody = maxMessageBytes + CRC_BYTES;
    this.startFrame();
  }

  /** Feeds bytes as they arrive, in any split. */
  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skipping || this.blockLeft > 0) {
        at = this.copyRun(chunk, at);
        continue;
      }
      const code = chunk[at++] as number;
      if (code === DELIMITER) {
        this.endFrame();
        continue;
      }
      if (this.zeroDue && !this.append(DELIMITER)) continue;
      this.blockLeft = code - 1;
      this.zeroDue = code <= MAX_RUN;
    }
  }

  /** Copies block bytes up to the block's end, the chunk's end or a delimiter. */
  private copyRun(chunk: Buffer, at: number): number {
    const zero = chunk.indexOf(DELIMITER, at);
    if (this.skipping) {
      if (zero === -1) return chunk.length;
      this.startFrame();
      return zero + 1;
    }

    const end = Math.min(at + this.blockLeft, chunk.length);
    if (zero !== -1 && zero < end) {
      // The frame ended while its last block still promised bytes.
      this.drop('bad-cobs');
      this.startFrame();
      return zero + 1;
    }
    if (this.written + (end - at) > this.maxBody) {
      this.drop('too-long');
      return at;
    }
    chunk.copy(this.slab, this.frameStart + this.written, at, end);
    this.written += end - at;
    this.blockLeft -= end - at;
    return end;
  }

  private append(byte: number): boolean {
    if (this.written + 1 > this.maxBody) {
      this.drop('too-long');
      return false;
    }
    this.slab[this.frameStart + this.written++] = byte;
    return true;
  }

  private endFrame(): void {
    const length = this.written;
    const body = this.slab.subarray(this.frameStart, this.frameStart + length);
    if (length === 0) return this.startFrame(); // two delimiters in a row
    this.frameStart += length;
    this.startFrame();
    if (length < CRC_BYTES) return this.onDrop('too-short');

    const message = body.subarray(0, length - CRC_BYTES);
    if (crc32(message) !== body.readUInt32LE(message.length)) return this.onDrop('bad-crc');
    this.onMessage(message);
  }

  /** Drops the frame in progress; bytes are skipped up to the next delimiter. */
  private drop(reason: FrameDropReason): void {
    this.onDrop(reason);
    this.skipping = true;
  }

  private startFrame(): void {
    this.written = 0;
    this.blockLeft = 0;
    this.zeroDue = false;
    this.skipping = false;
    if (this.slab.length - this.frameStart < this.maxBody) {
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, this.maxBody));
      this.frameStart = 0;
    }
  }
}
