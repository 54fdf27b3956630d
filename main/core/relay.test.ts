import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type CoreBench, coreBench } from '../../tests/station/support/core-bench';
import { FakeDevice } from '../../tests/station/support/core-fakes';
import { until } from '../../tests/station/support/wait';

let bench: CoreBench;

beforeEach(async () => {
  bench = await coreBench();
});

afterEach(async () => {
  await bench.close();
});

describe('heartbeat relay and provisioning', () => {
  function heartbeat(deviceId: string, timestamp: number) {
    return { deviceId, timestamp, signature: 'ab', body: '{}' };
  }

  it('relays link heartbeats in order and shows a pending assignment', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    const device = bench.plug('/dev/ttyFAKE0');
    await bench.connected('serial:/dev/ttyFAKE0');
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
    await until(() => bench.cloud.relayed.at(-1)?.timestamp === 5, 'the newest relayed');

    expect(pending).toEqual({ assignmentId: 'asg-1', releaseId: release.id, version: 'v1.1.0' });
    const stamps = bench.cloud.relayed.map((h) => h.timestamp);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(stamps.at(-1)).toBe(5);
    expect(stamps.length).toBeLessThan(5); // queued ones collapse into the newest
  });

  it('logs a failing relay once and recovers with the next heartbeat', async () => {
    const device = bench.plug('/dev/ttyFAKE0');
    await bench.connected('serial:/dev/ttyFAKE0');
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
    const device = bench.plug('/dev/ttyFAKE0');
    await bench.connected('serial:/dev/ttyFAKE0');

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
    await bench.connected('ble:aa:bb');

    expect((await bench.station.disconnect('ble:aa:bb')).ok).toBe(true);
    bench.bluetooth.advertise('aa:bb', device);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bench.station.devices()[0]?.status).toBe('discovered');

    const back = await bench.station.connect('ble:aa:bb');
    expect(back.ok && back.value.status).toBe('connected');
  });
});

describe('links', () => {
  it('reopens a serial link that dropped while its port is still there', async () => {
    const device = bench.plug('/dev/ttyFAKE0');
    await bench.connected('serial:/dev/ttyFAKE0');
    const first = bench.sessions.latest(device);

    first?.drop('cable wiggled');
    await until(
      () => bench.events.some((e) => e.type === 'device' && e.device.status === 'lost'),
      'the device marked lost',
    );
    await bench.connected('serial:/dev/ttyFAKE0');
    expect(bench.sessions.latest(device)).not.toBe(first);
    expect(bench.station.devices()).toHaveLength(1);
  });

  it('shows a pending assignment of a provisioned device as soon as it identifies', async () => {
    const release = bench.cloud.addRelease('bota-pin', 'v1.1.0');
    bench.cloud.assignments.push({
      id: 'asg-2',
      device_id: 'dev-9',
      release_id: release.id,
      version: 'v1.1.0',
      status: 'delivered',
      reason: null,
      created_at: '',
      updated_at: '',
      revision: 1,
    });
    const device = new FakeDevice();
    device.identity.deviceId = 'dev-9';
    bench.serial.plug('/dev/ttyFAKE0', device);

    const shown = await until(
      () => bench.station.devices()[0]?.pendingAssignment ?? undefined,
      'the assignment',
    );
    expect(shown.assignmentId).toBe('asg-2');
  });
});
