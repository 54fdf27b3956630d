import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import type { Logger } from 'pino';

import { CloudClient } from '../cloud/client';
import { buildImage } from '../protocol/image';
import type { DeviceModel } from '../protocol/models';
import { encodeUfw } from '../protocol/ufw';
import type { CloudAccess } from './app';
import type { StationConfig } from './config';

/**
 * Demo mode (`npm run demo`): a handful of virtual devices — some on socat pty serial
 * ports, some on the virtual radio — and a sample release newer than their firmware, so a
 * newcomer sees the whole product in one command. The devices run in child processes
 * (agent/serial-cli.ts, agent/ble-cli.ts), exactly as tests run them.
 */

/** The repository root: where agent/ lives, from main/ (tsx) or out/main/ (Electron build). */
const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'agent', 'serial-cli.ts'))) return dir;
  }
  return resolve(from, '..');
}

/** The demo's serial devices: one pty pair each. */
const SERIAL_DEVICES: { model: DeviceModel; serial: string }[] = [
  { model: 'bota-pin', serial: 'PIN-00001' },
  { model: 'bota-pin-pro', serial: 'PRO-00001' },
];

/** The demo's Bluetooth devices: one model on one virtual radio (NOTE-00001, NOTE-00002). */
const BLE_DEVICES = { model: 'bota-note' as DeviceModel, count: 2 };

/** The sample release's version and build, newer than the devices' first-boot v1.0.0-001. */
const SAMPLE_RELEASE = { version: 'v1.1.0', build: 'v1.1.0-001', bytes: 256 * 1024 };

/** Running demo devices. */
export interface DemoDevices {
  /** The station options that make the station see them. */
  stationOptions(config: StationConfig): Pick<StationConfig, 'serialPatterns' | 'virtualRadio'>;
  /** Puts a sample release for every demo model into the station's cloud. */
  seed(cloud: CloudAccess): Promise<void>;
  /** Stops every device and pty. */
  close(): Promise<void>;
}

/** Starts the demo devices; their state lives under `<dataDir>/demo`. */
export async function startDemoDevices(dataDir: string, logger: Logger): Promise<DemoDevices> {
  const dir = join(dataDir, 'demo');
  const portsDir = join(dir, 'ports');
  // Every demo starts from devices on their first-boot firmware, so the update prompt shows
  // again; releases already in the cloud are kept.
  await rm(join(dir, 'devices'), { recursive: true, force: true });
  await mkdir(portsDir, { recursive: true });
  const children: ChildProcess[] = [];

  for (const [index, device] of SERIAL_DEVICES.entries()) {
    const { station, device: devicePort } = await startPtyPair(portsDir, index, children);
    children.push(
      agentProcess(
        'agent/serial-cli.ts',
        [
          '--dir',
          join(dir, 'devices'),
          '--model',
          device.model,
          '--serial',
          device.serial,
          '--port',
          devicePort,
          '--log-level',
          'warn',
        ],
        logger,
      ),
    );
    logger.info({ scope: 'demo' }, `demo: ${device.serial} on serial port ${station}`);
  }

  const radio = await startBleDevices(join(dir, 'devices'), children, logger);
  logger.info({ scope: 'demo' }, `demo: ${BLE_DEVICES.count} Bluetooth devices on ${radio}`);

  return {
    stationOptions: (config) => ({
      serialPatterns: [...config.serialPatterns, join(portsDir, 'station-*')],
      virtualRadio: radio,
    }),
    seed: (cloud) => seedSampleRelease(cloud, logger),
    close: () => stopAll(children),
  };
}

/** A socat pty pair: the station opens one end, a virtual device the other. */
async function startPtyPair(
  portsDir: string,
  index: number,
  children: ChildProcess[],
): Promise<{ station: string; device: string }> {
  const station = join(portsDir, `station-${index}`);
  const device = join(portsDir, `device-${index}`);
  const socat = spawn(
    'socat',
    [`pty,raw,echo=0,link=${station}`, `pty,raw,echo=0,link=${device}`],
    { stdio: 'ignore' },
  );
  children.push(socat);

  await waitFor(() => existsSync(station) && existsSync(device), 'socat to make its ptys');
  return { station, device };
}

/** Starts the Bluetooth demo devices and reads the radio address from their first line. */
async function startBleDevices(
  dir: string,
  children: ChildProcess[],
  logger: Logger,
): Promise<string> {
  const args = ['--dir', dir, '--model', BLE_DEVICES.model, '--devices', String(BLE_DEVICES.count)];
  const child = agentProcess('agent/ble-cli.ts', [...args, '--log-level', 'warn'], logger, 'pipe');
  children.push(child);

  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const ready = parseJson(line);
    if (typeof ready?.radio === 'string') return ready.radio;
  }
  throw new Error('agent/ble-cli.ts exited before printing its radio address');
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Runs one agent entry point under tsx, its output going to the station's log. */
function agentProcess(
  script: string,
  args: string[],
  logger: Logger,
  stdout: 'pipe' | 'ignore' = 'ignore',
): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    // Inside Electron, execPath is Electron itself: this makes it behave as plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    // stdin stays open: the agent CLIs read commands from it and may stop at its end.
    stdio: ['pipe', stdout, 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null)
      logger.warn({ scope: 'demo' }, `demo: ${script} exited ${code}`);
  });
  return child;
}

/** A released v1.1.0 for every demo model, unless the cloud already has one. */
async function seedSampleRelease(access: CloudAccess, logger: Logger): Promise<void> {
  const cloud = new CloudClient({ baseUrl: access.url, token: access.token });
  const models = new Set([...SERIAL_DEVICES.map((device) => device.model), BLE_DEVICES.model]);

  for (const model of models) {
    const existing = await cloud.listReleases({ model });
    if (existing.some((release) => release.version === SAMPLE_RELEASE.version)) continue;

    const image = buildImage({ model, version: SAMPLE_RELEASE.build }, SAMPLE_RELEASE.bytes);
    const release = await cloud.createRelease({
      version: SAMPLE_RELEASE.version,
      model,
      notes: 'Demo release: made by `npm run demo`.',
    });
    await cloud.uploadReleaseFile(release.id, 'bin', image);
    await cloud.uploadReleaseFile(
      release.id,
      'ufw',
      encodeUfw({ model, version: SAMPLE_RELEASE.build }, image),
    );
    await cloud.publishRelease(release.id);
    logger.info({ scope: 'demo' }, `demo: released ${SAMPLE_RELEASE.version} for ${model}`);
  }
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.reverse().map((child) => stopChild(child)));
}

/** Asks a child to stop and waits until it has. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** Polls `condition` every 50 ms until it holds or 20 s pass. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}
