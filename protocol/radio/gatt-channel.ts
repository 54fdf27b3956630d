import type { LinkChannel } from '../link/channel';
import { Fragmenter, FragmentError, FragmentJoiner } from './fragment';
import { LinkClosedError } from './link-closed';
import { ATT_HEADER_BYTES } from './link-model';

/**
 * What both ends of a Bluetooth link share as a LinkChannel: control messages split into
 * MTU-sized fragments and joined again, data messages sent whole, every send leaving in the
 * order it was made (one write outstanding at a time), and listeners for messages and for the
 * close. The station end (noble) and the device end (the virtual peripheral) supply only how
 * a fragment or data message is written and how the link is disconnected.
 */
export abstract class GattChannel implements LinkChannel {
  readonly kind = 'ble' as const;
  readonly maxMessageBytes: number;
  private readonly fragmenter: Fragmenter;
  private readonly joiner = new FragmentJoiner();
  private readonly messageListeners = new Set<(message: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private queue: Promise<void> = Promise.resolve();
  private closedWith: string | null = null;

  constructor(mtu: number) {
    this.maxMessageBytes = mtu - ATT_HEADER_BYTES;
    this.fragmenter = new Fragmenter(this.maxMessageBytes);
  }

  /** Writes one control fragment (a write with response, or a notification). */
  protected abstract writeControl(fragment: Uint8Array): Promise<void>;
  /** Writes one data message (a write without response, or a notification). */
  protected abstract writeData(message: Uint8Array): Promise<void>;
  /** Asks the link to disconnect; the close arrives later and must reach finish(). */
  protected abstract disconnect(reason?: string): void;

  /** True until the link closes. */
  get open(): boolean {
    return this.closedWith === null;
  }

  send(message: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      for (const fragment of this.fragmenter.split(message)) await this.writeControl(fragment);
    });
  }

  sendData(message: Uint8Array): Promise<void> {
    if (message.length > this.maxMessageBytes) {
      const limit = this.maxMessageBytes;
      return Promise.reject(new RangeError(`data message of ${message.length} bytes > ${limit}`));
    }
    return this.enqueue(() => this.writeData(message));
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
    this.disconnect();
    await closed;
  }

  /** Takes one control fragment as it arrived; a broken sequence drops the link. */
  protected receiveControl(fragment: Uint8Array): void {
    let message: Uint8Array | null;
    try {
      message = this.joiner.push(fragment);
    } catch (error) {
      if (!(error instanceof FragmentError)) throw error;
      this.finish(error.message);
      this.disconnect(error.message);
      return;
    }
    if (message) this.deliver(message);
  }

  /** Hands one whole message to the listeners. */
  protected deliver(message: Uint8Array): void {
    for (const listener of [...this.messageListeners]) listener(message);
  }

  /** Marks the link closed with `reason` and tells the close listeners, once. */
  protected finish(reason: string): void {
    if (this.closedWith !== null) return;
    this.closedWith = reason;
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
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
}
