import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { closeWorld, openWorld, startSerialBench, type World } from './support/fixture';
import { type SerialDevice, stop } from './support/processes';
import { until } from './support/wait';

// Failures explained in words, and a device that always keeps working firmware.

let world: World;

beforeEach(async () => {
  world = await openWorld();
});

afterEach(async () => {
  await closeWorld(world);
});

/** The device process's own account of its firmware (the `identity` command). */
async function reportedVersion(device: SerialDevice): Promise<string> {
  const before = device.events.length;
  device.command('identity');
  const line = await until(
    () => device.events.slice(before).find((e) => (e as { event?: string }).event === 'identity'),
    'the device to report its identity',
  );
  return (line as { firmwareVersion: string }).firmwareVersion;
}

describe('update failures', { timeout: 240_000 }, () => {
  it('a recording device refuses: RECORDING_ACTIVE in words, nothing applied', async () => {
    const release = await world.cloud.makeRelease('bota-pin', 'v1.1.0');
    const { device, bench, key } = await startSerialBench(world, 'rec', 'PIN-00011', [
      'recording on',
    ]);
    await bench.device((d) => d.key === key && d.identity?.recording === true, 'recording');

    const job = await bench.update(key, { releaseId: release.id });
    const finished = await bench.finished(job.id);

    expect(finished.failure).toEqual({
      code: 'RECORDING_ACTIVE',
      message: 'The device is recording.',
      hint: 'Stop the recording, then try again.',
    });
    expect(bench.jobEvents(job.id).some((e) => e.phase === 'rebooting')).toBe(false);
    expect(await reportedVersion(device)).toBe('v1.0.0-001');
    expect((await bench.connected(key)).status).toBe('connected');
  });

  it('a link killed mid-transfer fails with LINK_LOST; the device keeps its version', async () => {
    const release = await world.cloud.makeRelease('bota-pin', 'v1.1.0', { size: 3 * 1024 * 1024 });
    const { pty, device, bench, key } = await startSerialBench(world, 'kill', 'PIN-00012');
    await bench.connected(key);

    const job = await bench.update(key, { releaseId: release.id });
    await until(
      () => bench.jobEvents(job.id).find((e) => e.phase === 'transferring' && e.bytesDone > 0),
      'the transfer to be under way',
    );
    await stop(pty.process, true); // the cable is pulled: both pty ends vanish
    const finished = await bench.finished(job.id);

    expect(finished.failure?.code).toBe('LINK_LOST');
    expect(finished.failure?.message).toMatch(/keeps its current firmware/);
    expect(finished.failure?.hint).toMatch(/reconnect/i);
    device.command('reboot'); // the bootloader must not find anything to apply
    await until(
      () => device.events.some((e) => (e as { event?: string }).event === 'identity'),
      'the device to reboot',
    );
    expect(await reportedVersion(device)).toBe('v1.0.0-001');
    await bench.device((d) => d.key === key && d.status === 'lost', 'the device marked lost');
  });

  it('a damaged image fails verification (CRC_MISMATCH) and is never applied', async () => {
    const release = await world.cloud.makeRelease('bota-pin', 'v1.1.0', { size: 256 * 1024 });
    // corrupt-next-write: one byte flipped on its way to flash
    const { device, bench, key } = await startSerialBench(world, 'crc', 'PIN-00013', [
      'corrupt-next-write',
    ]);
    await bench.connected(key);

    const job = await bench.update(key, { releaseId: release.id });
    const finished = await bench.finished(job.id);

    expect(finished.failure?.code).toBe('CRC_MISMATCH');
    expect(finished.failure?.hint).toMatch(/try the update again/i);
    expect(bench.jobEvents(job.id).some((e) => e.phase === 'rebooting')).toBe(false);
    expect(await reportedVersion(device)).toBe('v1.0.0-001');
  });

  it('a cancelled transfer stops, and the device keeps its old version', async () => {
    const size = 4 * 1024 * 1024 - 4096; // nearly a whole slot: seconds to send on a pty
    const release = await world.cloud.makeRelease('bota-pin', 'v1.1.0', { size });
    const { device, bench, key } = await startSerialBench(world, 'cancel', 'PIN-00014');
    await bench.connected(key);

    const job = await bench.update(key, { releaseId: release.id });
    await until(
      () => bench.jobEvents(job.id).find((e) => e.phase === 'transferring' && e.bytesDone > 0),
      'the transfer to be under way',
    );
    const cancelled = await bench.station.cancelUpdate(job.id);
    const finished = await bench.finished(job.id);

    expect(cancelled.ok).toBe(true);
    expect(finished.failure?.code).toBe('CANCELLED');
    expect(await reportedVersion(device)).toBe('v1.0.0-001');
    expect((await bench.connected(key)).status).toBe('connected');
  });
});
