import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runsRelease } from '../../protocol/version';
import { closeWorld, openWorld, type World } from './support/fixture';
import { bleDevices } from './support/processes';
import { startStation } from './support/station';

// Devices on the virtual radio in another process (agent/ble-cli.ts), the station core
// driving them through noble with the virtual bindings, and a real cloud.

let world: World;

beforeEach(async () => {
  world = await openWorld();
});

afterEach(async () => {
  await closeWorld(world);
});

describe('station core over Bluetooth', { timeout: 240_000 }, () => {
  it('updates a device that disconnects to reboot and comes back on the new version', async () => {
    const release = await world.cloud.makeRelease('bota-pin', 'v1.1.0', { size: 128 * 1024 });
    const radio = await bleDevices({ dir: world.devicesDir, count: 1 });
    const address = radio.devices[0]?.address ?? '';

    const bench = await startStation({
      cloudUrl: world.cloud.url,
      cloudToken: world.cloud.adminToken,
      virtualRadio: radio.radio,
      workDir: world.workDir,
    });
    world.stations.push(bench);
    expect(bench.station.bluetooth().state).toBe('virtual');

    const key = `ble:${address}`;
    const device = await bench.connected(key);
    expect(device.link).toBe('ble');
    expect(device.signal).toBeLessThan(0);
    await bench.device((d) => d.availableUpdate?.releaseId === release.id, 'the offer');

    const job = await bench.update(key, { releaseId: release.id });
    const finished = await bench.finished(job.id);

    expect(finished.failure).toBeNull();
    const after = await bench.connected(key);
    expect(runsRelease(after.identity?.firmwareVersion ?? '', 'v1.1.0')).toBe(true);
    const sent = bench
      .jobEvents(job.id)
      .filter((e) => e.phase === 'transferring')
      .map((e) => e.bytesDone);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(bench.jobEvents(job.id).some((e) => e.bytesPerSecond > 0)).toBe(true);
  });
});
