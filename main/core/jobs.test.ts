import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type CoreBench, coreBench } from '../../tests/station/support/core-bench';
import { FakeBluetooth, FakeDevice } from '../../tests/station/support/core-fakes';
import { until } from '../../tests/station/support/wait';

let bench: CoreBench;

beforeEach(async () => {
  bench = await coreBench();
});

afterEach(async () => {
  await bench.close();
});

describe('station core', () => {
  it('auto-connects a serial device, identifies it and offers a newer release', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    bench.plug('/dev/ttyFAKE0');

    const device = await bench.connected('serial:/dev/ttyFAKE0');
    expect(device.identity?.serial).toBe('PIN-00001');
    const offered = await until(
      () => bench.station.devices()[0]?.availableUpdate ?? undefined,
      'an available update',
    );
    expect(offered).toEqual({ releaseId: release.id, version: 'v1.1.0' });
  });

  it('does not offer a release the device already runs', async () => {
    bench.cloud.addRelease('bota-pin', 'v1.0.0');
    bench.plug('/dev/ttyFAKE0', { firmwareVersion: 'v1.0.0-007' });
    await bench.connected('serial:/dev/ttyFAKE0');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bench.station.devices()[0]?.availableUpdate).toBeNull();
  });

  it('runs an update through every phase with rising progress to done', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0', 256 * 1024);
    const device = bench.plug('/dev/ttyFAKE0');
    await bench.connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    const job = await bench.finished(started.value.id);

    expect(job.failure).toBeNull();
    expect(job.phase).toBe('done');
    expect(device.identity.firmwareVersion).toBe('v1.1.0-001');
    const phases = [...new Set(bench.jobEvents(job.id).map((j) => j.phase))];
    expect(phases).toEqual([
      'queued',
      'downloading',
      'transferring',
      'verifying',
      'rebooting',
      'done',
    ]);
    const transferred = bench.jobEvents(job.id).filter((j) => j.phase === 'transferring');
    const bytes = transferred.map((j) => j.bytesDone);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(new Set(bytes).size).toBeGreaterThan(1);
    await until(
      () => bench.station.devices()[0]?.availableUpdate === null,
      'the offer to go once updated',
    );
  });

  it('fails with words when the device is recording and never applies', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    const device = bench.plug('/dev/ttyFAKE0', { refuse: 'RECORDING_ACTIVE' });
    await bench.connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    const job = await bench.finished(started.value.id);

    expect(job.failure).toEqual({
      code: 'RECORDING_ACTIVE',
      message: 'The device is recording.',
      hint: 'Stop the recording, then try again.',
    });
    expect(device.applied).toBe(0);
    expect(bench.station.devices()[0]?.status).toBe('connected');
  });

  it('never sends apply after a failed verify', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    const device = bench.plug('/dev/ttyFAKE0', { verifyFails: 'CRC_MISMATCH' });
    await bench.connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    const job = await bench.finished(started.value.id);

    expect(job.failure?.code).toBe('CRC_MISMATCH');
    expect(device.applied).toBe(0);
    expect(device.identity.firmwareVersion).toBe('v1.0.0-001');
  });

  it('reports LINK_LOST when the link dies mid-transfer, then unlists the device', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0', 256 * 1024);
    bench.plug('/dev/ttyFAKE0', { dropAt: 100 * 1024 });
    await bench.connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    bench.serial.unplug('/dev/ttyFAKE0');
    const job = await bench.finished(started.value.id);

    expect(job.failure?.code).toBe('LINK_LOST');
    expect(job.failure?.hint).toMatch(/reconnect/);
    await until(() => bench.station.devices().length === 0, 'the lost device to go');
    expect(bench.events.some((e) => e.type === 'device-removed')).toBe(true);
  });

  it('reports a device that boots its old firmware as NOT_APPLIED', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    bench.plug('/dev/ttyFAKE0', { bootsVersion: 'v1.0.0-001' });
    await bench.connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    const job = await bench.finished(started.value.id);
    expect(job.failure?.code).toBe('NOT_APPLIED');
  });

  it('refuses a second job on the same device and a release for another model', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0', 512 * 1024);
    const other = bench.cloud.addRelease('bota-note', 'v2.0.0');
    bench.plug('/dev/ttyFAKE0');
    await bench.connected('serial:/dev/ttyFAKE0');

    const first = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    const second = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    expect(first.ok).toBe(true);
    expect(second.ok ? null : second.error.code).toBe('UPDATE_RUNNING');
    if (first.ok) await bench.finished(first.value.id);

    const wrong = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: other.id,
    });
    expect(wrong.ok ? null : wrong.error.code).toBe('MODEL_MISMATCH');
  });

  it('cancels a running transfer; the device keeps its firmware', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0', 4 * 1024 * 1024);
    const device = bench.plug('/dev/ttyFAKE0', { slow: true });
    await bench.connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    await until(
      () => bench.jobEvents(started.value.id).some((j) => j.phase === 'transferring'),
      'the transfer to start',
    );
    expect((await bench.station.cancelUpdate(started.value.id)).ok).toBe(true);
    const job = await bench.finished(started.value.id);

    expect(job.failure?.code).toBe('CANCELLED');
    expect(device.applied).toBe(0);
    const again = await bench.station.cancelUpdate(started.value.id);
    expect(again.ok ? null : again.error.code).toBe('JOB_FINISHED');
  });

  it('downloads a release once for several devices updating at once', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0', 512 * 1024);
    const paths = ['/dev/ttyFAKE0', '/dev/ttyFAKE1', '/dev/ttyFAKE2'];
    paths.forEach((path, i) => bench.plug(path, { serial: `PIN-0000${i}` }));
    await Promise.all(paths.map((path) => bench.connected(`serial:${path}`)));

    const jobs = await Promise.all(
      paths.map((path) => bench.station.startUpdate(`serial:${path}`, { releaseId: release.id })),
    );
    const done = await Promise.all(
      jobs.map((job) => (job.ok ? bench.finished(job.value.id) : null)),
    );

    expect(done.map((job) => job?.phase)).toEqual(['done', 'done', 'done']);
    expect(bench.cloud.downloads).toBe(1);
  });
});

describe('station core over Bluetooth', () => {
  it('updates a device that disconnects to reboot and advertises again', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    const device = new FakeDevice({ serial: 'PIN-00009' });
    bench.bluetooth.advertise('aa:bb', device);
    await bench.connected('ble:aa:bb');

    const started = await bench.station.startUpdate('ble:aa:bb', { releaseId: release.id });
    if (!started.ok) throw new Error(started.error.message);
    await until(() => bench.sessions.latest(device)?.closed, 'the reboot disconnect');
    bench.bluetooth.advertise('aa:bb', device);
    const job = await bench.finished(started.value.id);

    expect(job.phase).toBe('done');
    expect(bench.station.devices()[0]?.identity?.firmwareVersion).toBe('v1.1.0-001');
  });

  it('fails with REBOOT_TIMEOUT when the device never comes back, then unlists it', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    bench.bluetooth.advertise('aa:cc', new FakeDevice({ serial: 'PIN-00010' }));
    await bench.connected('ble:aa:cc');

    const started = await bench.station.startUpdate('ble:aa:cc', { releaseId: release.id });
    if (!started.ok) throw new Error(started.error.message);
    const job = await bench.finished(started.value.id);

    expect(job.failure?.code).toBe('REBOOT_TIMEOUT');
    expect(job.failure?.hint).toMatch(/reconnect/);
    await until(() => bench.station.devices().length === 0, 'the silent device to go');
  });

  it('reports Bluetooth unavailable once and keeps serial working', async () => {
    await bench.close();
    const down = new FakeBluetooth({
      state: 'unavailable',
      reason: 'Bluetooth unavailable: no adapter found',
    });
    bench = await coreBench(down);

    expect(bench.station.bluetooth().state).toBe('unavailable');
    const lines = bench.station.recentLog().filter((l) => l.scope === 'ble');
    expect(lines.map((l) => l.message)).toEqual(['Bluetooth unavailable: no adapter found']);
    bench.plug('/dev/ttyFAKE0');
    await bench.connected('serial:/dev/ttyFAKE0');
    expect(down.scanning).toBe(false);
  });
});
