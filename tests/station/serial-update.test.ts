import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runsRelease } from '../../protocol/version';
import { closeWorld, openWorld, startSerialBench, type World } from './support/fixture';

// A device in another process on a socat pty pair (a real serial port), a real cloud, and
// the station core with no virtual radio: real noble is loaded, finds no adapter, and
// serial carries on.

let world: World;

beforeEach(async () => {
  world = await openWorld();
});

afterEach(async () => {
  await closeWorld(world);
});

describe('station core over serial', { timeout: 240_000 }, () => {
  it('updates a device: it reboots into the new version and progress rises', async () => {
    const release = await world.cloud.makeRelease('bota-pin', 'v1.1.0', { size: 256 * 1024 });
    const { bench, key } = await startSerialBench(world, 'pin1', 'PIN-00001');
    const device = await bench.connected(key);
    expect(device.identity?.firmwareVersion).toBe('v1.0.0-001');
    await bench.device((d) => d.availableUpdate?.releaseId === release.id, 'the offer');

    const job = await bench.update(key, { releaseId: release.id });
    const finished = await bench.finished(job.id);

    expect(finished.failure).toBeNull();
    expect(finished.phase).toBe('done');
    const after = await bench.connected(key);
    expect(runsRelease(after.identity?.firmwareVersion ?? '', 'v1.1.0')).toBe(true);
    expect(after.availableUpdate).toBeNull();

    const events = bench.jobEvents(job.id);
    const phases = [...new Set(events.map((e) => e.phase))];
    expect(phases).toEqual(
      expect.arrayContaining(['downloading', 'transferring', 'rebooting', 'done']),
    );
    const sent = events.filter((e) => e.phase === 'transferring').map((e) => e.bytesDone);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(sent[0]).toBeLessThan(sent.at(-1) ?? 0);
  });

  it('reports Bluetooth unavailable without a radio, and serial still works', async () => {
    const { bench, key } = await startSerialBench(world, 'pin2', 'PIN-00002');

    const bluetooth = bench.station.bluetooth();
    expect(bluetooth.state).toBe('unavailable');
    expect(bluetooth.reason).toMatch(/^Bluetooth unavailable: /);
    const lines = bench.station.recentLog().filter((line) => line.scope === 'ble');
    expect(lines.filter((line) => line.message.startsWith('Bluetooth unavailable'))).toHaveLength(
      1,
    );

    const device = await bench.connected(key);
    expect(device.identity?.serial).toBe('PIN-00002');
  });
});
