import type { LinkChannel } from '../../protocol/link/channel';
import { encodeData } from '../../protocol/link/codec';
import type { AckMessage, NakMessage, TransferFailedMessage } from '../../protocol/link/messages';
import { SendWindow } from '../../protocol/link/window';
import { LinkError } from './errors';

/** What one image send needs. */
export interface SenderOptions {
  /** The transfer's tag. */
  transfer: number;
  /** The image (without the `.ufw` header). */
  image: Uint8Array;
  /** First byte to send (the device's resume offset, or 0). */
  start: number;
  /** Bytes allowed in flight beyond the last ack. */
  windowBytes: number;
  /** Image bytes per data message. */
  chunkBytes: number;
  /** With no ack or nak for this long, resend from the last ack, ms. */
  stallMs: number;
  /** Give up with TIMEOUT after this many stalls in a row. */
  maxStalls: number;
  /** Told each time the acknowledged offset moves. */
  progress: (done: number, total: number) => void;
}

/** The device-side messages a running send listens to. */
export type TransferFeedback = AckMessage | NakMessage | TransferFailedMessage;

/**
 * Pushes an image's bytes through a window: chunks go out back to back while the window has
 * room (the channel's own backpressure is the only wait), acks slide the window, a NAK or a
 * stall rewinds it to resend. Resolves once the device acknowledged every byte.
 */
export class ImageSender {
  readonly window: SendWindow;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private stalls = 0;

  constructor(
    private readonly channel: LinkChannel,
    private readonly options: SenderOptions,
  ) {
    this.window = new SendWindow({
      total: options.image.length,
      start: options.start,
      windowBytes: options.windowBytes,
      chunkBytes: options.chunkBytes,
    });
  }

  /** Image bytes per data message. */
  get chunkBytes(): number {
    return this.options.chunkBytes;
  }

  /** Bytes allowed in flight. */
  get windowBytes(): number {
    return this.options.windowBytes;
  }

  /** Sends until every byte is acknowledged; rejects with the first failure. */
  async run(): Promise<void> {
    this.armStallTimer();
    try {
      while (!this.window.done) {
        await this.pump();
        if (this.failure) throw this.failure;
        if (this.window.done) break;
        await new Promise<void>((resolve) => (this.wake = resolve));
        if (this.failure) throw this.failure;
      }
    } finally {
      if (this.stallTimer) clearTimeout(this.stallTimer);
    }
  }

  /** Takes an ack, nak or failure from the device. */
  feedback(message: TransferFeedback): void {
    if (message.transfer !== this.options.transfer) return;
    if (message.type === 'transfer-failed') {
      return this.fail(new LinkError(message.code, message.message));
    }
    if (message.type === 'ack' && this.window.ack(message.offset)) {
      this.stalls = 0;
      this.options.progress(this.window.acked, this.options.image.length);
    } else if (message.type === 'nak') {
      this.window.nak(message.offset);
    }
    this.armStallTimer();
    this.poke();
  }

  /** Stops the send with `error` (link lost, aborted). */
  fail(error: Error): void {
    this.failure ??= error;
    this.poke();
  }

  private async pump(): Promise<void> {
    const { image, transfer } = this.options;
    for (let chunk = this.window.nextChunk(); chunk; chunk = this.window.nextChunk()) {
      if (this.failure) return;
      const bytes = image.subarray(chunk.offset, chunk.offset + chunk.length);
      this.window.sent(chunk);
      const message = encodeData({ transfer, offset: chunk.offset, bytes });
      await this.channel.sendData(message).catch((error: unknown) => this.lost(error));
    }
  }

  private lost(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.fail(new LinkError('LINK_LOST', `the link dropped mid-transfer (${reason}); reconnect`));
  }

  private armStallTimer(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.stalled(), this.options.stallMs);
  }

  private stalled(): void {
    this.stalls += 1;
    if (this.stalls > this.options.maxStalls) {
      const seconds = (this.options.stallMs * this.stalls) / 1000;
      return this.fail(
        new LinkError('TIMEOUT', `the device acknowledged nothing for ${seconds} s; reconnect`),
      );
    }
    this.window.stalled();
    this.armStallTimer();
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
