import type {
  BeginRequest,
  LinkMessage,
  ReadyReply,
  VerifyRequest,
} from '../../protocol/link/messages';
import type { UfwHeader } from '../../protocol/ufw';
import type { VirtualDevice } from '../device/device';
import type { AgentLogger } from '../log';
import { LinkRefusal, readOfferedHeader } from './begin';
import { type SignatureVerifier, TransferReceiver } from './receiver';

/** What the device's transfer handling needs from its link. */
export interface TransferHostOptions {
  /** Bytes the station may have in flight. */
  windowBytes: number;
  /** Acknowledge every this many bytes written. */
  ackEveryBytes: number;
  /** The largest data chunk taken. */
  maxChunk: number;
  /** Returns a signature verifier for a signed image, or null to accept it unchecked. */
  signatureCheck?: (header: UfwHeader) => SignatureVerifier | null;
  /** Sends a message to the station. */
  push: (message: LinkMessage) => void;
  /** Where transfer events are logged. */
  log: AgentLogger;
}

/**
 * The device's side of image transfers on one link: at most one open at a time, begun
 * (or resumed) from a `.ufw` header, fed with data, verified, or stopped with a code that
 * the station hears as `transfer-failed`. Stopping never touches the running firmware.
 */
export class DeviceTransfers {
  private receiver: TransferReceiver | null = null;
  private verifier: SignatureVerifier | null = null;
  private lastFailure: { transfer: number; code: string; message: string } | null = null;

  constructor(
    private readonly device: VirtualDevice,
    private readonly options: TransferHostOptions,
  ) {}

  /** True while a transfer is open. */
  get open(): boolean {
    return this.receiver !== null;
  }

  /** Opens a transfer; replaces one already open on this link. */
  async begin(request: BeginRequest): Promise<ReadyReply> {
    const header = readOfferedHeader(request);
    await this.stop('replaced by a new transfer');

    this.verifier = this.options.signatureCheck?.(header) ?? null;
    const writer = await this.device.beginUpdate(
      {
        model: header.model,
        length: header.imageLength,
        crc32: header.imageCrc32,
        version: header.version,
        signature: header.signature,
      },
      { resume: request.resume && this.verifier === null },
    );
    this.receiver = new TransferReceiver(writer, {
      transfer: request.transfer,
      total: header.imageLength,
      ackEveryBytes: this.options.ackEveryBytes,
      send: this.options.push,
      onFailure: (failure) => void this.fail(failure.code, failure.message),
      verifier: this.verifier ?? undefined,
    });
    this.info(`transfer ${header.version} begun at ${writer.offset}/${header.imageLength}`);
    const { windowBytes, maxChunk } = this.options;
    const { id, transfer } = request;
    return { type: 'ready', id, transfer, offset: writer.offset, windowBytes, maxChunk };
  }

  /** Takes one data chunk for the open transfer with this tag. */
  data(transfer: number, offset: number, bytes: Uint8Array): void {
    if (this.receiver?.transfer === transfer) this.receiver.arrive(offset, bytes);
  }

  /** Waits for the last writes, checks signature and CRC32, and marks the image to apply. */
  async verify(request: VerifyRequest): Promise<void> {
    const receiver = this.receiver;
    if (!receiver || receiver.transfer !== request.transfer) {
      // A verify racing a failure gets the failure's own code, not a puzzling NO_TRANSFER.
      const failed = this.lastFailure?.transfer === request.transfer ? this.lastFailure : null;
      if (failed) throw new LinkRefusal(failed.code, failed.message);
      throw new LinkRefusal('NO_TRANSFER', 'no such transfer is open; begin it again');
    }
    const failure = await receiver.settled();
    if (failure) throw new LinkRefusal(failure.code, failure.message);

    if (this.verifier && !this.verifier.verify()) {
      await this.stop('bad signature');
      throw new LinkRefusal('BAD_SIGNATURE', 'the image signature does not match; not applied');
    }
    this.receiver = null;
    await receiver.finishImage();
    this.info('image verified, waits for apply');
  }

  /** Stops the open transfer quietly (the station asked, or the link went away). */
  async stop(why: string): Promise<void> {
    const receiver = this.receiver;
    if (!receiver) return;
    this.receiver = null;
    await receiver.abort();
    this.info(`transfer stopped at ${receiver.written} (${why})`);
  }

  /** Stops the open transfer and tells the station why, with a stable code. */
  async fail(code: string, message: string): Promise<void> {
    const receiver = this.receiver;
    if (!receiver) return;
    await this.stop(code);
    this.lastFailure = { transfer: receiver.transfer, code, message };
    this.options.push({ type: 'transfer-failed', transfer: receiver.transfer, code, message });
  }

  private info(line: string): void {
    this.options.log.info(`link: (${this.device.serial}) ${line}`);
  }
}
