import type { BluetoothState } from '../../../contract/station';
import type { LinkChannel } from '../../../protocol/link/channel';
import type { DeviceModel } from '../../../protocol/models';

/** A Bota device heard advertising. */
export interface Advertisement {
  /** Its Bluetooth address (noble's peripheral id where the platform hides addresses). */
  address: string;
  /** The name it advertises (`Bota PIN-00042`). */
  name: string;
  /** Received signal strength, dBm. */
  rssi: number;
  /** Its model, from the manufacturer data; null when that does not parse. */
  model: DeviceModel | null;
  /** Its serial, from the manufacturer data; null when that does not parse. */
  serial: string | null;
}

/** Bluetooth LE as the station uses it: find Bota devices and open link channels to them. */
export interface Bluetooth {
  /** Whether Bluetooth can be used, and why not. */
  state(): BluetoothState;
  /** Calls `listener` on each state change; returns an unsubscribe function. */
  onStateChange(listener: (state: BluetoothState) => void): () => void;
  /** Calls `listener` with each Bota advertisement heard; returns an unsubscribe function. */
  onAdvertisement(listener: (ad: Advertisement) => void): () => void;
  /** Starts listening for Bota devices; does nothing when Bluetooth is unavailable. */
  startScanning(): Promise<void>;
  /** Stops listening. */
  stopScanning(): Promise<void>;
  /** Connects to a device heard advertising and opens its link channel. */
  connect(address: string): Promise<LinkChannel>;
  /** Drops every connection and lets go of the adapter or radio. */
  close(): Promise<void>;
}

/** Stable codes of the ways opening a Bluetooth link can fail. */
export type BluetoothErrorCode =
  'BLUETOOTH_UNAVAILABLE' | 'DEVICE_NOT_FOUND' | 'CONNECT_FAILED' | 'SERVICE_NOT_FOUND' | 'TIMEOUT';

/** An expected failure to reach a device over Bluetooth. */
export class BluetoothError extends Error {
  constructor(
    /** Stable code. */
    readonly code: BluetoothErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BluetoothError';
  }
}
