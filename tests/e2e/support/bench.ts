import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildImage } from '../../../protocol/image';
import type { DeviceModel } from '../../../protocol/models';
import { encodeUfw } from '../../../protocol/ufw';
import { type Child, firstJsonWith, ROOT, startPtyPair, startTsx, waitFor } from './processes';

/**
 * A whole bench for the browser tests: the station in browser mode (main/headless.ts, its
 * own process, embedded cloud) with virtual devices on socat pty serial ports and on the
 * virtual radio, each in its own process, all in one temp folder.
 */
export interface Bench {
  /** The URL to open, with the access token. */
  url: string;
  /** The temp folder everything lives in. */
  dir: string;
  /** Serial devices by serial number, for stdin commands (`recording on`). */
  serial: Record<string, Child>;
  /** Starts an HTTP OTA device (H3's agent) heartbeating to the embedded cloud. */
  startOtaDevice(serialNumber: number): Promise<Child>;
  /** Writes a .bin/.ufw pair for a model and build; returns their paths. */
  firmware(model: DeviceModel, build: string): Promise<{ bin: string; ufw: string }>;
  /** Writes a file of junk bytes with the given extension; returns its path. */
  garbage(extension: string): Promise<string>;
  /** Stops every process and removes the folder. */
  close(): Promise<void>;
}

/** Serial devices on the bench (each on its own pty pair). */
const SERIAL_DEVICES = [
  { model: 'bota-pin', serial: 'PIN-00001' },
  { model: 'bota-pin', serial: 'PIN-00002' },
] as const;

/** Station timings for the bench: a release shows on devices within a second. */
const TIMING = { rebootTimeoutMs: 60_000, lostGraceMs: 5000 };

/** Builds the window once, as `npm start` would, so the station can serve it. */
export function buildRenderer(): void {
  const result = spawnSync(
    'npx',
    ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error('the window did not build');
}

/** Starts the bench; call close() when done. */
export async function startBench(): Promise<Bench> {
  const dir = await mkdtemp(join(tmpdir(), 'bota-e2e-'));
  const ports = join(dir, 'ports');
  await mkdir(ports);
  const children: Child[] = [];
  const serial: Record<string, Child> = {};

  for (const device of SERIAL_DEVICES) {
    const pair = await startPtyPair(ports, device.serial);
    children.push(pair.socat);
    serial[device.serial] = startTsx('agent/serial-cli.ts', [
      '--dir',
      join(dir, 'devices'),
      '--model',
      device.model,
      '--serial',
      device.serial,
      '--port',
      pair.device,
      '--reboot-ms',
      '500',
      '--heartbeat-ms',
      '1000',
    ]);
    children.push(serial[device.serial]!);
  }

  const ble = startTsx('agent/ble-cli.ts', [
    '--dir',
    join(dir, 'devices'),
    '--model',
    'bota-note',
    '--devices',
    '1',
    '--reboot-ms',
    '500',
    '--log-level',
    'warn',
  ]);
  children.push(ble);
  const radio = String((await firstJsonWith(ble, 'radio')).radio);

  const station = startTsx(
    'main/headless.ts',
    [
      '--data-dir',
      join(dir, 'station'),
      '--port',
      '0',
      '--log-level',
      'warn',
      '--serial',
      join(ports, 'station-*'),
      '--virtual-radio',
      radio,
    ],
    { BOTA_TIMING: JSON.stringify(TIMING) },
  );
  children.push(station);
  await waitFor(
    () => /UI at (\S+)/.test(station.stdout()),
    `the station to start: ${station.stderr()}`,
    90_000,
  );
  const url = /UI at (\S+)/.exec(station.stdout())![1]!;

  return {
    url,
    dir,
    serial,
    startOtaDevice: async (n) => {
      const cloud = await embeddedCloud(url);
      const agent = startTsx('agent/cli.ts', [
        '--cloud',
        cloud.url,
        '--token',
        cloud.token,
        '--devices',
        '1',
        '--model',
        'bota-pin',
        '--first-serial',
        String(n),
        '--data-dir',
        join(dir, 'ota'),
        '--interval',
        '1s',
        '--reboot',
        '300ms',
        '--retry-delay',
        '200ms',
        '--log-level',
        'warn',
      ]);
      children.push(agent);
      return agent;
    },
    firmware: (model, build) => writeFirmware(join(dir, 'firmware'), model, build),
    garbage: async (extension) => {
      const path = join(dir, `damaged${extension}`);
      await writeFile(path, Buffer.alloc(4096, 0x5a));
      return path;
    },
    close: async () => {
      for (const child of children.reverse()) await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The embedded cloud's URL (asked over the contract) and its admin token (station.json). */
async function embeddedCloud(url: string): Promise<{ url: string; token: string }> {
  const base = new URL(url);
  const token = base.searchParams.get('token') ?? '';
  const response = await fetch(`${base.origin}/rpc/settings:get`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
  const reply = (await response.json()) as { value: { activeCloudUrl: string; dataDir: string } };
  const stationFile = JSON.parse(await readFile(join(reply.value.dataDir, 'station.json'), 'utf8'));
  return { url: reply.value.activeCloudUrl, token: String(stationFile.adminToken) };
}

async function writeFirmware(dir: string, model: DeviceModel, build: string) {
  await mkdir(dir, { recursive: true });
  const image = buildImage({ model, version: build }, 96 * 1024);
  const stem = join(dir, `${model}-${build}`);
  await writeFile(`${stem}.bin`, image);
  await writeFile(`${stem}.ufw`, encodeUfw({ model, version: build }, image));
  return { bin: `${stem}.bin`, ufw: `${stem}.ufw` };
}
