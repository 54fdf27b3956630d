import type { ConnectedDevice, LinkKind } from '../../contract/station';
import type { EventHub } from './events';
import type { DeviceSession } from './ports';

/** What the core keeps about one device besides what the window sees. */
export interface DeviceEntry {
  /** The public view, mutated in place and copied out on every read. */
  device: ConnectedDevice;
  /** The open link session, or null. */
  session: DeviceSession | null;
  /** The connect in progress, so two callers share it. */
  connecting: Promise<unknown> | null;
  /** Set when a person disconnected it: auto-connect leaves it alone until connected again. */
  held: boolean;
  /** Still listed by the serial watcher; for Bluetooth, advertising recently. */
  present: boolean;
  /** When the link was lost or the device last advertised, for the grace time. */
  lastSeenAt: number;
  /** When a Bluetooth device last advertised (ms since the epoch). */
  advertisedAt: number;
  /** When its link last dropped on its own (ms since the epoch). */
  lostAt: number;
  /** Failed auto-connect attempts since it last connected. */
  connectFailures: number;
  /** Unsubscribes the session's listeners. */
  detach: (() => void)[];
}

/**
 * The devices on the station's links, keyed `serial:<path>` / `ble:<address>`. Every change
 * goes out as a `device` event carrying a copy, so listeners never hold live state.
 */
export class DeviceRegistry {
  private readonly entries = new Map<string, DeviceEntry>();

  constructor(private readonly events: EventHub) {}

  /** The entry for `key`, if listed. */
  get(key: string): DeviceEntry | undefined {
    return this.entries.get(key);
  }

  /** Every entry. */
  all(): DeviceEntry[] {
    return [...this.entries.values()];
  }

  /** Lists a newly discovered device, or returns the one already listed. */
  add(link: LinkKind, address: string, name: string, signal: number | null): DeviceEntry {
    const key = `${link}:${address}`;
    const existing = this.entries.get(key);
    if (existing) return existing;

    const entry = newEntry(key, link, address, name, signal);
    this.entries.set(key, entry);
    this.changed(entry);
    return entry;
  }

  /** Applies `patch` to the public view and announces it. */
  update(entry: DeviceEntry, patch: Partial<ConnectedDevice>): void {
    Object.assign(entry.device, patch);
    this.changed(entry);
  }

  /** Announces a change made in place. */
  changed(entry: DeviceEntry): void {
    this.events.emit({ type: 'device', device: snapshot(entry) });
  }

  /** Unlists a device. */
  remove(key: string): void {
    if (!this.entries.delete(key)) return;
    this.events.emit({ type: 'device-removed', key });
  }
}

function newEntry(
  key: string,
  link: LinkKind,
  address: string,
  name: string,
  signal: number | null,
): DeviceEntry {
  const now = Date.now();
  return {
    device: {
      key,
      link,
      address,
      name,
      status: 'discovered',
      signal,
      identity: null,
      update: null,
      availableUpdate: null,
      pendingAssignment: null,
    },
    session: null,
    connecting: null,
    held: false,
    present: true,
    lastSeenAt: now,
    advertisedAt: link === 'ble' ? now : 0,
    lostAt: 0,
    connectFailures: 0,
    detach: [],
  };
}

/** A deep copy of the public view, safe to hand out. */
export function snapshot(entry: DeviceEntry): ConnectedDevice {
  return structuredClone(entry.device);
}
