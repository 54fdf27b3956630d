import type { LinkChannel } from '../../protocol/link/channel';
import { CONTROL_CHARACTERISTIC_UUID, DATA_CHARACTERISTIC_UUID } from '../../protocol/radio/gatt';
import { GattChannel } from '../../protocol/radio/gatt-channel';
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

class PeripheralChannel extends GattChannel {
  constructor(private readonly link: PeripheralLink) {
    super(link.mtu);
    link.onWrite((characteristic, value) => this.receive(characteristic, value));
    link.onClose((reason) => this.finish(reason));
  }

  protected writeControl(fragment: Uint8Array): Promise<void> {
    return this.link.notify(CONTROL_CHARACTERISTIC_UUID, fragment);
  }

  protected writeData(message: Uint8Array): Promise<void> {
    return this.link.notify(DATA_CHARACTERISTIC_UUID, message);
  }

  protected disconnect(reason = 'the device closed the link'): void {
    this.link.disconnect(reason);
  }

  private receive(characteristic: string, value: Uint8Array): void {
    // A plain Uint8Array view, as every LinkChannel hands out, not the socket's Buffer.
    const view = new Uint8Array(value.buffer, value.byteOffset, value.length);
    if (characteristic === DATA_CHARACTERISTIC_UUID) this.deliver(view);
    else if (characteristic === CONTROL_CHARACTERISTIC_UUID) this.receiveControl(view);
  }
}
