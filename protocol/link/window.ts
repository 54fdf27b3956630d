/**
 * Flow control for image transfers, as pure bookkeeping so both halves can be tested
 * without a link. The station keeps up to a window of bytes in flight beyond the device's
 * last cumulative acknowledgement; the device acknowledges every `ackEveryBytes` written,
 * answers a gap with one NAK naming its next expected offset, and re-acknowledges when a
 * rewound station resends bytes it already has.
 */

/** One chunk the station should send next. */
export interface ChunkToSend {
  /** Image offset of the chunk. */
  offset: number;
  /** Bytes in the chunk. */
  length: number;
}

/** The station's half: what to send next, given acks, naks and stalls. */
export class SendWindow {
  /** Every image byte before this is written on the device. */
  acked: number;
  /** The next image byte to send. */
  next: number;
  /** Image bytes sent so far, resends included. */
  bytesSent = 0;
  /** How many times the station went back to resend (naks and stalls). */
  rewinds = 0;

  constructor(
    private readonly options: {
      /** Bytes in the image. */
      total: number;
      /** Where sending starts (0, or the device's resume offset). */
      start: number;
      /** Bytes allowed in flight beyond `acked`. */
      windowBytes: number;
      /** Bytes per data chunk. */
      chunkBytes: number;
    },
  ) {
    this.acked = options.start;
    this.next = options.start;
  }

  /** True once the device has acknowledged every byte. */
  get done(): boolean {
    return this.acked >= this.options.total;
  }

  /** The next chunk to send now, or null while the window is full or all is sent. */
  nextChunk(): ChunkToSend | null {
    const { total, windowBytes, chunkBytes } = this.options;
    if (this.next >= total || this.next - this.acked >= windowBytes) return null;
    return { offset: this.next, length: Math.min(chunkBytes, total - this.next) };
  }

  /** Records that the chunk from nextChunk() went out. */
  sent(chunk: ChunkToSend): void {
    this.next = chunk.offset + chunk.length;
    this.bytesSent += chunk.length;
  }

  /** A cumulative ack; returns true when it moved the window forward. */
  ack(offset: number): boolean {
    if (offset <= this.acked || offset > this.options.total) return false;
    this.acked = offset;
    if (this.next < offset) this.next = offset;
    return true;
  }

  /** A NAK: the device expects `offset` next, so everything sent after it is resent. */
  nak(offset: number): void {
    if (offset < this.acked || offset >= this.next) return;
    this.next = offset;
    this.rewinds += 1;
  }

  /** Nothing heard for too long: resend everything not yet acknowledged. */
  stalled(): void {
    if (this.next === this.acked) return;
    this.next = this.acked;
    this.rewinds += 1;
  }
}

/** What the device does with an arriving chunk. */
export type ChunkVerdict =
  /** The chunk is the next expected one: write it. */
  | 'write'
  /** Already received (the station rewound): drop it, re-acknowledge once. */
  | 'duplicate-ack'
  /** Already received, and already re-acknowledged: drop it quietly. */
  | 'duplicate'
  /** A gap before it: drop it and NAK the expected offset. */
  | 'gap-nak'
  /** A gap, already NAKed: drop it quietly until the station rewinds. */
  | 'gap';

/** The device's half: which chunks to take and when to acknowledge. */
export class ReceiveCursor {
  /** The next image byte expected to arrive. */
  expected: number;
  private lastAcked: number;
  private nakOutstanding = false;
  private lastDuplicate = Number.POSITIVE_INFINITY;

  constructor(
    private readonly options: {
      /** Where receiving starts (0, or the resume offset). */
      start: number;
      /** Bytes in the image. */
      total: number;
      /** Acknowledge at least this often, in bytes written. */
      ackEveryBytes: number;
    },
  ) {
    this.expected = options.start;
    this.lastAcked = options.start;
  }

  /** Classifies a chunk that arrived at `offset` with `length` bytes. */
  arrive(offset: number, length: number): ChunkVerdict {
    if (offset === this.expected && length > 0) {
      this.expected += length;
      this.nakOutstanding = false;
      this.lastDuplicate = Number.POSITIVE_INFINITY;
      return 'write';
    }
    if (offset < this.expected) return this.duplicate(offset);
    if (this.nakOutstanding) return 'gap';
    this.nakOutstanding = true;
    return 'gap-nak';
  }

  /** True when, with `written` bytes now in flash, an acknowledgement is due. */
  shouldAck(written: number): boolean {
    const due =
      written - this.lastAcked >= this.options.ackEveryBytes || written === this.options.total;
    if (due && written > this.lastAcked) {
      this.lastAcked = written;
      return true;
    }
    return false;
  }

  private duplicate(offset: number): ChunkVerdict {
    // A duplicate at or before the previous one means the station rewound again (perhaps
    // because our last re-ack was lost), so it earns a fresh re-ack.
    const newRun = offset <= this.lastDuplicate;
    this.lastDuplicate = offset;
    return newRun ? 'duplicate-ack' : 'duplicate';
  }
}
