import type { AirAdvertisement } from '../../protocol/radio/air';
import { BOTA_GATT, type GattServiceInfo } from '../../protocol/radio/gatt';
import type { PeripheralLink } from './connection';

/** How a virtual peripheral presents itself on the air. */
export interface VirtualPeripheralOptions {
  /** Its Bluetooth address, `xx:xx:xx:xx:xx:xx` lowercase. */
  address: string;
  /** The local name it advertises. */
  name: string;
  /** Service UUIDs it advertises. */
  serviceUuids: string[];
  /** Its manufacturer-specific advertising data. */
  manufacturerData: Uint8Array;
  /** Typical signal strength a central hears, dBm; each advertisement varies by ±3. */
  rssi?: number;
  /** Its GATT database; default the Bota link service. */
  gatt?: readonly GattServiceInfo[];
}

/**
 * One device's radio: it advertises while enabled and not connected, accepts one central at
 * a time and hands each connection to its connection listeners.
 */
export class VirtualPeripheral {
  /** Its GATT database. */
  readonly gatt: readonly GattServiceInfo[];
  private enabled = true;
  private link: PeripheralLink | null = null;
  private connecting = false;
  private readonly connectionListeners = new Set<(link: PeripheralLink) => void>();

  constructor(private readonly options: VirtualPeripheralOptions) {
    this.gatt = options.gatt ?? BOTA_GATT;
  }

  /** Its Bluetooth address. */
  get address(): string {
    return this.options.address;
  }

  /** Its advertised name. */
  get name(): string {
    return this.options.name;
  }

  /** True while a central can find it and connect. */
  get discoverable(): boolean {
    return this.enabled && this.link === null && !this.connecting;
  }

  /** The connection it has now, if any. */
  get connection(): PeripheralLink | null {
    return this.link;
  }

  /** Starts or stops advertising (a rebooting device goes silent). */
  setAdvertising(on: boolean): void {
    this.enabled = on;
  }

  /** Calls `listener` with each new connection; returns an unsubscribe function. */
  onConnection(listener: (link: PeripheralLink) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Ends the current connection, if any, after what it already queued. */
  disconnect(reason: string): void {
    this.link?.disconnect(reason);
  }

  /** One advertisement as a central hears it now. */
  advertisement(): AirAdvertisement {
    const jitter = Math.round(Math.random() * 6) - 3;
    return {
      type: 'advertisement',
      address: this.options.address,
      name: this.options.name,
      serviceUuids: this.options.serviceUuids,
      rssi: (this.options.rssi ?? -55) + jitter,
      connectable: true,
      data: this.options.manufacturerData,
    };
  }

  /** The radio host reserves the peripheral while a connection is being set up. */
  reserve(): void {
    this.connecting = true;
  }

  /** The radio host attaches a new connection; it is released when the connection ends. */
  attach(link: PeripheralLink): void {
    this.connecting = false;
    this.link = link;
    link.onClose(() => {
      if (this.link === link) this.link = null;
    });
    for (const listener of [...this.connectionListeners]) listener(link);
  }

  /** The radio host gives up a reservation whose connection never came about. */
  release(): void {
    this.connecting = false;
  }
}
