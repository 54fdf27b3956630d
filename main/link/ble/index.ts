import { createRequire } from 'node:module';

import type { Logger } from 'pino';

import type { BluetoothState } from '../../../contract/station';
import type { LinkChannel } from '../../../protocol/link/channel';
import { parseRadioAddress } from '../../../protocol/radio/air-socket';
import { NobleBluetooth, type NobleCentral } from './noble-bluetooth';
import { type Bluetooth, BluetoothError } from './types';
import { VirtualRadioBindings } from './virtual-bindings';

export { CentralChannel } from './central-channel';
export { describeNobleState, NobleBluetooth, toAdvertisement } from './noble-bluetooth';
export type { Advertisement, Bluetooth, BluetoothErrorCode } from './types';
export { BluetoothError } from './types';
export { VirtualRadioBindings } from './virtual-bindings';

/** Where the station's Bluetooth comes from. */
export interface OpenBluetoothOptions {
  /**
   * Address of a virtual radio (`127.0.0.1:41234`, a socket path, or several
   * comma-separated); without it real noble is loaded.
   */
  virtualRadio?: string;
  /** How long to wait for the adapter to report its state, ms; default 3000. */
  stateTimeoutMs?: number;
  /** How long one connection with discovery may take, ms; default 10000. */
  connectTimeoutMs?: number;
  /** Wait between attempts to reach a virtual radio that is not up, ms; default 1000. */
  radioRetryMs?: number;
  /** Where state changes and links are logged (`ble: ...`); silent without one. */
  logger?: Logger;
}

const require = createRequire(import.meta.url);

/**
 * Opens Bluetooth. With `virtualRadio`, noble runs on bindings that reach the virtual
 * radio. Without it, real noble is loaded here, lazily: on a machine without an adapter
 * that fails, and the result is a Bluetooth whose state is `unavailable` with the reason,
 * so the station carries on with serial alone. Never throws for a missing adapter.
 */
export async function openBluetooth(options: OpenBluetoothOptions = {}): Promise<Bluetooth> {
  if (options.virtualRadio !== undefined) return openVirtual(options.virtualRadio, options);

  let noble: NobleCentral;
  try {
    noble = require('@abandonware/noble') as NobleCentral;
  } catch (error) {
    options.logger?.warn(`ble: unavailable: ${reasonOf(error)}`);
    return new UnavailableBluetooth(`Bluetooth unavailable: ${reasonOf(error)}`);
  }
  // noble prints its warnings to the console unless someone else listens.
  noble.on('warning', (message: string) => options.logger?.debug(`ble: noble: ${message}`));

  const bluetooth = new NobleBluetooth(noble, {
    kind: 'adapter',
    connectTimeoutMs: options.connectTimeoutMs,
    logger: options.logger,
  });
  try {
    await settled(noble, options.stateTimeoutMs ?? 3000);
  } catch (error) {
    return new UnavailableBluetooth(`Bluetooth unavailable: ${reasonOf(error)}`);
  }
  return bluetooth;
}

async function openVirtual(list: string, options: OpenBluetoothOptions): Promise<Bluetooth> {
  let radios;
  try {
    radios = list.split(',').map(parseRadioAddress);
  } catch (error) {
    return new UnavailableBluetooth(`Bluetooth unavailable: ${reasonOf(error)}`);
  }

  const bindings = new VirtualRadioBindings({ radios, retryMs: options.radioRetryMs });
  const withBindings = require('@abandonware/noble/with-bindings') as (
    bindings: unknown,
  ) => NobleCentral;
  const noble = withBindings(bindings);
  noble.on('warning', (message: string) => options.logger?.debug(`ble: noble: ${message}`));
  const bluetooth = new NobleBluetooth(noble, {
    kind: 'virtual',
    connectTimeoutMs: options.connectTimeoutMs,
    release: () => bindings.close(),
    logger: options.logger,
  });
  await settled(noble, options.stateTimeoutMs ?? 3000);
  return bluetooth;
}

/** Resolves once noble left the `unknown` state; reading `state` starts its bindings. */
function settled(noble: NobleCentral, timeoutMs: number): Promise<void> {
  if (noble.state !== 'unknown') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    function done(): void {
      clearTimeout(timer);
      noble.removeListener('stateChange', done);
      resolve();
    }
    noble.on('stateChange', done);
  });
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EAFNOSUPPORT') return 'no Bluetooth adapter on this machine (EAFNOSUPPORT)';
  return error.message;
}

/** Bluetooth on a machine that has none: it says why, scans nothing, connects nowhere. */
class UnavailableBluetooth implements Bluetooth {
  private readonly current: BluetoothState;

  constructor(reason: string) {
    this.current = { state: 'unavailable', reason };
  }

  state(): BluetoothState {
    return this.current;
  }

  onStateChange(): () => void {
    return () => undefined;
  }

  onAdvertisement(): () => void {
    return () => undefined;
  }

  async startScanning(): Promise<void> {}

  async stopScanning(): Promise<void> {}

  async connect(): Promise<LinkChannel> {
    throw new BluetoothError('BLUETOOTH_UNAVAILABLE', this.current.reason ?? 'no Bluetooth');
  }

  async close(): Promise<void> {}
}
