import type { LinkChannel } from '../../protocol/link/channel';
import { Fragmenter, FragmentError, FragmentJoiner } from '../../protocol/radio/fragment';
import { CONTROL_CHARACTERISTIC_UUID, DATA_CHARACTERISTIC_UUID } from '../../protocol/radio/gatt';
import { LinkClosedError } from '../../protocol/radio/link-closed';
import { ATT_HEADER_BYTES } from '../../protocol/radio/link-model';
import type { PeripheralLink } from './connection';

/**
 * The device's end of a Bluetooth link as a LinkChannel: control messages go out as
 * fragmented notifications on the control characteristic and come in as writes to it; data
 * messages go out as notifications on the data characteristic and come in as writes without
 * response. Sends leave in the order they were made, whichever characteristic they use.
 */
export function peripheralChannel(link: PeripheralLink): LinkChannel {
  return new PeripheralChannel(link);
}

class PeripheralChannel implements LinkChannel {
  readonly kind = 'ble' as const;
  readonly maxMessageBytes: number;
  private readonly fragmenter: Fragmenter;
  private readonly joiner = new FragmentJoiner();
  private readonly messageListeners = new Set<(message: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private queue: Promise<void> = Promise.resolve();
  private closedWith: string | null = null;

  constructor(private readonly link: PeripheralLink) {
    this.maxMessageBytes = link.mtu - ATT_HEADER_BYTES;
    this.fragmenter = new Fragmenter(this.maxMessageBytes);
    link.onWrite((characteristic, value) => this.receive(characteristic, value));
    link.onClose((reason) => this.finish(reason));
  }

  send(message: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      for (const fragment of this.fragmenter.split(message)) {
        await this.link.notify(CONTROL_CHARACTERISTIC_UUID, fragment);
      }
    });
  }

  sendData(message: Uint8Array): Promise<void> {
    if (message.length > this.maxMessageBytes) {
      const limit = this.maxMessageBytes;
      return Promise.reject(new RangeError(`data message of ${message.length} bytes > ${limit}`));
    }
    return this.enqueue(() => this.link.notify(DATA_CHARACTERISTIC_UUID, message));
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
    const closed = new Promise<void>((resolve) => this.link.onClose(() => resolve()));
    this.link.disconnect('the device closed the link');
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

  private receive(characteristic: string, value: Uint8Array): void {
    // A plain Uint8Array view, as every LinkChannel hands out, not the socket's Buffer.
    if (characteristic === DATA_CHARACTERISTIC_UUID) {
      return this.deliver(new Uint8Array(value.buffer, value.byteOffset, value.length));
    }
    if (characteristic !== CONTROL_CHARACTERISTIC_UUID) return;

    let message: Uint8Array | null;
    try {
      message = this.joiner.push(value);
    } catch (error) {
      if (!(error instanceof FragmentError)) throw error;
      this.link.disconnect(error.message);
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
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
  }
}
