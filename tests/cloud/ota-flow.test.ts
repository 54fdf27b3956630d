import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CloudOptions } from '../../cloud';
import { CloudClient } from '../../cloud/client';
import type { Assignment } from '../../protocol/cloud-api';
import { crc32 } from '../../protocol/crc32';
import type { HeartbeatBody, OtaManifest } from '../../protocol/heartbeat';
import {
  buildReleaseFiles,
  deviceHeartbeat,
  postHeartbeat,
  startTestCloud,
  type TestCloud,
} from '../support/cloud';
import { type RunningS3rver, startS3rver } from '../support/s3rver';

const OLD = 'v1.0.0-001';

function body(firmware: string, extra: Partial<HeartbeatBody> = {}): HeartbeatBody {
  return { firmware_version: firmware, model: 'bota-pin', recording: false, battery: 90, ...extra };
}

async function beat(t: TestCloud, device: { id: string }, secret: string, hb: HeartbeatBody) {
  const reply = await postHeartbeat(t.url, deviceHeartbeat(device.id, secret, hb));
  expect(reply.status).toBe(200);
  return reply.json.ota as OtaManifest | null;
}

/** A provisioned device on OLD firmware with a pending assignment of v1.0.1. */
async function assigned(t: TestCloud, version = 'v1.0.1') {
  const release =
    (await t.client.listReleases({ model: 'bota-pin' })).find((r) => r.version === version) ??
    (await t.makeRelease('bota-pin', version));
  const { device, secret } = await t.provision('bota-pin');
  await beat(t, device, secret, body(OLD));
  const assignment = await t.client.createAssignment({
    device_id: device.id,
    release_id: release.id,
  });
  return { release, device, secret, assignment };
}

const backends: [
  string,
  () => Promise<{ options: Partial<CloudOptions>; stop(): Promise<void> }>,
][] = [
  ['local disk', async () => ({ options: {}, stop: async () => {} })],
  [
    's3 (s3rver)',
    async () => {
      const s3: RunningS3rver = await startS3rver();
      const { bucket, endpoint, region, accessKeyId, secretAccessKey } = s3;
      return {
        options: {
          blob: {
            kind: 's3',
            bucket,
            endpoint,
            region,
            accessKeyId,
            secretAccessKey,
            forcePathStyle: true,
          },
        },
        stop: () => s3.close(),
      };
    },
  ],
];

describe.each(backends)('heartbeat → manifest → download → applied on %s', (_, backend) => {
  let t: TestCloud;
  let stopBackend: () => Promise<void>;
  beforeAll(async () => {
    const started = await backend();
    stopBackend = started.stop;
    t = await startTestCloud(started.options);
  });
  afterAll(async () => {
    await t?.close();
    await stopBackend?.();
  });

  it('delivers the manifest, serves the .bin whole and by Range, then marks applied', async () => {
    const { device, secret, assignment } = await assigned(t);
    const expected = buildReleaseFiles('bota-pin', 'v1.0.1').bin;

    const manifest = await beat(t, device, secret, body(OLD));
    expect(manifest).toMatchObject({
      assignment_id: assignment.id,
      version: 'v1.0.1',
      size: expected.length,
      crc32: crc32(expected),
    });
    expect(Date.parse(manifest?.expires_at ?? '')).toBeGreaterThan(Date.now());
    expect((await t.client.getAssignment(assignment.id)).status).toBe('delivered');

    const whole = await fetch(manifest?.url ?? '');
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(expected)).toBe(true);

    const part = await fetch(manifest?.url ?? '', { headers: { range: 'bytes=1000-2999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-2999/${expected.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(expected.subarray(1000, 3000))).toBe(true);

    // A device that lost the manifest gets it again while delivered.
    expect((await beat(t, device, secret, body(OLD)))?.assignment_id).toBe(assignment.id);

    expect(await beat(t, device, secret, body('v1.0.1-001'))).toBeNull();
    const applied = await t.client.getAssignment(assignment.id);
    expect(applied.status).toBe('applied');
    expect(applied.history?.map((event) => event.status)).toEqual([
      'pending',
      'delivered',
      'applied',
    ]);
    expect((await t.client.getDevice(device.id)).firmware_version).toBe('v1.0.1-001');
  });
});

describe('assignment life on one cloud', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud();
  });
  afterAll(async () => t?.close());

  it('marks failed with the reason the device reports, then allows a new assignment', async () => {
    const { release, device, secret, assignment } = await assigned(t);
    await beat(t, device, secret, body(OLD));

    const report = {
      assignment_id: assignment.id,
      status: 'failed' as const,
      reason: 'CRC mismatch',
    };
    expect(await beat(t, device, secret, body(OLD, { update: report }))).toBeNull();
    const failed = await t.client.getAssignment(assignment.id);
    expect([failed.status, failed.reason]).toEqual(['failed', 'CRC mismatch']);
    expect(failed.history?.at(-1)).toMatchObject({
      status: 'failed',
      actor: `device:${device.id}`,
    });

    const again = await t.client.createAssignment({ device_id: device.id, release_id: release.id });
    expect(again.status).toBe('pending');
  });

  it('defers delivery while the device is recording', async () => {
    const { device, secret, assignment } = await assigned(t);
    expect(await beat(t, device, secret, body(OLD, { recording: true }))).toBeNull();
    expect((await t.client.getAssignment(assignment.id)).status).toBe('pending');

    expect((await beat(t, device, secret, body(OLD)))?.assignment_id).toBe(assignment.id);
    expect((await t.client.getAssignment(assignment.id)).status).toBe('delivered');
  });

  it('never sends a manifest on a relayed heartbeat, but still marks applied', async () => {
    const { device, secret, assignment } = await assigned(t);
    const operator = await t.client.createToken('bench station', 'operator');
    const station = new CloudClient({ baseUrl: t.url, token: operator.token });

    const relayed = await station.relayHeartbeat(deviceHeartbeat(device.id, secret, body(OLD)));
    expect(relayed.ota).toBeNull();
    expect(relayed.heartbeat_interval_s).toBe(60);
    expect((await t.client.getAssignment(assignment.id)).status).toBe('pending');
    expect((await t.client.getDevice(device.id)).last_relayed).toBe(true);

    await station.relayHeartbeat(deviceHeartbeat(device.id, secret, body('v1.0.1-002')));
    const applied = await t.client.getAssignment(assignment.id);
    expect(applied.status).toBe('applied');
    expect(applied.history?.at(-1)?.actor).toBe('station');
    const records = await t.client.deviceHeartbeats(device.id, 2);
    expect(records.map((record) => record.relayed)).toEqual([true, true]);
  });

  it('cancels a delivered assignment, after which no manifest is sent', async () => {
    const { device, secret, assignment } = await assigned(t);
    await beat(t, device, secret, body(OLD));
    const cancelled = await t.client.cancelAssignment(assignment.id);
    expect(cancelled.status).toBe('cancelled');
    expect(await beat(t, device, secret, body(OLD))).toBeNull();
    await expect(t.client.cancelAssignment(assignment.id)).rejects.toMatchObject({
      status: 409,
      code: 'ASSIGNMENT_FINISHED',
    });
  });
});

describe('delivery timeout', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud({ deliveryTimeoutMs: 150 });
  });
  afterAll(async () => t?.close());

  it('fails a delivered assignment that is not applied in time, reason "timed out"', async () => {
    const { device, secret, assignment } = await assigned(t);
    await beat(t, device, secret, body(OLD));

    let current: Assignment = await t.client.getAssignment(assignment.id);
    for (let tries = 0; current.status === 'delivered' && tries < 300; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      current = await t.client.getAssignment(assignment.id);
    }
    expect([current.status, current.reason]).toEqual(['failed', 'timed out']);
    expect(current.history?.at(-1)?.actor).toBe('timer');
  });

  it('leaves a pending assignment alone: the timeout runs from delivery', async () => {
    const { assignment } = await assigned(t, 'v1.0.2');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await t.client.getAssignment(assignment.id)).status).toBe('pending');
  });
});
