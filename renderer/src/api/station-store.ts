import type { BotaApi, EventMessage } from '../../../contract/ipc';
import type {
  BluetoothState,
  ConnectedDevice,
  Failure,
  LogLine,
  UpdateJob,
} from '../../../contract/station';

/**
 * The window's live picture of the station: devices on its links, Bluetooth, the recent
 * log. Loaded once, then kept current by pushed events; React reads it through
 * useSyncExternalStore, so every screen sees the same snapshot.
 */

/** Log lines kept for the panel. */
const LOG_LIMIT = 400;

/** One immutable snapshot of the station. */
export interface StationSnapshot {
  /** Devices by key, in the order they appeared. */
  devices: ConnectedDevice[];
  /** Bluetooth's state; null until loaded. */
  bluetooth: BluetoothState | null;
  /** Recent log lines, oldest first. */
  log: LogLine[];
  /** Why the first load failed, if it did. */
  loadFailure: Failure | null;
  /** True once the first load finished. */
  loaded: boolean;
}

/** Holds the snapshot and tells React when it changes. */
export class StationStore {
  private snapshot: StationSnapshot = {
    devices: [],
    bluetooth: null,
    log: [],
    loadFailure: null,
    loaded: false,
  };
  private readonly listeners = new Set<() => void>();
  /** Events that arrive while a load is in flight; replayed over its (older) answer. */
  private pending: EventMessage[] | null = null;

  constructor(private readonly api: BotaApi) {
    // Load once the event stream is open (and again after each reconnect), so nothing
    // that changes between the load and the stream is lost.
    api.subscribe(
      (message) => this.apply(message),
      () => void this.load(),
    );
  }

  /** For useSyncExternalStore. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** For useSyncExternalStore. */
  getSnapshot = (): StationSnapshot => this.snapshot;

  /** Reloads everything, e.g. after the event stream reconnects. */
  async load(): Promise<void> {
    this.pending = [];
    const [devices, bluetooth, log] = await Promise.all([
      this.api.call('device:list', {}),
      this.api.call('bluetooth:state', {}),
      this.api.call('log:recent', {}),
    ]);
    const arrived = this.pending;
    this.pending = null;

    const failed = [devices, bluetooth, log].find((result) => !result.ok);
    this.set({
      devices: devices.ok ? devices.value : this.snapshot.devices,
      bluetooth: bluetooth.ok ? bluetooth.value : this.snapshot.bluetooth,
      log: log.ok ? log.value.slice(-LOG_LIMIT) : this.snapshot.log,
      loadFailure: failed && !failed.ok ? failed.error : null,
      loaded: true,
    });
    // The answers were read before these events happened: apply them on top again.
    arrived.forEach((message) => this.apply(message));
  }

  /** Folds one pushed event into the snapshot (and keeps it while a load is running). */
  private apply(message: EventMessage): void {
    this.pending?.push(message);
    switch (message.channel) {
      case 'device:changed':
        return this.set({ devices: upsert(this.snapshot.devices, message.payload) });
      case 'device:removed':
        return this.set({
          devices: this.snapshot.devices.filter((d) => d.key !== message.payload.key),
        });
      case 'update:changed':
        return this.set({ devices: withJob(this.snapshot.devices, message.payload) });
      case 'bluetooth:changed':
        return this.set({ bluetooth: message.payload });
      case 'log:line':
        if (this.snapshot.log.some((line) => sameLine(line, message.payload))) return;
        return this.set({ log: [...this.snapshot.log, message.payload].slice(-LOG_LIMIT) });
    }
  }

  private set(change: Partial<StationSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    this.listeners.forEach((listener) => listener());
  }
}

function upsert(devices: ConnectedDevice[], device: ConnectedDevice): ConnectedDevice[] {
  const at = devices.findIndex((d) => d.key === device.key);
  if (at < 0) return [...devices, device];
  return devices.map((d, i) => (i === at ? device : d));
}

/** A job event may arrive before the device event that carries it: attach it directly. */
function withJob(devices: ConnectedDevice[], job: UpdateJob): ConnectedDevice[] {
  return devices.map((d) => (d.key === job.deviceKey ? { ...d, update: job } : d));
}

/** A replayed line the loaded log already holds is not shown twice. */
function sameLine(a: LogLine, b: LogLine): boolean {
  return a.at === b.at && a.scope === b.scope && a.message === b.message;
}
