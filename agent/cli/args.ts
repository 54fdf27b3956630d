import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { DEVICE_MODELS, isDeviceModel } from '../../protocol/models';
import { isVersion } from '../../protocol/version';
import { type FaultScenario, type FaultSpec, parseScenario } from '../faults';
import type { FleetOptions } from '../fleet/fleet';

/** Bad command-line input, with what to type instead. */
export class UsageError extends Error {
  /** Stable code. */
  readonly code = 'USAGE';
}

/** What `npm run agent` was asked to do. */
export interface AgentCommand {
  /** The fleet to run. */
  fleet: FleetOptions;
  /** pino level for the logs. */
  logLevel: string;
}

/** The help text. */
export const USAGE = `usage: npm run agent -- --cloud URL [options]
  --devices N          virtual devices to run (default 1)
  --model M            ${DEVICE_MODELS.join(' | ')} (default bota-pin)
  --cloud URL          cloud base URL, e.g. http://127.0.0.1:8080
  --token T            operator token: registers devices that have no identity yet
  --data-dir D         device state folder (default ./data/agent)
  --first-serial N     number of the first serial (default 1 → PIN-00001)
  --firmware V         factory firmware of devices created now (default v1.0.0-001)
  --interval 60s       heartbeat interval (ms, s or m); default follows the cloud
  --reboot 2s          time offline while rebooting
  --retry-delay 1s     wait between download tries
  --scenario F.json    fault scenario: {"fleet": {...}, "devices": {"PIN-00002": {...}}}
  faults for every device (these win over the scenario's fleet faults):
  --drop-after N --drop-count K --drop-rate P --corrupt-at N --slow BYTES_PER_S
  --refuse-apply --record-at N --record-for 5s --die-at N --flash-error-at N --seed S
  --log-level L        pino level (default info)`;

const OPTIONS = {
  devices: { type: 'string' },
  model: { type: 'string' },
  cloud: { type: 'string' },
  token: { type: 'string' },
  'data-dir': { type: 'string' },
  'first-serial': { type: 'string' },
  firmware: { type: 'string' },
  interval: { type: 'string' },
  reboot: { type: 'string' },
  'retry-delay': { type: 'string' },
  scenario: { type: 'string' },
  'drop-after': { type: 'string' },
  'drop-count': { type: 'string' },
  'drop-rate': { type: 'string' },
  'corrupt-at': { type: 'string' },
  slow: { type: 'string' },
  'refuse-apply': { type: 'boolean' },
  'record-at': { type: 'string' },
  'record-for': { type: 'string' },
  'die-at': { type: 'string' },
  'flash-error-at': { type: 'string' },
  seed: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** Parses the command line; throws UsageError naming the bad flag. */
export async function parseCommand(argv: string[]): Promise<AgentCommand | 'help'> {
  const { values } = parseArgsOrThrow(argv);
  if (values.help) return 'help';
  if (!values.cloud) throw new UsageError('--cloud URL is required');
  const model = values.model ?? 'bota-pin';
  if (!isDeviceModel(model)) throw new UsageError(`--model must be one of ${DEVICE_MODELS}`);

  const fleet: FleetOptions = {
    devices: count(values.devices, '--devices') ?? 1,
    model,
    cloudUrl: values.cloud.replace(/\/+$/, ''),
    token: values.token,
    dataDir: resolve(values['data-dir'] ?? 'data/agent'),
    firstSerial: count(values['first-serial'], '--first-serial'),
    firmwareVersion: firmware(values.firmware),
    intervalMs: duration(values.interval, '--interval'),
    rebootMs: duration(values.reboot, '--reboot'),
    download: { retryDelayMs: duration(values['retry-delay'], '--retry-delay') },
    scenario: await scenarioOf(values),
  };
  return { fleet, logLevel: values['log-level'] ?? 'info' };
}

function parseArgsOrThrow(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function scenarioOf(values: Values): Promise<FaultScenario> {
  const file = values.scenario ? await readScenario(values.scenario) : {};
  const flags = faultFlags(values);
  return parseScenario({ ...file, fleet: { ...file.fleet, ...flags } });
}

async function readScenario(path: string): Promise<FaultScenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --scenario ${path}: ${(error as Error).message}`);
  }
  return parseScenario(JSON.parse(text) as unknown);
}

function faultFlags(values: Values): FaultSpec {
  const spec: FaultSpec = {
    dropAfterBytes: count(values['drop-after'], '--drop-after'),
    dropCount: count(values['drop-count'], '--drop-count'),
    dropProbability: number(values['drop-rate'], '--drop-rate'),
    corruptByteAt: count(values['corrupt-at'], '--corrupt-at'),
    slowBytesPerS: number(values.slow, '--slow'),
    refuseApply: values['refuse-apply'],
    recordAtByte: count(values['record-at'], '--record-at'),
    recordForMs: duration(values['record-for'], '--record-for'),
    dieAtByte: count(values['die-at'], '--die-at'),
    flashErrorAtByte: count(values['flash-error-at'], '--flash-error-at'),
    seed: count(values.seed, '--seed'),
  };
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
}

function firmware(value: string | undefined): string | undefined {
  if (value !== undefined && !isVersion(value)) {
    throw new UsageError(`--firmware wants a build version like v1.0.0-001, not "${value}"`);
  }
  return value;
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} wants a whole number, not "${value}"`);
  return Number(value);
}

function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new UsageError(`${flag} wants a number, not "${value}"`);
  return parsed;
}

/** `250ms`, `1.5s`, `2m` or a bare number of seconds, in ms. */
export function duration(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} wants a duration like 500ms, 60s or 2m`);
  const scale = { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 's'] ?? 1000;
  return Math.round(Number(match[1]) * scale);
}
