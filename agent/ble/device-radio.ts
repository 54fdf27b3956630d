import { createHash } from 'node:crypto';

import type { LinkChannel } from '../../protocol/link/channel';
import { advertisedName, encodeManufacturerData } from '../../protocol/radio/advertising';
import { BOTA_SERVICE_UUID, CONTROL_CHARACTERISTIC_UUID } from '../../protocol/radio/gatt';
import type { VirtualDevice } from '../device/device';
import { type AgentLogger, silentLogger } from '../log';
import type { PeripheralLink } from './connection';
import { VirtualPeripheral } from './peripheral';
import { peripheralChannel } from './peripheral-channel';
import type { RadioHost } from './radio-host';

/** What a device-side link session looks like from here: something that can be closed. */
export interface LinkService {
  /** Stops serving the channel. */
  close(): void;
}

/** Starts serving the link protocol for `device` on `channel` (agent/link/serve.ts). */
export type ServeLink<D> = (device: D, channel: LinkChannel) => LinkService;

/** The part of a device its radio needs; VirtualDevice has it. */
export type RadioDevice = Pick<VirtualDevice, 'model' | 'serial' | 'on' | 'off'>;

/** How a device goes on the air. */
export interface DeviceRadioOptions<D> {
  /** Serves each connection's channel once the central enables control notifications. */
  serve: ServeLink<D>;
  /** Typical RSSI a central hears, dBm. */
  rssi?: number;
  /** Where connection changes are logged. */
  logger?: AgentLogger;
}

/** A device on the air. */
export interface DeviceRadio {
  /** Its peripheral. */
  readonly peripheral: VirtualPeripheral;
  /** Takes it off the air. */
  close(): void;
}

/** The static random address a device with this serial always advertises with. */
export function bleAddressFor(serial: string): string {
  const bytes = createHash('sha256').update(`bota-ble:${serial}`).digest().subarray(0, 6);
  bytes[0] = (bytes[0] ?? 0) | 0xc0; // the two top bits mark a static random address
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/**
 * Puts a device on the radio: it advertises its model and serial, serves one central at a
 * time, and hands each connection's channel to `serve` once the central subscribed to the
 * control characteristic (before that, nothing the device says could reach the central).
 * While the device reboots it drops the connection and goes silent, then advertises again.
 */
export function advertiseDevice<D extends RadioDevice>(
  host: RadioHost,
  device: D,
  options: DeviceRadioOptions<D>,
): DeviceRadio {
  const peripheral = new VirtualPeripheral({
    address: bleAddressFor(device.serial),
    name: advertisedName(device.serial),
    serviceUuids: [BOTA_SERVICE_UUID],
    manufacturerData: encodeManufacturerData(device),
    rssi: options.rssi,
  });

  const stopServing = peripheral.onConnection((link) => serveWhenSubscribed(link, device, options));
  const stopFollowing = followReboots(device, peripheral, options.logger ?? silentLogger);
  host.add(peripheral);

  return {
    peripheral,
    close: () => {
      stopServing();
      stopFollowing();
      host.remove(peripheral);
    },
  };
}

/** Drops the link and goes silent while the device reboots; returns an unsubscribe. */
function followReboots(
  device: RadioDevice,
  peripheral: VirtualPeripheral,
  log: AgentLogger,
): () => void {
  const onRebooting = (): void => {
    log.info(`ble: (${device.serial}) rebooting: link dropped, advertising paused`);
    peripheral.setAdvertising(false);
    peripheral.disconnect('the device is rebooting');
  };
  const onRebooted = (): void => {
    log.info(`ble: (${device.serial}) back: advertising`);
    peripheral.setAdvertising(true);
  };

  device.on('rebooting', onRebooting);
  device.on('rebooted', onRebooted);
  return () => {
    device.off('rebooting', onRebooting);
    device.off('rebooted', onRebooted);
  };
}

function serveWhenSubscribed<D>(
  link: PeripheralLink,
  device: D,
  options: DeviceRadioOptions<D>,
): void {
  let service: LinkService | null = null;

  link.onSubscribe((characteristic, on) => {
    if (characteristic !== CONTROL_CHARACTERISTIC_UUID || !on || service) return;
    service = options.serve(device, peripheralChannel(link));
  });
  link.onClose(() => {
    service?.close();
    service = null;
  });
}
