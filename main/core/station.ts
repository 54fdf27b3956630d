import { join } from 'node:path';

import type {
  BluetoothState,
  ConnectedDevice,
  LogLine,
  Result,
  StationCoreApi,
  StationEvent,
  UpdateJob,
  UpdateRequest,
} from '../../contract/station';
import { watchBluetooth, watchSerial } from './discovery';
import { EventHub } from './events';
import { fail } from './failures';
import { FirmwareCache } from './firmware-cache';
import { LinkManager } from './links';
import { defaultLogger, StationLog } from './log';
import { resolveTiming, type StationOptions, type StationTiming } from './options';
import type { StationDeps } from './ports';
import { Provisioner } from './provision';
import { type DeviceEntry, DeviceRegistry, snapshot } from './registry';
import { HeartbeatRelay } from './relay';
import { AvailableUpdates } from './releases';
import { UpdateJobs } from './update-jobs';

/** The station core with its lifetime: close() stops discovery and drops every link. */
export interface Station extends StationCoreApi {
  /** Asks the cloud for the newest releases now, e.g. right after one is published. */
  refreshReleases(): Promise<void>;
  /** Stops discovery, cancels jobs, closes links and Bluetooth. */
  close(): Promise<void>;
}

/**
 * Builds the station core from its parts. createStation (index.ts) passes the real cloud
 * client, link session, serial transport and Bluetooth; unit tests pass stand-ins.
 */
export async function createStationWith(
  options: StationOptions,
  deps: StationDeps,
): Promise<Station> {
  const core = new StationCore(options, deps);
  await core.start();
  return core;
}

class StationCore implements Station {
  private readonly events = new EventHub();
  private readonly log: StationLog;
  private readonly timing: StationTiming;
  private readonly registry: DeviceRegistry;
  private readonly links: LinkManager;
  private readonly relay: HeartbeatRelay;
  private readonly updates: AvailableUpdates;
  private readonly jobs: UpdateJobs;
  private readonly provisioner: Provisioner;
  private readonly stops: (() => unknown)[] = [];

  constructor(
    private readonly options: StationOptions,
    private readonly deps: StationDeps,
  ) {
    const logger = options.logger ?? defaultLogger();
    this.log = new StationLog(logger, (line) => this.events.emit({ type: 'log', line }));
    this.timing = resolveTiming(options);
    this.registry = new DeviceRegistry(this.events);
    this.relay = new HeartbeatRelay(deps.cloud, this.registry, this.log);
    this.updates = new AvailableUpdates(deps.cloud, this.registry, this.log);

    this.links = new LinkManager(deps, this.registry, this.log, this.timing, autoOn(options), {
      identified: (entry) => this.identified(entry),
      heartbeat: (entry, heartbeat) => this.relay.relay(entry, heartbeat),
    });
    this.jobs = this.makeJobs();
    const deviceUrl = options.deviceCloudUrl ?? options.cloudUrl;
    this.provisioner = new Provisioner(deps.cloud, this.links, this.log, deviceUrl);
  }

  /** Starts discovery and the periodic release check and lost-device sweep. */
  async start(): Promise<void> {
    const targets = {
      registry: this.registry,
      links: this.links,
      events: this.events,
      log: this.log,
    };
    this.stops.push(watchBluetooth(this.deps.bluetooth, targets));
    const patterns = this.options.serialPatterns ?? [];
    this.stops.push(await watchSerial(this.deps.serial, patterns, targets));

    this.every(this.timing.releaseRefreshMs, () => void this.updates.refreshAll());
    this.every(Math.max(50, Math.min(1000, this.timing.lostGraceMs / 4)), () => this.links.sweep());
    this.log.info('station', `started; cloud ${this.options.cloudUrl}`);
  }

  devices(): ConnectedDevice[] {
    return this.registry.all().map(snapshot);
  }

  bluetooth(): BluetoothState {
    return this.deps.bluetooth.state();
  }

  recentLog(): LogLine[] {
    return this.log.recent();
  }

  connect(key: string): Promise<Result<ConnectedDevice>> {
    return this.links.connect(key);
  }

  disconnect(key: string): Promise<Result<null>> {
    return this.links.disconnect(key);
  }

  async provision(key: string): Promise<Result<ConnectedDevice>> {
    const entry = this.registry.get(key);
    if (!entry) return fail('UNKNOWN_DEVICE');
    return this.provisioner.provision(entry);
  }

  async startUpdate(key: string, request: UpdateRequest): Promise<Result<UpdateJob>> {
    const entry = this.registry.get(key);
    if (!entry) return fail('UNKNOWN_DEVICE');
    return this.jobs.start(entry, request);
  }

  async cancelUpdate(jobId: string): Promise<Result<null>> {
    return this.jobs.cancel(jobId, this.registry.all());
  }

  subscribe(listener: (event: StationEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  refreshReleases(): Promise<void> {
    return this.updates.refreshAll();
  }

  async close(): Promise<void> {
    this.jobs.cancelAll();
    for (const stop of this.stops.splice(0).reverse()) await stop();
    await this.links.close();
    await this.deps.bluetooth.close().catch(() => undefined);
    this.log.info('station', 'stopped');
    this.events.clear();
  }

  /** A device (re)identified: look up what it is offered, without waiting for a heartbeat. */
  private identified(entry: DeviceEntry): void {
    void this.updates.refreshFor(entry);
    const deviceId = entry.device.identity?.deviceId;
    if (!deviceId) return;
    this.relay.refreshAssignment(entry, deviceId).catch((error: unknown) => {
      this.log.debug('cloud', `assignment lookup failed: ${String(error)}`);
    });
  }

  private makeJobs(): UpdateJobs {
    const context = {
      registry: this.registry,
      events: this.events,
      log: this.log,
      progressIntervalMs: this.timing.progressIntervalMs,
      rateWindowMs: this.timing.rateWindowMs,
    };
    const firmware = new FirmwareCache(
      join(this.options.workDir, 'firmware'),
      this.deps.cloud,
      this.log,
    );
    const tools = { firmware, links: this.links, log: this.log, timing: this.timing };
    return new UpdateJobs(this.deps.cloud, context, tools, this.updates);
  }

  private every(ms: number, action: () => void): void {
    const timer = setInterval(action, ms);
    timer.unref();
    this.stops.push(() => clearInterval(timer));
  }
}

function autoOn(options: StationOptions): boolean {
  return options.autoConnect ?? true;
}
