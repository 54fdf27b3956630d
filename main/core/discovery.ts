import type { BluetoothState } from '../../contract/station';
import type { EventHub } from './events';
import type { LinkManager } from './links';
import type { StationLog } from './log';
import type { Advertisement, BluetoothPort, SerialPorts } from './ports';
import type { DeviceRegistry } from './registry';

/** Signal changes smaller than this (dBm) are not worth a device event. */
const SIGNAL_STEP_DBM = 3;

/** What discovery feeds. */
export interface DiscoveryTargets {
  /** Where found devices are listed. */
  registry: DeviceRegistry;
  /** Connects them when auto-connect is on. */
  links: LinkManager;
  /** Where Bluetooth state changes are announced. */
  events: EventHub;
  /** The station log. */
  log: StationLog;
}

/** Lists serial ports as they appear and go; returns the function that stops watching. */
export function watchSerial(
  serial: SerialPorts,
  patterns: string[],
  targets: DiscoveryTargets,
): Promise<() => Promise<void>> {
  const { registry, links, log } = targets;

  const onAdd = (path: string, name: string) => {
    const known = registry.get(`serial:${path}`);
    const entry = known ?? registry.add('serial', path, name, null);
    entry.present = true;
    entry.lastSeenAt = Date.now();
    if (!known) log.info('serial', `port ${path} appeared`);
    links.autoConnect(entry);
  };
  const onRemove = (path: string) => {
    log.info('serial', `port ${path} went away`);
    links.portGone(path);
  };
  return serial.watch(patterns, onAdd, onRemove);
}

/**
 * Lists Bota devices heard over Bluetooth and keeps the Bluetooth state current. Scanning
 * starts whenever the adapter (or virtual radio) is usable; an unusable one is reported
 * once per change, and serial carries on regardless.
 */
export function watchBluetooth(bluetooth: BluetoothPort, targets: DiscoveryTargets): () => void {
  let last = '';
  const onState = (state: BluetoothState) => {
    const now = `${state.state}/${state.reason ?? ''}`;
    if (now === last) return; // one line and one event per real change
    last = now;

    targets.events.emit({ type: 'bluetooth', bluetooth: state });
    logState(state, targets.log);
    if (state.state === 'ready' || state.state === 'virtual') {
      bluetooth.startScanning().catch((error: unknown) => {
        targets.log.warn('ble', `cannot start scanning: ${String(error)}`);
      });
    }
  };

  const stops = [
    bluetooth.onStateChange(onState),
    bluetooth.onAdvertisement((ad) => heard(ad, targets)),
  ];
  onState(bluetooth.state());
  return () => stops.forEach((stop) => stop());
}

function heard(ad: Advertisement, targets: DiscoveryTargets): void {
  if (!ad.model) return; // not a Bota device

  const { registry, links } = targets;
  const known = registry.get(`ble:${ad.address}`);
  const entry = known ?? registry.add('ble', ad.address, ad.name, ad.rssi);
  entry.present = true;
  entry.lastSeenAt = Date.now();
  entry.advertisedAt = entry.lastSeenAt;

  const signal = entry.device.signal;
  if (signal === null || Math.abs(signal - ad.rssi) >= SIGNAL_STEP_DBM) {
    registry.update(entry, { signal: ad.rssi });
  }
  if (!known) targets.log.info('ble', `heard ${ad.name} (${ad.serial ?? ad.address})`);
  links.autoConnect(entry);
}

function logState(state: BluetoothState, log: StationLog): void {
  if (state.state === 'unavailable' || state.state === 'powered-off') {
    const reason = state.reason ?? `Bluetooth ${state.state}`;
    log.warn('ble', reason);
    return;
  }
  log.info('ble', state.state === 'virtual' ? 'using the virtual radio' : 'Bluetooth ready');
}
