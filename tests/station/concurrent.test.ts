import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runsRelease } from '../../protocol/version';
import { closeWorld, openWorld, type World } from './support/fixture';
import { bleDevices, ptyPair, serialDevice } from './support/processes';
import { startStation } from './support/station';

// Four devices updated at once, two on serial ptys and two on the virtual radio, each on
// its own link: every one must reach done on the new version.

let world: World;

beforeEach(async () => {
  world = await openWorld();
});

afterEach(async () => {
  await closeWorld(world);
});

describe('concurrent updates', { timeout: 240_000 }, () => {
  it('updates two serial and two Bluetooth devices at once', async () => {
    const release = await world.cloud.makeRelease('bota-pin', 'v1.2.0', { size: 128 * 1024 });
    const ptys = await Promise.all([ptyPair(world.dir, 'c1'), ptyPair(world.dir, 'c2')]);
    const [radio] = await Promise.all([
      bleDevices({ dir: world.devicesDir, count: 2, first: 21 }),
      ...ptys.map((pty, i) =>
        serialDevice({ dir: world.devicesDir, port: pty.device, serial: `PIN-0003${i}` }),
      ),
    ]);

    const bench = await startStation({
      cloudUrl: world.cloud.url,
      cloudToken: world.cloud.adminToken,
      serialPatterns: ptys.map((pty) => pty.station),
      virtualRadio: radio.radio,
      workDir: world.workDir,
    });
    world.stations.push(bench);
    const keys = [
      ...ptys.map((pty) => `serial:${pty.station}`),
      ...radio.devices.map((d) => `ble:${d.address}`),
    ];
    expect(keys).toHaveLength(4);
    await Promise.all(keys.map((key) => bench.connected(key)));

    const jobs = await Promise.all(keys.map((key) => bench.update(key, { releaseId: release.id })));
    const finished = await Promise.all(jobs.map((job) => bench.finished(job.id, 180_000)));

    expect(finished.map((job) => job.failure)).toEqual([null, null, null, null]);
    for (const key of keys) {
      const device = await bench.connected(key);
      expect(runsRelease(device.identity?.firmwareVersion ?? '', 'v1.2.0')).toBe(true);
    }
  });
});
