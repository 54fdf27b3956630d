import type { LinkMessage } from '../../protocol/link/messages';
import { ReceiveCursor } from '../../protocol/link/window';
import type { SlotWriter } from '../device/device';

/** Checks an image's signature as its bytes are written (see ServeLinkOptions). */
export interface SignatureVerifier {
  /** Feeds the next image bytes, in order. */
  update(chunk: Uint8Array): void;
  /** True when the signature matches everything fed. */
  verify(): boolean;
}

/** How a transfer failed on the device's side. */
export interface TransferFailure {
  /** Stable code (`RECORDING_ACTIVE`, `FLASH_WRITE_ERROR`...). */
  code: string;
  /** What happened, in words. */
  message: string;
}

/** What one receiver needs. */
export interface ReceiverOptions {
  /** The station's tag for this transfer. */
  transfer: number;
  /** Bytes in the image. */
  total: number;
  /** Acknowledge at least every this many bytes written. */
  ackEveryBytes: number;
  /** Sends an ack or nak to the station. */
  send: (message: LinkMessage) => void;
  /** Told once when a write fails; the receiver is dead afterwards. */
  onFailure: (failure: TransferFailure) => void;
  /** Sees each written chunk, when the image's signature is checked. */
  verifier?: SignatureVerifier;
}

/**
 * The device's end of one image transfer: takes data chunks in order, writes them to the
 * spare slot one after another (a write never waits for the link, and the link never waits
 * for a write), acknowledges cumulatively and NAKs a gap once.
 */
export class TransferReceiver {
  private readonly cursor: ReceiveCursor;
  private queue: { offset: number; bytes: Uint8Array }[] = [];
  private writing: Promise<void> | null = null;
  private failure: TransferFailure | null = null;

  constructor(
    private readonly writer: SlotWriter,
    private readonly options: ReceiverOptions,
  ) {
    this.cursor = new ReceiveCursor({
      start: writer.offset,
      total: options.total,
      ackEveryBytes: options.ackEveryBytes,
    });
  }

  /** The tag of this transfer. */
  get transfer(): number {
    return this.options.transfer;
  }

  /** Image bytes now in the slot. */
  get written(): number {
    return this.writer.offset;
  }

  /** Handles one arriving data chunk. */
  arrive(offset: number, bytes: Uint8Array): void {
    if (this.failure) return;
    const verdict = this.cursor.arrive(offset, bytes.length);
    const { transfer } = this.options;

    if (verdict === 'write') {
      this.queue.push({ offset, bytes });
      this.writing ??= this.drain();
    } else if (verdict === 'gap-nak') {
      this.options.send({ type: 'nak', transfer, offset: this.cursor.expected });
    } else if (verdict === 'duplicate-ack') {
      this.options.send({ type: 'ack', transfer, offset: this.writer.offset });
    }
  }

  /** Waits until every accepted chunk is written (or the transfer failed). */
  async settled(): Promise<TransferFailure | null> {
    while (this.writing) await this.writing;
    return this.failure;
  }

  /** Verifies the whole image on the device and marks it for the next reboot. */
  async finishImage(): Promise<void> {
    await this.writer.finish();
  }

  /** Stops: queued chunks are dropped; what is written stays for a resume. */
  async abort(): Promise<void> {
    this.failure ??= { code: 'ABORTED', message: 'the transfer was aborted' };
    this.queue = [];
    await this.settled();
    await this.writer.abort();
  }

  private async drain(): Promise<void> {
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        if (this.failure) return;
        await this.writeChunk(next.offset, next.bytes);
      }
    } finally {
      this.writing = null;
    }
  }

  private async writeChunk(offset: number, bytes: Uint8Array): Promise<void> {
    try {
      await this.writer.write(offset, bytes);
    } catch (error) {
      this.fail(error);
      return;
    }

    this.options.verifier?.update(bytes);
    const written = this.writer.offset;
    if (this.cursor.shouldAck(written)) {
      this.options.send({ type: 'ack', transfer: this.options.transfer, offset: written });
    }
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    const code = (error as { code?: unknown }).code;
    this.failure = {
      code: typeof code === 'string' ? code : 'FLASH_WRITE_ERROR',
      message: error instanceof Error ? error.message : String(error),
    };
    this.queue = [];
    this.options.onFailure(this.failure);
  }
}
