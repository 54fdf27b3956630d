import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type FaultScenario, parseScenario } from '../../agent/faults';
import { Fleet, type FleetOptions } from '../../agent/fleet/fleet';
import type { CloudOptions } from '../../cloud';
import { startTestCloud, type TestCloud } from '../support/cloud';
import { settledAssignment, tempDir, waitFor } from './support';

const IMAGE_BYTES = 256 * 1024;

let cloud: TestCloud;
let data: { path: string; remove(): Promise<void> };
let fleet: Fleet | undefined;

beforeEach(async () => {
  data = await tempDir('bota-agent-');
});

afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  await cloud.close();
  await data.remove();
});

/** A real cloud with a released v1.1.0, and one virtual Pin registered with it. */
async function setUp(
  fleetOptions: Partial<FleetOptions> = {},
  cloudOptions: Partial<CloudOptions> = {},
) {
  cloud = await startTestCloud(cloudOptions);
  const release = await cloud.makeRelease('bota-pin', 'v1.1.0', { size: IMAGE_BYTES });
  fleet = await Fleet.start({
    devices: 1,
    model: 'bota-pin',
    cloudUrl: cloud.url,
    token: cloud.adminToken,
    dataDir: data.path,
    intervalMs: 50,
    rebootMs: 20,
    download: { retryDelayMs: 10 },
    ...fleetOptions,
  });
  const member = fleet.members[0]!;
  const record = await cloud.client.getDeviceBySerial(member.device.serial);
  return { release, member, deviceId: record.id };
}

async function assign(deviceId: string, releaseId: string) {
  return cloud.client.createAssignment({ device_id: deviceId, release_id: releaseId });
}

describe('HTTP OTA against the real cloud', { timeout: 180_000 }, () => {
  it('downloads, verifies, reboots and the assignment reads applied', async () => {
    const { release, member, deviceId } = await setUp();
    expect(member.device.serial).toBe('PIN-00001');
    await waitFor(
      'first heartbeat',
      async () => (await cloud.client.getDevice(deviceId)).last_seen_at,
    );

    const assignment = await assign(deviceId, release.id);
    const done = await settledAssignment(cloud.client, assignment.id);

    expect(done.status).toBe('applied');
    expect(done.history?.map((event) => event.status)).toEqual(['pending', 'delivered', 'applied']);
    expect(member.device.firmwareVersion).toBe('v1.1.0-001');
    expect((await cloud.client.getDevice(deviceId)).firmware_version).toBe('v1.1.0-001');
  });

  it('keeps heartbeating while it downloads', async () => {
    const { release, member, deviceId } = await setUp({
      scenario: { fleet: { slowBytesPerS: 100_000 } },
    });
    let repliesWhileDownloading = 0;
    member.ota.on('reply', () => {
      if (member.ota.phase === 'downloading') repliesWhileDownloading += 1;
    });

    const done = await settledAssignment(cloud.client, (await assign(deviceId, release.id)).id);
    expect(done.status).toBe('applied');
    expect(repliesWhileDownloading).toBeGreaterThanOrEqual(3);
  });

  it('survives fewer than 10 dropped connections by resuming', async () => {
    const scenario = { fleet: { dropAfterBytes: 40_000, dropCount: 6 } };
    const { release, member, deviceId } = await setUp({ scenario });

    const done = await settledAssignment(cloud.client, (await assign(deviceId, release.id)).id);

    expect(done.status).toBe('applied');
    expect(member.faults?.drops).toBe(6);
    expect(member.device.firmwareVersion).toBe('v1.1.0-001');
  });

  it('fails the assignment after 10 dropped connections, on the old firmware', async () => {
    const { release, member, deviceId } = await setUp({
      scenario: { fleet: { dropAfterBytes: 10_000 } },
    });

    const done = await settledAssignment(cloud.client, (await assign(deviceId, release.id)).id);

    expect(done.status).toBe('failed');
    expect(done.reason).toMatch(/^gave up after 10 tries/);
    expect(member.faults?.drops).toBe(10);
    expect(member.device.firmwareVersion).toBe('v1.0.0-001');
  });

  it('never applies a corrupted image, and does not download it again', async () => {
    const { release, member, deviceId } = await setUp({
      scenario: { fleet: { corruptByteAt: 100_000 } },
    });
    let manifests = 0;
    member.ota.on('outcome', () => (manifests += 1));

    const done = await settledAssignment(cloud.client, (await assign(deviceId, release.id)).id);
    expect(done.status).toBe('failed');
    expect(done.reason).toMatch(/^CRC mismatch/);

    let replies = 0;
    member.ota.on('reply', () => (replies += 1));
    await waitFor('more heartbeats', () => replies >= 5);
    expect(manifests).toBe(1);
    expect(member.device.firmwareVersion).toBe('v1.0.0-001');
    expect(member.ota.phase).toBe('failed');
  });

  it('defers delivery while recording, and updates once recording stops', async () => {
    const { release, member, deviceId } = await setUp();
    member.device.setRecording(true);
    await waitFor(
      'a recording heartbeat',
      async () => (await cloud.client.getDevice(deviceId)).recording,
    );

    const assignment = await assign(deviceId, release.id);
    let replies = 0;
    let manifests = 0;
    member.ota.on('reply', (reply) => {
      replies += 1;
      if (reply.ota) manifests += 1;
    });
    await waitFor('heartbeats while recording', () => replies >= 5);
    expect(manifests).toBe(0);
    expect((await cloud.client.getAssignment(assignment.id)).status).toBe('pending');
    expect(member.device.firmwareVersion).toBe('v1.0.0-001');

    member.ota.removeAllListeners('reply');
    member.device.setRecording(false);
    expect((await settledAssignment(cloud.client, assignment.id)).status).toBe('applied');
  });

  it('stops and reports when recording starts mid-download', async () => {
    const scenario = { fleet: { recordAtByte: 100_000 } };
    const { release, member, deviceId } = await setUp({ scenario });

    const done = await settledAssignment(cloud.client, (await assign(deviceId, release.id)).id);
    expect(done.status).toBe('failed');
    expect(done.reason).toMatch(/^recording started during the update/);
    expect(member.device.recording).toBe(true);
    expect(member.device.firmwareVersion).toBe('v1.0.0-001');
  });

  it('reports a flash write error and a bootloader refusal', async () => {
    const scenario = {
      devices: {
        'PIN-00001': { flashErrorAtByte: 70_000 },
        'PIN-00002': { refuseApply: 'secure boot check failed' },
      },
    };
    const { release, deviceId } = await setUp({ scenario, devices: 2 });
    const second = await cloud.client.getDeviceBySerial('PIN-00002');

    const flash = await settledAssignment(cloud.client, (await assign(deviceId, release.id)).id);
    const refused = await settledAssignment(cloud.client, (await assign(second.id, release.id)).id);

    expect(flash.reason).toMatch(/^flash write error/);
    expect(refused.reason).toBe('bootloader refused the image: secure boot check failed');
    expect(fleet?.members.map((member) => member.device.firmwareVersion)).toEqual([
      'v1.0.0-001',
      'v1.0.0-001',
    ]);
  });

  it('reports an expired download URL', async () => {
    const scenario = { fleet: { dropAfterBytes: 50_000, dropCount: 1 } };
    const { release, deviceId } = await setUp(
      { scenario, download: { retryDelayMs: 2500 } },
      { urlTtlS: 1 },
    );

    const done = await settledAssignment(cloud.client, (await assign(deviceId, release.id)).id);
    expect(done.status).toBe('failed');
    expect(done.reason).toBe('download URL expired or refused (HTTP 403)');
  });

  it('pauses its own heartbeat while a station link is attached', async () => {
    const { member } = await setUp({ devices: 2 });
    const [attached, clock] = [member, fleet!.members[1]!];
    let firstReplies = 0;
    attached.ota.on('reply', () => (firstReplies += 1));
    await waitFor('a first reply', () => firstReplies >= 1);
    attached.ota.removeAllListeners('reply');

    attached.device.setLinkAttached(true);
    let attachedReplies = 0;
    let clockReplies = 0;
    attached.ota.on('reply', () => (attachedReplies += 1));
    clock.ota.on('reply', () => (clockReplies += 1));
    // The other device's heartbeats are the clock: 10 of its intervals pass with no beat.
    await waitFor('10 heartbeats of the other device', () => clockReplies >= 10);
    expect(attachedReplies).toBeLessThanOrEqual(1);

    attached.device.setLinkAttached(false);
    await waitFor('heartbeats to resume', () => attachedReplies >= 3);
  });

  it('follows the cloud’s heartbeat interval unless told otherwise', async () => {
    const { member } = await setUp({ intervalMs: undefined }, { heartbeatIntervalS: 7 });
    expect(member.ota.intervalMs).toBe(60_000);
    member.ota.beatSoon();
    await waitFor('the cloud’s interval', () => member.ota.intervalMs === 7000);

    await fleet?.stop();
    fleet = await Fleet.start({
      devices: 1,
      model: 'bota-pin',
      cloudUrl: cloud.url,
      dataDir: data.path,
      intervalMs: 40,
    });
    const overridden = fleet.members[0]!;
    let replies = 0;
    overridden.ota.on('reply', () => (replies += 1));
    await waitFor('a reply', () => replies >= 2);
    expect(overridden.ota.intervalMs).toBe(40);
  });

  it('updates a fleet over a flaky network (scenario file)', async () => {
    const scenario = JSON.parse(
      await readFile(join(import.meta.dirname, '../../agent/scenarios/flaky-network.json'), 'utf8'),
    ) as FaultScenario;
    const { release } = await setUp({ devices: 8, scenario: parseScenario(scenario) });
    const assignments = await Promise.all(
      fleet!.members.map(async ({ device }) => {
        const record = await cloud.client.getDeviceBySerial(device.serial);
        return assign(record.id, release.id);
      }),
    );

    const done = await Promise.all(
      assignments.map((assignment) => settledAssignment(cloud.client, assignment.id)),
    );
    const bySerial = Object.fromEntries(
      fleet!.members.map(({ device }, n) => [device.serial, done[n]]),
    );
    expect(bySerial['PIN-00003']?.reason).toMatch(/^gave up after 10 tries/);
    const others = Object.entries(bySerial).filter(([serial]) => serial !== 'PIN-00003');
    expect(others.map(([, assignment]) => assignment?.status)).toEqual(Array(7).fill('applied'));
    expect(fleet!.members[3]!.faults?.drops).toBeGreaterThanOrEqual(5);
  });
});
