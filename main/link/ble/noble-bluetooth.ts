import type { EventEmitter } from 'node:events';

import type { Characteristic, Peripheral } from '@abandonware/noble';
import type { Logger } from 'pino';

import type { BluetoothState } from '../../../contract/station';
import type { LinkChannel } from '../../../protocol/link/channel';
import { decodeManufacturerData } from '../../../protocol/radio/advertising';
import {
  BOTA_SERVICE_UUID,
  CONTROL_CHARACTERISTIC_UUID,
  DATA_CHARACTERISTIC_UUID,
} from '../../../protocol/radio/gatt';
import { CentralChannel } from './central-channel';
import { type Advertisement, type Bluetooth, BluetoothError } from './types';

/** The part of a noble instance the station uses. */
export interface NobleCentral extends EventEmitter {
  /** Adapter state; reading it first starts the bindings. */
  readonly state: string;
  /** Starts scanning. */
  startScanningAsync(serviceUuids: string[], allowDuplicates: boolean): Promise<void>;
  /** Stops scanning. */
  stopScanningAsync(): Promise<void>;
}

/** How a noble-backed Bluetooth behaves. */
export interface NobleBluetoothOptions {
  /** `virtual` for the virtual radio, `adapter` for a real one. */
  kind: 'virtual' | 'adapter';
  /** How long a connection, with discovery, may take before TIMEOUT; default 10 s. */
  connectTimeoutMs?: number;
  /** Lets go of what the bindings hold, on close. */
  release?: () => void;
  /** Where state changes and links are logged; silent without one. */
  logger?: Logger;
}

/**
 * The station's Bluetooth over noble: the same code drives a real adapter and the virtual
 * radio; only the bindings under noble differ.
 */
export class NobleBluetooth implements Bluetooth {
  private readonly peripherals = new Map<string, Peripheral>();
  private readonly channels = new Set<CentralChannel>();
  private readonly adListeners = new Set<(ad: Advertisement) => void>();
  private readonly stateListeners = new Set<(state: BluetoothState) => void>();

  constructor(
    private readonly noble: NobleCentral,
    private readonly options: NobleBluetoothOptions,
  ) {
    noble.on('discover', (peripheral: Peripheral) => this.discover(peripheral));
    noble.on('stateChange', () => {
      const state = this.state();
      options.logger?.info(`ble: ${state.state}${state.reason ? ` (${state.reason})` : ''}`);
      for (const listener of [...this.stateListeners]) listener(state);
    });
  }

  state(): BluetoothState {
    return describeNobleState(this.noble.state, this.options.kind);
  }

  onStateChange(listener: (state: BluetoothState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onAdvertisement(listener: (ad: Advertisement) => void): () => void {
    this.adListeners.add(listener);
    return () => this.adListeners.delete(listener);
  }

  async startScanning(): Promise<void> {
    if (this.noble.state !== 'poweredOn') return;
    // Duplicates are wanted: each advertisement carries a fresh RSSI.
    await this.noble.startScanningAsync([BOTA_SERVICE_UUID], true);
  }

  async stopScanning(): Promise<void> {
    if (this.noble.state !== 'poweredOn') return;
    await this.noble.stopScanningAsync();
  }

  async connect(address: string): Promise<LinkChannel> {
    const peripheral = this.peripherals.get(address.toLowerCase());
    if (!peripheral) {
      const message = `no Bota device ${address} has been heard; scan and try again`;
      throw new BluetoothError('DEVICE_NOT_FOUND', message);
    }

    await this.step(peripheral.connectAsync(), peripheral, 'connect').catch((error: unknown) => {
      throw asConnectFailure(error, address);
    });
    try {
      const channel = await this.openChannel(peripheral);
      this.track(channel, address);
      return channel;
    } catch (error) {
      peripheral.disconnect();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.stopScanning().catch(() => undefined);
    await Promise.all([...this.channels].map((channel) => channel.close()));
    this.noble.removeAllListeners('discover');
    this.options.release?.();
  }

  private track(channel: CentralChannel, address: string): void {
    const log = this.options.logger;
    log?.info(`ble: (${address}) connected, ${channel.maxMessageBytes}-byte messages`);
    this.channels.add(channel);
    channel.onClose((reason) => {
      this.channels.delete(channel);
      log?.info(`ble: (${address}) link closed: ${reason}`);
    });
  }

  private async openChannel(peripheral: Peripheral): Promise<CentralChannel> {
    const found = await this.step(
      peripheral.discoverSomeServicesAndCharacteristicsAsync(
        [BOTA_SERVICE_UUID],
        [CONTROL_CHARACTERISTIC_UUID, DATA_CHARACTERISTIC_UUID],
      ),
      peripheral,
      'service discovery',
    ).catch((error: unknown) => {
      if (error instanceof BluetoothError) throw error;
      // noble rejects with a bare string when a requested service is missing.
      const message = `${peripheral.address} does not serve the Bota link service: ${error}`;
      throw new BluetoothError('SERVICE_NOT_FOUND', message);
    });
    const control = find(found.characteristics, CONTROL_CHARACTERISTIC_UUID);
    const data = find(found.characteristics, DATA_CHARACTERISTIC_UUID);
    if (!control || !data) {
      const message = `${peripheral.address} does not serve the Bota link service`;
      throw new BluetoothError('SERVICE_NOT_FOUND', message);
    }

    // Listening starts before notifications are on; the device speaks first once control
    // notifications are enabled, so those are enabled last.
    const channel = new CentralChannel(peripheral, { control, data });
    await this.step(data.subscribeAsync(), peripheral, 'subscribe to data');
    await this.step(control.subscribeAsync(), peripheral, 'subscribe to control');
    return channel;
  }

  /** Waits for one noble step, failing if the link drops or it takes too long. */
  private step<T>(work: Promise<T>, peripheral: Peripheral, what: string): Promise<T> {
    const limitMs = this.options.connectTimeoutMs ?? 10_000;
    let onDisconnect: (reason: unknown) => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;

    const failure = new Promise<never>((_, reject) => {
      onDisconnect = (reason) => {
        const message = `link dropped during ${what}: ${String(reason ?? 'no reason')}`;
        reject(new BluetoothError('CONNECT_FAILED', message));
      };
      peripheral.once('disconnect', onDisconnect);
      timer = setTimeout(() => {
        const message = `${what} with ${peripheral.address} took over ${limitMs} ms`;
        reject(new BluetoothError('TIMEOUT', message));
      }, limitMs);
    });

    return Promise.race([work, failure]).finally(() => {
      clearTimeout(timer);
      peripheral.removeListener('disconnect', onDisconnect);
    });
  }

  private discover(peripheral: Peripheral): void {
    const ad = toAdvertisement(peripheral);
    if (!ad) return;
    this.peripherals.set(ad.address, peripheral);
    for (const listener of [...this.adListeners]) listener(ad);
  }
}

/** Turns noble's adapter state into the station's. */
export function describeNobleState(
  state: string,
  kind: NobleBluetoothOptions['kind'],
): BluetoothState {
  switch (state) {
    case 'poweredOn':
      return { state: kind === 'virtual' ? 'virtual' : 'ready', reason: null };
    case 'poweredOff':
      return { state: 'powered-off', reason: 'Bluetooth is switched off: turn it on' };
    case 'unauthorized':
      return { state: 'unavailable', reason: 'Bluetooth unavailable: permission denied' };
    case 'unsupported':
      return { state: 'unavailable', reason: 'Bluetooth unavailable: adapter lacks LE support' };
    default:
      return { state: 'unavailable', reason: `Bluetooth unavailable: adapter is ${state}` };
  }
}

/** A Bota advertisement from a noble peripheral, or null for anything else. */
export function toAdvertisement(peripheral: Peripheral): Advertisement | null {
  const advertised = peripheral.advertisement;
  const identity = decodeManufacturerData(advertised.manufacturerData);
  const listsService = (advertised.serviceUuids ?? []).includes(BOTA_SERVICE_UUID);
  if (!listsService && !identity) return null;

  // macOS hides addresses; noble's id stands in for it there.
  const known = peripheral.address && peripheral.address !== 'unknown';
  return {
    address: (known ? peripheral.address : peripheral.id).toLowerCase(),
    name: advertised.localName ?? '',
    rssi: peripheral.rssi,
    model: identity?.model ?? null,
    serial: identity?.serial ?? null,
  };
}

function find(characteristics: Characteristic[], uuid: string): Characteristic | undefined {
  return characteristics.find((characteristic) => characteristic.uuid === uuid);
}

function asConnectFailure(error: unknown, address: string): Error {
  if (error instanceof BluetoothError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new BluetoothError('CONNECT_FAILED', `could not connect to ${address}: ${why}`);
}
