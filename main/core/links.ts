import type { ConnectedDevice, DeviceIdentity, Result } from '../../contract/station';
import type { SignedHeartbeat } from '../../protocol/heartbeat';
import type { LinkChannel } from '../../protocol/link/channel';
import { fail, failFrom, ok } from './failures';
import type { StationLog } from './log';
import type { StationTiming } from './options';
import type { DeviceSession, StationDeps } from './ports';
import { type DeviceEntry, type DeviceRegistry, snapshot } from './registry';
import { withTimeout } from './time';

/** What the rest of the core hears from links. */
export interface LinkHooks {
  /** A device identified (on connect, or again after a reboot). */
  identified(entry: DeviceEntry): void;
  /** A heartbeat arrived over a device's link. */
  heartbeat(entry: DeviceEntry, heartbeat: SignedHeartbeat): void;
}

/**
 * Opens, watches and closes device links. A link that drops on its own becomes 'lost'; a
 * serial one is reopened while its port is still there, a Bluetooth one when the device
 * advertises again (auto-connect); either is unlisted after the grace time unless it comes
 * back. A link a person closed stays closed until they connect it again.
 */
export class LinkManager {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closing = false;

  constructor(
    private readonly deps: StationDeps,
    private readonly registry: DeviceRegistry,
    private readonly log: StationLog,
    private readonly timing: StationTiming,
    private readonly autoConnectOn: boolean,
    private readonly hooks: LinkHooks,
  ) {}

  /** Connects a listed device at a person's request and asks it to identify. */
  connect(key: string): Promise<Result<ConnectedDevice>> {
    const entry = this.registry.get(key);
    if (!entry) return Promise.resolve(fail('UNKNOWN_DEVICE'));
    entry.held = false;
    return this.open(entry);
  }

  /** Closes a device's link at a person's request; the device resumes its own heartbeats. */
  async disconnect(key: string): Promise<Result<null>> {
    const entry = this.registry.get(key);
    if (!entry) return fail('UNKNOWN_DEVICE');
    // Dropping the link mid-update would only turn a cancel into a LINK_LOST failure.
    if (jobActive(entry)) return fail('UPDATE_RUNNING');

    entry.held = true;
    entry.lastSeenAt = Date.now(); // listed for the grace time even if it stays silent
    const session = entry.session;
    if (session) {
      this.dropSession(entry, session);
      await session.close().catch(() => undefined);
      this.log.info('link', `(${label(entry)}) disconnected`);
    }
    this.registry.update(entry, { status: 'discovered' });
    return ok(null);
  }

  /** Connects `entry` if auto-connect wants it: on, not held, not linked, tries left. */
  autoConnect(entry: DeviceEntry): void {
    if (!this.autoConnectOn || entry.held || entry.session || entry.connecting) return;
    if (entry.connectFailures >= this.timing.connectAttempts) return;

    void this.open(entry).then((result) => {
      if (result.ok) return;
      entry.connectFailures += 1;
      if (entry.device.link === 'serial') this.later(entry, () => this.autoConnect(entry));
    });
  }

  /** The serial watcher no longer lists `path`. */
  portGone(path: string): void {
    const entry = this.registry.get(`serial:${path}`);
    if (!entry) return;

    entry.present = false;
    if (entry.session) return; // its channel closes by itself and marks it lost
    if (entry.device.status === 'discovered') this.registry.remove(entry.device.key);
  }

  /** Opens `entry`'s link (sharing a connect already under way) and identifies. */
  open(entry: DeviceEntry): Promise<Result<ConnectedDevice>> {
    if (this.closing) return Promise.resolve(fail('NOT_CONNECTED', 'the station is closing'));
    if (entry.session) return Promise.resolve(ok(snapshot(entry)));
    if (!entry.connecting) {
      entry.connecting = this.establish(entry).finally(() => (entry.connecting = null));
    }
    return entry.connecting as Promise<Result<ConnectedDevice>>;
  }

  /** Asks a linked device who it is again and records the answer. */
  async reidentify(entry: DeviceEntry): Promise<DeviceIdentity> {
    const session = entry.session;
    if (!session) throw new Error('reidentify needs an open link');
    const identity = await withTimeout(session.identify(), this.timing.identifyTimeoutMs);
    this.registry.update(entry, { identity });
    this.hooks.identified(entry);
    return identity;
  }

  /** Unlists devices lost (or silent, on Bluetooth) for longer than the grace time. */
  sweep(now = Date.now()): void {
    for (const entry of this.registry.all()) {
      if (entry.session || entry.connecting || jobActive(entry)) continue;
      if (now - entry.lastSeenAt <= this.timing.lostGraceMs) continue;

      const stale = entry.device.status === 'lost' || !entry.present || entry.device.link === 'ble';
      if (!stale) continue;
      this.log.info('link', `(${label(entry)}) removed: not seen for a while`);
      this.registry.remove(entry.device.key);
    }
  }

  /** Closes every link and stops reconnecting. */
  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();

    const sessions = this.registry.all().flatMap((entry) => {
      const session = entry.session;
      if (!session) return [];
      this.dropSession(entry, session);
      return [session.close().catch(() => undefined)];
    });
    await Promise.all(sessions);
  }

  private async establish(entry: DeviceEntry): Promise<Result<ConnectedDevice>> {
    const before = entry.device.status;
    this.registry.update(entry, { status: 'connecting' });

    let session: DeviceSession;
    try {
      session = this.deps.openSession(await this.openChannel(entry), entry.device.key);
    } catch (error) {
      this.registry.update(entry, { status: before === 'lost' ? 'lost' : 'discovered' });
      this.log.debug('link', `(${label(entry)}) cannot open: ${String(error)}`);
      return fail('CONNECT_FAILED', error instanceof Error ? error.message : String(error));
    }

    return this.identifyOn(entry, session, before);
  }

  private async identifyOn(
    entry: DeviceEntry,
    session: DeviceSession,
    before: ConnectedDevice['status'],
  ): Promise<Result<ConnectedDevice>> {
    this.attach(entry, session);
    try {
      const identity = await withTimeout(session.identify(), this.timing.identifyTimeoutMs);
      entry.connectFailures = 0;
      this.registry.update(entry, {
        identity,
        status: jobActive(entry) ? 'updating' : 'connected',
      });
    } catch (error) {
      this.dropSession(entry, session);
      await session.close().catch(() => undefined);
      this.registry.update(entry, { status: before === 'lost' ? 'lost' : 'discovered' });
      this.log.warn('link', `(${label(entry)}) did not identify: ${String(error)}`);
      return failFrom(error, 'TIMEOUT');
    }

    this.log.info('link', `(${label(entry)}) connected: ${describeIdentity(entry)}`);
    this.hooks.identified(entry);
    return ok(snapshot(entry));
  }

  private openChannel(entry: DeviceEntry): Promise<LinkChannel> {
    const { link, address } = entry.device;
    if (link === 'serial') return this.deps.serial.open(address);
    return this.deps.bluetooth.connect(address);
  }

  private attach(entry: DeviceEntry, session: DeviceSession): void {
    entry.session = session;
    entry.detach = [
      session.onClose((reason) => this.closed(entry, session, reason)),
      session.onHeartbeat((heartbeat) => this.hooks.heartbeat(entry, heartbeat)),
      session.onStatus((identity) => this.registry.update(entry, { identity })),
    ];
  }

  private dropSession(entry: DeviceEntry, session: DeviceSession): void {
    if (entry.session !== session) return;
    for (const detach of entry.detach) detach();
    entry.detach = [];
    entry.session = null;
  }

  private closed(entry: DeviceEntry, session: DeviceSession, reason: string): void {
    if (entry.session !== session) return;
    this.dropSession(entry, session);
    entry.lastSeenAt = Date.now();
    entry.lostAt = entry.lastSeenAt;

    this.registry.update(entry, { status: jobActive(entry) ? 'updating' : 'lost' });
    // A link dropping while the device restarts into new firmware is expected, not a fault.
    if (entry.device.update?.phase === 'rebooting') {
      this.log.info('link', `(${label(entry)}) link closed: ${reason}`);
    } else {
      this.log.warn('link', `(${label(entry)}) link lost: ${reason}`);
    }
    if (entry.device.link === 'serial') this.later(entry, () => this.reconnect(entry));
  }

  private reconnect(entry: DeviceEntry): void {
    if (!this.autoConnectOn || entry.held || entry.session || !entry.present) return;
    if (this.registry.get(entry.device.key) !== entry) return;
    if (Date.now() - entry.lastSeenAt > this.timing.lostGraceMs) return;

    void this.open(entry).then((result) => {
      if (!result.ok) this.later(entry, () => this.reconnect(entry));
    });
  }

  private later(entry: DeviceEntry, action: () => void): void {
    if (this.closing) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closing && this.registry.get(entry.device.key) === entry) action();
    }, this.timing.reconnectDelayMs);
    this.timers.add(timer);
  }
}

/** True while the device's update job is still running. */
export function jobActive(entry: DeviceEntry): boolean {
  const phase = entry.device.update?.phase;
  return phase !== undefined && phase !== 'done' && phase !== 'failed';
}

/** How log lines name a device: its serial once known, else its link address. */
export function label(entry: DeviceEntry): string {
  return entry.device.identity?.serial ?? entry.device.key;
}

function describeIdentity(entry: DeviceEntry): string {
  const identity = entry.device.identity;
  const via = entry.device.link === 'serial' ? `USB ${entry.device.address}` : 'Bluetooth';
  if (!identity) return `over ${via}`;
  return `${identity.model} ${identity.firmwareVersion} over ${via}`;
}
