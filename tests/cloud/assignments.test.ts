import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deviceHeartbeat, postHeartbeat, startTestCloud, type TestCloud } from '../support/cloud';

describe('assignment rules', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud();
  });
  afterAll(async () => t?.close());

  it('lets exactly one of 20 concurrent assignments for a device through', async () => {
    const releases = await Promise.all([
      t.makeRelease('bota-pin', 'v1.1.0'),
      t.makeRelease('bota-pin', 'v1.2.0'),
    ]);
    const { device } = await t.provision('bota-pin');

    const attempts = Array.from({ length: 20 }, (_, i) =>
      fetch(`${t.url}/api/v1/assignments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ device_id: device.id, release_id: releases[i % 2]?.id }),
      }),
    );
    const replies = await Promise.all(attempts);
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);

    const winner = (await t.client.listAssignments({ device_id: device.id }))[0];
    const conflict = (await replies.find((reply) => reply.status === 409)?.json()) as {
      code: string;
      details: { assignment_id: string };
    };
    expect(conflict.code).toBe('ASSIGNMENT_ACTIVE');
    expect(conflict.details.assignment_id).toBe(winner?.id);
    expect(await t.client.listAssignments({ device_id: device.id })).toHaveLength(1);
  });

  it('refuses the release the device already runs with ALREADY_RUNNING', async () => {
    const release = await t.makeRelease('bota-pin', 'v1.3.0');
    const { device, secret } = await t.provision('bota-pin');
    const body = {
      firmware_version: 'v1.3.0-001',
      model: 'bota-pin' as const,
      recording: false,
      battery: 50,
    };
    await postHeartbeat(t.url, deviceHeartbeat(device.id, secret, body));

    await expect(
      t.client.createAssignment({ device_id: device.id, release_id: release.id }),
    ).rejects.toMatchObject({
      status: 409,
      code: 'ALREADY_RUNNING',
      message: expect.stringMatching(/already runs v1\.3\.0-001/),
    });
  });

  it('refuses another model and unreleased drafts', async () => {
    const note = await t.makeRelease('bota-note', 'v1.0.5');
    const draft = await t.client.createRelease({ version: 'v1.9.9', model: 'bota-pin' });
    const { device } = await t.provision('bota-pin');

    await expect(
      t.client.createAssignment({ device_id: device.id, release_id: note.id }),
    ).rejects.toMatchObject({
      status: 422,
      code: 'MODEL_MISMATCH',
    });
    await expect(
      t.client.createAssignment({ device_id: device.id, release_id: draft.id }),
    ).rejects.toMatchObject({
      status: 409,
      code: 'RELEASE_NOT_RELEASED',
    });
    await expect(
      t.client.createAssignment({ device_id: 'nope', release_id: draft.id }),
    ).rejects.toMatchObject({
      status: 404,
      code: 'DEVICE_NOT_FOUND',
    });
  });

  it('lists by device and status, and counts them in the fleet summary', async () => {
    const release = await t.makeRelease('bota-pin-pro', 'v2.0.0');
    const { device } = await t.provision('bota-pin-pro');
    const assignment = await t.client.createAssignment({
      device_id: device.id,
      release_id: release.id,
    });

    expect((await t.client.deviceAssignments(device.id)).map((a) => a.id)).toEqual([assignment.id]);
    const pending = await t.client.listAssignments({ status: 'pending' });
    expect(pending.map((a) => a.id)).toContain(assignment.id);
    const fleet = await t.client.fleet();
    expect(fleet.by_status.find((row) => row.status === 'pending')?.count).toBeGreaterThanOrEqual(
      1,
    );
    expect(fleet.by_version.some((row) => row.model === 'bota-pin-pro')).toBe(true);
  });

  it('records who did what in the audit log', async () => {
    const entries = await t.client.audit(500);
    const actions = new Set(entries.map((entry) => entry.action));
    for (const action of [
      'release.create',
      'release.upload',
      'release.release',
      'device.provision',
    ]) {
      expect(actions).toContain(action);
    }
    expect(entries.find((entry) => entry.action === 'assignment.create')?.actor).toBe(
      'bootstrap admin',
    );
  });
});
