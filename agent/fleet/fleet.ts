import { type DeviceModel, modelInfo } from '../../protocol/models';
import { VirtualDevice } from '../device/device';
import { DeviceFaults, type FaultScenario, faultsFor, isHealthy } from '../faults';
import { type AgentLogger, silentLogger } from '../log';
import { OtaClient, type OtaClientOptions } from '../ota/client';
import { createHttpAgents, destroyHttpAgents, type HttpAgents } from '../ota/http';
import { mapLimit } from './limit';
import { provisionDevice } from './provision';
import { type FleetSummary, summarize } from './summary';

/** How to run a fleet of virtual devices in one process. */
export interface FleetOptions {
  /** How many devices. */
  devices: number;
  /** Their model. */
  model: DeviceModel;
  /** The cloud they heartbeat to (and register with). */
  cloudUrl: string;
  /** An operator token: with it, devices without an identity are registered. */
  token?: string;
  /** Folder of device state; each device keeps `<dataDir>/<serial>/`. */
  dataDir: string;
  /** Number of the first serial; default 1 (`PIN-00001`). */
  firstSerial?: number;
  /** Firmware new devices leave the factory with; default `v1.0.0-001`. */
  firmwareVersion?: string;
  /** Heartbeat interval override, ms; unset follows the cloud. */
  intervalMs?: number;
  /** Reboot time, ms; default 2000. */
  rebootMs?: number;
  /** Faults, fleet-wide and per serial. */
  scenario?: FaultScenario;
  /** Download tuning. */
  download?: OtaClientOptions['download'];
  /** Connections per host in the shared pool; default 64. */
  maxSockets?: number;
  /** Where state changes go. */
  logger?: AgentLogger;
}

/** One device of the fleet and its OTA client. */
export interface FleetMember {
  /** The device. */
  device: VirtualDevice;
  /** Its HTTP heartbeat and OTA. */
  ota: OtaClient;
  /** Its injected faults, when it has any. */
  faults: DeviceFaults | undefined;
}

/** Devices opened or registered at once while starting. */
const START_CONCURRENCY = 16;

/** The serial number of the n-th device of a model: `PIN-00042`. */
export function serialFor(model: DeviceModel, n: number): string {
  return `${modelInfo(model).serialPrefix}-${String(n).padStart(5, '0')}`;
}

/**
 * N virtual devices sharing one keep-alive connection pool, each with its own state folder
 * and heartbeat, staggered across the interval so they do not beat in step.
 */
export class Fleet {
  private constructor(
    /** Every device, in serial order. */
    readonly members: FleetMember[],
    private readonly agents: HttpAgents,
  ) {}

  /** Opens (and, with a token, registers) every device, then starts their heartbeats. */
  static async start(options: FleetOptions): Promise<Fleet> {
    const agents = createHttpAgents(options.maxSockets ?? 64);
    const first = options.firstSerial ?? 1;
    const serials = Array.from({ length: options.devices }, (_, n) =>
      serialFor(options.model, first + n),
    );

    const members = await mapLimit(serials, START_CONCURRENCY, (serial) =>
      openMember(serial, options, agents),
    );
    const fleet = new Fleet(members, agents);
    await Promise.all(members.map((member) => member.ota.start()));
    return fleet;
  }

  /** Counts for the live summary. */
  summary(): FleetSummary {
    return summarize(this.members);
  }

  /** Stops every heartbeat and download, flushes state, closes sockets. */
  async stop(): Promise<void> {
    await Promise.all(this.members.map((member) => member.ota.stop()));
    await Promise.all(this.members.map((member) => member.device.close()));
    destroyHttpAgents(this.agents);
  }
}

async function openMember(
  serial: string,
  options: FleetOptions,
  agents: HttpAgents,
): Promise<FleetMember> {
  const spec = faultsFor(options.scenario ?? {}, serial);
  const faults = isHealthy(spec) ? undefined : new DeviceFaults(spec, serial);
  const logger = options.logger ?? silentLogger;
  // The recording fault needs the device, which exists only once open() returns.
  const opened: { device?: VirtualDevice } = {};
  const control = { setRecording: (on: boolean) => opened.device?.setRecording(on) };

  const device = await VirtualDevice.open({
    dir: options.dataDir,
    model: options.model,
    serial,
    rebootMs: options.rebootMs,
    firmwareVersion: options.firmwareVersion,
    hooks: faults?.deviceHooks(control),
    logger,
  });
  opened.device = device;
  await ensureIdentity(device, options, logger);

  // First heartbeats are spread over the interval, but no wider than 20 ms per device, so
  // a big fleet does not beat in step and a single device speaks up at once.
  const spread = Math.min(options.intervalMs ?? 60_000, options.devices * 20);
  const ota = new OtaClient(device, {
    agents,
    intervalMs: options.intervalMs,
    firstDelayMs: Math.random() * spread,
    download: options.download,
    faults,
    logger,
  });
  return { device, ota, faults };
}

async function ensureIdentity(
  device: VirtualDevice,
  options: FleetOptions,
  logger: AgentLogger,
): Promise<void> {
  if (device.deviceId && device.cloudUrl === options.cloudUrl) return;
  if (!options.token) {
    logger.warn(`fleet: (${device.serial}) has no identity for ${options.cloudUrl}; pass --token`);
    return;
  }
  await provisionDevice(device, { cloudUrl: options.cloudUrl, token: options.token });
}
