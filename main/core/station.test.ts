import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { StationEvent, UpdateJob } from '../../contract/station';
import {
  FakeBluetooth,
  FakeCloud,
  FakeDevice,
  type FakeDeviceOptions,
  FakeSerial,
  SessionFactory,
} from '../../tests/station/support/core-fakes';
import { until } from '../../tests/station/support/wait';
import { createStationWith, type Station } from './station';

interface Bench {
  station: Station;
  cloud: FakeCloud;
  serial: FakeSerial;
  bluetooth: FakeBluetooth;
  sessions: SessionFactory;
  events: StationEvent[];
}

let bench: Bench;
let workDir: string;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'station-core-'));
  bench = await makeBench();
});

afterEach(async () => {
  await bench.station.close();
  await bench.cloud.stop();
  await rm(workDir, { recursive: true, force: true });
});

async function makeBench(bluetooth = new FakeBluetooth()): Promise<Bench> {
  const cloud = new FakeCloud();
  await cloud.start();
  const serial = new FakeSerial();
  const sessions = new SessionFactory(serial, bluetooth);
  const station = await createStationWith(
    {
      cloudUrl: 'http://cloud.invalid',
      cloudToken: 't',
      workDir,
      timing: { lostGraceMs: 300, reconnectDelayMs: 20, rebootPollMs: 20, rebootTimeoutMs: 3000 },
    },
    { cloud, serial, bluetooth, openSession: sessions.open },
  );
  const events: StationEvent[] = [];
  station.subscribe((event) => events.push(event));
  return { station, cloud, serial, bluetooth, sessions, events };
}

function plug(path: string, options?: FakeDeviceOptions): FakeDevice {
  const device = new FakeDevice(options);
  bench.serial.plug(path, device);
  return device;
}

async function connected(key: string) {
  return until(() => {
    const device = bench.station.devices().find((d) => d.key === key);
    return device?.status === 'connected' && device.identity ? device : undefined;
  }, `${key} connected`);
}

async function finished(jobId: string): Promise<UpdateJob> {
  return until(() => {
    const job = bench.station.devices().find((d) => d.update?.id === jobId)?.update;
    return job && (job.phase === 'done' || job.phase === 'failed') ? job : undefined;
  }, `job ${jobId} to finish`);
}

function jobEvents(jobId: string): UpdateJob[] {
  return bench.events.flatMap((e) => (e.type === 'update' && e.job.id === jobId ? [e.job] : []));
}

describe('station core', () => {
  it('auto-connects a serial device, identifies it and offers a newer release', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    plug('/dev/ttyFAKE0');

    const device = await connected('serial:/dev/ttyFAKE0');
    expect(device.identity?.serial).toBe('PIN-00001');
    const offered = await until(
      () => bench.station.devices()[0]?.availableUpdate ?? undefined,
      'an available update',
    );
    expect(offered).toEqual({ releaseId: release.id, version: 'v1.1.0' });
  });

  it('does not offer a release the device already runs', async () => {
    bench.cloud.addRelease('bota-pin', 'v1.0.0');
    plug('/dev/ttyFAKE0', { firmwareVersion: 'v1.0.0-007' });
    await connected('serial:/dev/ttyFAKE0');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bench.station.devices()[0]?.availableUpdate).toBeNull();
  });

  it('runs an update through every phase with rising progress to done', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0', 256 * 1024);
    const device = plug('/dev/ttyFAKE0');
    await connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    const job = await finished(started.value.id);

    expect(job.failure).toBeNull();
    expect(job.phase).toBe('done');
    expect(device.identity.firmwareVersion).toBe('v1.1.0-001');
    const phases = [...new Set(jobEvents(job.id).map((j) => j.phase))];
    expect(phases).toEqual([
      'queued',
      'downloading',
      'transferring',
      'verifying',
      'rebooting',
      'done',
    ]);
    const transferred = jobEvents(job.id).filter((j) => j.phase === 'transferring');
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
    const device = plug('/dev/ttyFAKE0', { refuse: 'RECORDING_ACTIVE' });
    await connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    const job = await finished(started.value.id);

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
    const device = plug('/dev/ttyFAKE0', { verifyFails: 'CRC_MISMATCH' });
    await connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    const job = await finished(started.value.id);

    expect(job.failure?.code).toBe('CRC_MISMATCH');
    expect(device.applied).toBe(0);
    expect(device.identity.firmwareVersion).toBe('v1.0.0-001');
  });

  it('reports LINK_LOST when the link dies mid-transfer, then unlists the gone device', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0', 256 * 1024);
    plug('/dev/ttyFAKE0', { dropAt: 100 * 1024 });
    await connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    bench.serial.unplug('/dev/ttyFAKE0');
    const job = await finished(started.value.id);

    expect(job.failure?.code).toBe('LINK_LOST');
    expect(job.failure?.hint).toMatch(/reconnect/);
    await until(() => bench.station.devices().length === 0, 'the lost device to go');
    expect(bench.events.some((e) => e.type === 'device-removed')).toBe(true);
  });

  it('reports a device that boots its old firmware as NOT_APPLIED', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    plug('/dev/ttyFAKE0', { bootsVersion: 'v1.0.0-001' });
    await connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    const job = await finished(started.value.id);
    expect(job.failure?.code).toBe('NOT_APPLIED');
  });

  it('refuses a second job on the same device and a release for another model', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0', 512 * 1024);
    const other = bench.cloud.addRelease('bota-note', 'v2.0.0');
    plug('/dev/ttyFAKE0');
    await connected('serial:/dev/ttyFAKE0');

    const first = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    const second = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    expect(first.ok).toBe(true);
    expect(second.ok ? null : second.error.code).toBe('UPDATE_RUNNING');
    if (first.ok) await finished(first.value.id);

    const wrong = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: other.id,
    });
    expect(wrong.ok ? null : wrong.error.code).toBe('MODEL_MISMATCH');
  });

  it('cancels a running transfer; the device keeps its firmware', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0', 4 * 1024 * 1024);
    const device = plug('/dev/ttyFAKE0', { slow: true });
    await connected('serial:/dev/ttyFAKE0');

    const started = await bench.station.startUpdate('serial:/dev/ttyFAKE0', {
      releaseId: release.id,
    });
    if (!started.ok) throw new Error(started.error.message);
    await until(
      () => jobEvents(started.value.id).some((j) => j.phase === 'transferring'),
      'the transfer to start',
    );
    expect((await bench.station.cancelUpdate(started.value.id)).ok).toBe(true);
    const job = await finished(started.value.id);

    expect(job.failure?.code).toBe('CANCELLED');
    expect(device.applied).toBe(0);
    const again = await bench.station.cancelUpdate(started.value.id);
    expect(again.ok ? null : again.error.code).toBe('JOB_FINISHED');
  });

  it('downloads a release once for several devices updating at once', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0', 512 * 1024);
    const paths = ['/dev/ttyFAKE0', '/dev/ttyFAKE1', '/dev/ttyFAKE2'];
    paths.forEach((path, i) => plug(path, { serial: `PIN-0000${i}` }));
    await Promise.all(paths.map((path) => connected(`serial:${path}`)));

    const jobs = await Promise.all(
      paths.map((path) => bench.station.startUpdate(`serial:${path}`, { releaseId: release.id })),
    );
    const done = await Promise.all(jobs.map((job) => (job.ok ? finished(job.value.id) : null)));

    expect(done.map((job) => job?.phase)).toEqual(['done', 'done', 'done']);
    expect(bench.cloud.downloads).toBe(1);
  });
});

describe('station core over Bluetooth', () => {
  it('updates a device that disconnects to reboot and advertises again', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    const device = new FakeDevice({ serial: 'PIN-00009' });
    bench.bluetooth.advertise('aa:bb', device);
    await connected('ble:aa:bb');

    const started = await bench.station.startUpdate('ble:aa:bb', { releaseId: release.id });
    if (!started.ok) throw new Error(started.error.message);
    await until(() => bench.sessions.latest(device)?.closed, 'the reboot disconnect');
    bench.bluetooth.advertise('aa:bb', device);
    const job = await finished(started.value.id);

    expect(job.phase).toBe('done');
    expect(bench.station.devices()[0]?.identity?.firmwareVersion).toBe('v1.1.0-001');
  });

  it('reports Bluetooth unavailable once and keeps serial working', async () => {
    await bench.station.close();
    const down = new FakeBluetooth({
      state: 'unavailable',
      reason: 'Bluetooth unavailable: no adapter found',
    });
    bench = await makeBench(down);

    expect(bench.station.bluetooth().state).toBe('unavailable');
    const lines = bench.station.recentLog().filter((l) => l.scope === 'ble');
    expect(lines.map((l) => l.message)).toEqual(['Bluetooth unavailable: no adapter found']);
    plug('/dev/ttyFAKE0');
    await connected('serial:/dev/ttyFAKE0');
    expect(down.scanning).toBe(false);
  });
});

describe('heartbeat relay and provisioning', () => {
  function heartbeat(deviceId: string, timestamp: number) {
    return { deviceId, timestamp, signature: 'ab', body: '{}' };
  }

  it('relays link heartbeats in order and shows a pending assignment', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    const device = plug('/dev/ttyFAKE0');
    await connected('serial:/dev/ttyFAKE0');
    const session = bench.sessions.latest(device);
    bench.cloud.assignments.push({
      id: 'asg-1',
      device_id: 'dev-1',
      release_id: release.id,
      version: 'v1.1.0',
      status: 'pending',
      reason: null,
      created_at: '',
      updated_at: '',
      revision: 1,
    });

    for (let t = 1; t <= 5; t += 1) session?.heartbeat(heartbeat('dev-1', t));
    const pending = await until(
      () => bench.station.devices()[0]?.pendingAssignment ?? undefined,
      'the pending assignment',
    );

    expect(pending).toEqual({ assignmentId: 'asg-1', releaseId: release.id, version: 'v1.1.0' });
    const stamps = bench.cloud.relayed.map((h) => h.timestamp);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(stamps.at(-1)).toBe(5);
    expect(stamps.length).toBeLessThan(5); // queued ones collapse into the newest
  });

  it('logs a failing relay once and recovers with the next heartbeat', async () => {
    const device = plug('/dev/ttyFAKE0');
    await connected('serial:/dev/ttyFAKE0');
    const session = bench.sessions.latest(device);
    bench.cloud.relayFails = 'CLOUD_UNREACHABLE';

    for (let t = 1; t <= 3; t += 1) {
      session?.heartbeat(heartbeat('dev-1', t));
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    bench.cloud.relayFails = null;
    session?.heartbeat(heartbeat('dev-1', 4));
    await until(() => bench.cloud.relayed.length === 1, 'the relay to work again');

    const warnings = bench.station.recentLog().filter((l) => l.message.includes('relay failed'));
    expect(warnings).toHaveLength(1);
  });

  it('provisions a new device, and rotates the secret of a known one', async () => {
    const device = plug('/dev/ttyFAKE0');
    await connected('serial:/dev/ttyFAKE0');

    const first = await bench.station.provision('serial:/dev/ttyFAKE0');
    expect(first.ok && first.value.identity?.deviceId).toBe('dev-PIN-00001');
    expect(device.provisioned?.secret).toBe('secret-1');
    expect(device.provisioned?.cloudUrl).toBe('http://cloud.invalid');

    const again = await bench.station.provision('serial:/dev/ttyFAKE0');
    expect(again.ok).toBe(true);
    expect(device.provisioned?.secret).toBe('secret-rotated');
  });

  it('keeps a disconnected device disconnected until asked', async () => {
    const device = new FakeDevice();
    bench.bluetooth.advertise('aa:bb', device);
    await connected('ble:aa:bb');

    expect((await bench.station.disconnect('ble:aa:bb')).ok).toBe(true);
    bench.bluetooth.advertise('aa:bb', device);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bench.station.devices()[0]?.status).toBe('discovered');

    const back = await bench.station.connect('ble:aa:bb');
    expect(back.ok && back.value.status).toBe('connected');
  });
});
