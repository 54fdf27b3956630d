import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { settingsSchema, type StationSettings } from '../contract/ipc';

/**
 * The station's configuration: command-line flags over environment variables over
 * `<data>/station.json` over defaults. station.json also keeps the embedded cloud's
 * generated admin token, so the station reaches its own cloud after every restart.
 */

/** Everything the composition root needs to start the station. */
export interface StationConfig {
  /** Where the station keeps its data (`./data` or BOTA_DATA_DIR). */
  dataDir: string;
  /** Settings in force for this run (cloud endpoint, blob storage). */
  settings: StationSettings;
  /** The embedded cloud's admin token (generated once, kept in station.json). */
  adminToken: string;
  /** Extra serial ports or globs to watch, e.g. socat ptys. */
  serialPatterns: string[];
  /** Address of the virtual radio to use instead of a Bluetooth adapter. */
  virtualRadio?: string;
  /** Browser-mode port on 127.0.0.1 (0: any free port). */
  port: number;
  /** Start demo devices and a sample release as well. */
  demo: boolean;
  /** pino level. */
  logLevel: string;
  /** Station core timings in ms (BOTA_TIMING JSON), so tests can run in milliseconds. */
  timing: Record<string, number>;
}

/** What station.json holds. */
interface StationFile {
  /** The embedded cloud's admin token. */
  adminToken: string;
  /** Settings a person saved from the window. */
  settings: StationSettings;
}

/** The browser-mode port when none is given. */
export const DEFAULT_PORT = 5170;

const DEFAULT_SETTINGS: StationSettings = { cloud: { mode: 'embedded' }, blob: { kind: 'local' } };

/** Reads flags (`--data-dir`, `--port`, `--serial`, `--virtual-radio`, `--cloud-url`, ...). */
export async function loadConfig(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<StationConfig> {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      serial: { type: 'string', multiple: true },
      'virtual-radio': { type: 'string' },
      'cloud-url': { type: 'string' },
      'cloud-token': { type: 'string' },
      'log-level': { type: 'string' },
      demo: { type: 'boolean' },
    },
  });
  const flag = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };

  const dataDir = resolve(flag('data-dir') ?? env.BOTA_DATA_DIR ?? './data');
  const file = await readStationFile(dataDir);
  const settings = overrideCloud(
    file.settings,
    flag('cloud-url') ?? env.BOTA_CLOUD_URL,
    flag('cloud-token') ?? env.BOTA_CLOUD_TOKEN,
  );

  return {
    dataDir,
    settings,
    adminToken: file.adminToken,
    serialPatterns: serialPatterns(values.serial, env.BOTA_SERIAL_PATTERNS),
    virtualRadio: flag('virtual-radio') ?? env.BOTA_VIRTUAL_RADIO,
    port: parsePort(flag('port') ?? env.BOTA_PORT),
    demo: values.demo === true || env.BOTA_DEMO === '1',
    logLevel: flag('log-level') ?? env.BOTA_LOG_LEVEL ?? 'info',
    timing: parseTiming(env.BOTA_TIMING),
  };
}

/** A remote cloud named on the command line wins over the stored settings for this run. */
function overrideCloud(
  settings: StationSettings,
  url: string | undefined,
  token: string | undefined,
): StationSettings {
  if (!url) return settings;
  if (!token) throw new Error('--cloud-url needs --cloud-token (or BOTA_CLOUD_TOKEN) as well');
  return { ...settings, cloud: { mode: 'remote', url, token } };
}

function serialPatterns(flags: unknown, env: string | undefined): string[] {
  const fromFlags = Array.isArray(flags) ? flags.filter((f) => typeof f === 'string') : [];
  const fromEnv = env
    ? env
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
    : [];
  return [...fromFlags, ...fromEnv];
}

/** `{"releaseRefreshMs": 1000}` → the same object, checked to hold only numbers. */
function parseTiming(text: string | undefined): Record<string, number> {
  if (!text) return {};
  const parsed: unknown = JSON.parse(text);
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    Object.values(parsed).every((value) => typeof value === 'number' && value >= 0);
  if (!valid) throw new Error('BOTA_TIMING must be a JSON object of millisecond numbers');
  return parsed as Record<string, number>;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`port "${text}" is not a TCP port: use 0 to 65535`);
  }
  return port;
}

/** The path of station.json in a data dir. */
export function stationFilePath(dataDir: string): string {
  return join(dataDir, 'station.json');
}

/** Reads station.json, creating it with a fresh admin token on first start. */
export async function readStationFile(dataDir: string): Promise<StationFile> {
  const stored = await readJson(stationFilePath(dataDir));
  const token = typeof stored?.adminToken === 'string' ? stored.adminToken : undefined;
  const parsed = settingsSchema.safeParse(stored?.settings);

  const file: StationFile = {
    adminToken: token ?? `bota_admin_${randomBytes(24).toString('hex')}`,
    settings: parsed.success ? parsed.data : DEFAULT_SETTINGS,
  };
  if (!token) await writeStationFile(dataDir, file);
  return file;
}

/** Saves settings a person chose in the window; they take effect at the next start. */
export async function saveSettings(dataDir: string, settings: StationSettings): Promise<void> {
  const file = await readStationFile(dataDir);
  await writeStationFile(dataDir, { ...file, settings });
}

/** Writes station.json atomically (temp file, then rename) so a crash never leaves half. */
async function writeStationFile(dataDir: string, file: StationFile): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const path = stationFilePath(dataDir);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path} is not readable JSON: fix or delete it (${String(error)})`);
  }
}
