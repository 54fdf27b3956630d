import type { Characteristic, Peripheral } from '@abandonware/noble';

import { GattChannel } from '../../../protocol/radio/gatt-channel';
import { LinkClosedError } from '../../../protocol/radio/link-closed';
import { ATT_DEFAULT_MTU } from '../../../protocol/radio/link-model';

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
export class CentralChannel extends GattChannel {
  private readonly lost: Promise<never>;
  private rejectLost: (error: Error) => void = () => undefined;

  constructor(
    private readonly peripheral: Peripheral,
    private readonly characteristics: LinkCharacteristics,
  ) {
    super(peripheral.mtu ?? ATT_DEFAULT_MTU);
    this.lost = new Promise<never>((_, reject) => (this.rejectLost = reject));
    this.lost.catch(() => undefined);

    characteristics.control.on('data', (value: Buffer, notified: boolean) => {
      if (notified) this.receiveControl(Uint8Array.from(value));
    });
    characteristics.data.on('data', (value: Buffer, notified: boolean) => {
      if (notified) this.deliver(Uint8Array.from(value));
    });
    peripheral.once('disconnect', (reason: unknown) => this.finish(describe(reason)));
  }

  protected writeControl(fragment: Uint8Array): Promise<void> {
    return this.write(this.characteristics.control, fragment, false);
  }

  protected writeData(message: Uint8Array): Promise<void> {
    return this.write(this.characteristics.data, message, true);
  }

  protected disconnect(): void {
    this.peripheral.disconnect();
  }

  /** Also fails the write in flight and lets go of noble's characteristic events. */
  protected override finish(reason: string): void {
    if (!this.open) return;
    this.rejectLost(new LinkClosedError(reason));
    this.characteristics.control.removeAllListeners('data');
    this.characteristics.data.removeAllListeners('data');
    super.finish(reason);
  }

  private write(target: Characteristic, value: Uint8Array, withoutResponse: boolean) {
    const written = target.writeAsync(Buffer.from(value), withoutResponse);
    return Promise.race([written, this.lost]);
  }
}

/** Noble reports a disconnect reason as a string, an HCI code or nothing. */
function describe(reason: unknown): string {
  if (typeof reason === 'string' && reason.length > 0) return reason;
  if (typeof reason === 'number') return `link lost (HCI reason 0x${reason.toString(16)})`;
  return 'link lost';
}
