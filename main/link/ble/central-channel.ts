import type { Characteristic, Peripheral } from '@abandonware/noble';

import type { LinkChannel } from '../../../protocol/link/channel';
import { Fragmenter, FragmentError, FragmentJoiner } from '../../../protocol/radio/fragment';
import { LinkClosedError } from '../../../protocol/radio/link-closed';
import { ATT_DEFAULT_MTU, ATT_HEADER_BYTES } from '../../../protocol/radio/link-model';

/** The two characteristics of the Bota link service, as noble discovered them. */
export interface LinkCharacteristics {
  /** Control messages: write with response, notify. */
  control: Characteristic;
  /** Transfer data: write without response, notify. */
  data: Characteristic;
}

/**
 * The station's end of a Bluetooth link as a LinkChannel, over noble: control messages go
 * out as fragmented writes with response and come back as notifications; data messages go
 * out as writes without response (resolving once the TX buffer took them) and come back as
 * notifications on the data characteristic. All sends leave in the order they were made;
 * one write is outstanding at a time, as noble's per-characteristic callbacks require.
 */
export class CentralChannel implements LinkChannel {
  readonly kind = 'ble' as const;
  readonly maxMessageBytes: number;
  private readonly fragmenter: Fragmenter;
  private readonly joiner = new FragmentJoiner();
  private readonly messageListeners = new Set<(message: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private readonly lost: Promise<never>;
  private rejectLost: (error: Error) => void = () => undefined;
  private queue: Promise<void> = Promise.resolve();
  private closedWith: string | null = null;

  constructor(
    private readonly peripheral: Peripheral,
    private readonly characteristics: LinkCharacteristics,
  ) {
    this.maxMessageBytes = (peripheral.mtu ?? ATT_DEFAULT_MTU) - ATT_HEADER_BYTES;
    this.fragmenter = new Fragmenter(this.maxMessageBytes);
    this.lost = new Promise<never>((_, reject) => (this.rejectLost = reject));
    this.lost.catch(() => undefined);

    characteristics.control.on('data', (value: Buffer, notified: boolean) => {
      if (notified) this.receiveControl(value);
    });
    characteristics.data.on('data', (value: Buffer, notified: boolean) => {
      if (notified) this.deliver(Uint8Array.from(value));
    });
    peripheral.once('disconnect', (reason: unknown) => this.finish(describe(reason)));
  }

  /** True until the link closes. */
  get open(): boolean {
    return this.closedWith === null;
  }

  send(message: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      for (const fragment of this.fragmenter.split(message)) {
        await this.write(this.characteristics.control, fragment, false);
      }
    });
  }

  sendData(message: Uint8Array): Promise<void> {
    if (message.length > this.maxMessageBytes) {
      const limit = this.maxMessageBytes;
      return Promise.reject(new RangeError(`data message of ${message.length} bytes > ${limit}`));
    }
    return this.enqueue(() => this.write(this.characteristics.data, message, true));
  }

  onMessage(listener: (message: Uint8Array) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    if (this.closedWith !== null) {
      listener(this.closedWith);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closedWith !== null) return;
    const closed = new Promise<void>((resolve) => this.onClose(() => resolve()));
    this.peripheral.disconnect();
    await closed;
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    if (this.closedWith !== null) return Promise.reject(new LinkClosedError(this.closedWith));

    const run = this.queue.then(() => {
      if (this.closedWith !== null) throw new LinkClosedError(this.closedWith);
      return step();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private write(target: Characteristic, value: Uint8Array, withoutResponse: boolean) {
    const written = target.writeAsync(Buffer.from(value), withoutResponse);
    return Promise.race([written, this.lost]);
  }

  private receiveControl(fragment: Buffer): void {
    let message: Uint8Array | null;
    try {
      message = this.joiner.push(Uint8Array.from(fragment));
    } catch (error) {
      if (!(error instanceof FragmentError)) throw error;
      this.finish(error.message);
      this.peripheral.disconnect();
      return;
    }
    if (message) this.deliver(message);
  }

  private deliver(message: Uint8Array): void {
    for (const listener of [...this.messageListeners]) listener(message);
  }

  private finish(reason: string): void {
    if (this.closedWith !== null) return;
    this.closedWith = reason;
    this.rejectLost(new LinkClosedError(reason));

    this.characteristics.control.removeAllListeners('data');
    this.characteristics.data.removeAllListeners('data');
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
  }
}

/** Noble reports a disconnect reason as a string, an HCI code or nothing. */
function describe(reason: unknown): string {
  if (typeof reason === 'string' && reason.length > 0) return reason;
  if (typeof reason === 'number') return `link lost (HCI reason 0x${reason.toString(16)})`;
  return 'link lost';
}
