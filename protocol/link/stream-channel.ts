import type { Duplex } from 'node:stream';

import type { LinkChannel } from './channel';
import { encodeFrame, FrameDecoder, type FrameDropReason } from './framing';

/** How a byte stream (a serial port) becomes a LinkChannel. */
export interface StreamChannelOptions {
  /** The open byte stream; serialport's SerialPort is one. */
  stream: Duplex;
  /** What carries it. */
  kind: 'serial' | 'ble';
  /** The largest message either side sends; larger frames are dropped as noise. */
  maxMessageBytes: number;
  /** Closes the underlying port; defaults to destroying the stream. */
  closeStream?: () => Promise<void>;
  /** Told about each damaged frame that was dropped. */
  onDrop?: (reason: FrameDropReason) => void;
}

/** The default frame limit on serial: big frames keep the per-frame cost low. */
export const SERIAL_MAX_MESSAGE_BYTES = 32 * 1024;

/**
 * A LinkChannel over a byte stream, one frame (encodeFrame) per message. Control and data
 * messages share the stream, so they stay in order; neither is acknowledged by the
 * channel itself (a damaged frame is simply lost; the link protocol recovers it).
 */
export function createStreamChannel(options: StreamChannelOptions): LinkChannel {
  return new StreamChannel(options);
}

class StreamChannel implements LinkChannel {
  readonly kind: 'serial' | 'ble';
  readonly maxMessageBytes: number;
  private readonly messageListeners = new Set<(message: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private readonly waiters = new Set<{ resolve: () => void; reject: (e: Error) => void }>();
  private closedReason: string | null = null;
  private readonly stream: Duplex;

  constructor(private readonly options: StreamChannelOptions) {
    this.kind = options.kind;
    this.maxMessageBytes = options.maxMessageBytes;
    this.stream = options.stream;

    const decoder = new FrameDecoder(
      options.maxMessageBytes,
      (m) => this.deliver(m),
      options.onDrop,
    );
    this.stream.on('data', (chunk: Buffer) => decoder.push(chunk));
    this.stream.on('drain', () => this.releaseWaiters());
    this.stream.on('error', (error: Error) => this.closed(`port error: ${error.message}`));
    this.stream.on('close', () => this.closed('port closed'));
    this.stream.on('end', () => this.closed('port ended'));
  }

  send(message: Uint8Array): Promise<void> {
    return this.write(message);
  }

  sendData(message: Uint8Array): Promise<void> {
    if (message.length > this.maxMessageBytes) {
      return Promise.reject(
        new RangeError(`data message of ${message.length} bytes exceeds ${this.maxMessageBytes}`),
      );
    }
    return this.write(message);
  }

  onMessage(listener: (message: Uint8Array) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closedReason !== null) return;
    this.closed('closed by this side');
    if (this.options.closeStream) await this.options.closeStream().catch(() => undefined);
    else this.stream.destroy();
  }

  private write(message: Uint8Array): Promise<void> {
    if (this.closedReason !== null) {
      return Promise.reject(new Error(`link closed: ${this.closedReason}`));
    }
    // Resolving at once while the stream has room keeps the sender from awaiting each chunk;
    // once the stream's buffer is full the promise waits for 'drain' (backpressure).
    if (this.stream.write(encodeFrame(message))) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.add({ resolve, reject }));
  }

  private deliver(message: Buffer): void {
    for (const listener of [...this.messageListeners]) listener(message);
  }

  private releaseWaiters(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter.resolve();
  }

  private closed(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;

    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter.reject(new Error(`link closed: ${reason}`));
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
  }
}
