import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startTestCloud, type TestCloud } from '../../support/cloud';
import { stopAll } from './processes';
import type { StationUnderTest } from './station';

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
