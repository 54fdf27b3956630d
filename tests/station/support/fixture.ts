import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startTestCloud, type TestCloud } from '../../support/cloud';
import { type PtyPair, ptyPair, type SerialDevice, serialDevice, stopAll } from './processes';
import { startStation, type StationUnderTest } from './station';

/** One test's world: a real cloud, a temp folder, and what to tear down. */
export interface World {
  cloud: TestCloud;
  /** Temp folder for ptys, device state and the station's work dir. */
  dir: string;
  /** Where device processes keep their state. */
  devicesDir: string;
  /** The station's work dir. */
  workDir: string;
  /** Stations to close at the end. */
  stations: StationUnderTest[];
}

/** Starts a cloud and makes the folders. */
export async function openWorld(): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'station-it-'));
  const devicesDir = join(dir, 'devices');
  const workDir = join(dir, 'work');
  await mkdir(devicesDir, { recursive: true });
  const cloud = await startTestCloud();
  return { cloud, dir, devicesDir, workDir, stations: [] };
}

/** Closes stations, kills child processes, stops the cloud, removes the folder. */
export async function closeWorld(world: World | undefined): Promise<void> {
  if (!world) return;
  for (const bench of world.stations) await bench.station.close();
  await stopAll();
  await world.cloud.close();
  await rm(world.dir, { recursive: true, force: true });
}

/** A device on its own pty pair and a station watching that pair, as on a bench. */
export interface SerialBench {
  pty: PtyPair;
  device: SerialDevice;
  bench: StationUnderTest;
  /** The device's key at the station (`serial:<path>`). */
  key: string;
}

/**
 * Starts a device process `serial` on a fresh pty pair named `name`, sends it `commands`
 * (before any station sees it), then a station watching the pair; all closed with the world.
 */
export async function startSerialBench(
  world: World,
  name: string,
  serial: string,
  commands: string[] = [],
): Promise<SerialBench> {
  const pty = await ptyPair(world.dir, name);
  const device = await serialDevice({ dir: world.devicesDir, port: pty.device, serial });
  for (const command of commands) device.command(command);

  const bench = await startStation({
    cloudUrl: world.cloud.url,
    cloudToken: world.cloud.adminToken,
    serialPatterns: [pty.station],
    workDir: world.workDir,
  });
  world.stations.push(bench);
  return { pty, device, bench, key: `serial:${pty.station}` };
}
