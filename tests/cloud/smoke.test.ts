import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deviceHeartbeat, postHeartbeat, startTestCloud, type TestCloud } from '../support/cloud';

describe('cloud smoke', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud();
  });
  afterAll(async () => t?.close());

  it('releases, assigns and delivers over a heartbeat', async () => {
    expect(await t.client.health()).toEqual({ ok: true });
    const release = await t.makeRelease('bota-pin', 'v1.0.1');
    expect(release.status).toBe('released');
    const { device, secret } = await t.provision('bota-pin');
    const assignment = await t.client.createAssignment({
      device_id: device.id,
      release_id: release.id,
    });
    expect(assignment.status).toBe('pending');

    const body = {
      firmware_version: 'v1.0.0-001',
      model: 'bota-pin' as const,
      recording: false,
      battery: 80,
    };
    const reply = await postHeartbeat(t.url, deviceHeartbeat(device.id, secret, body));
    expect(reply.status).toBe(200);
    expect(reply.json.ota).toMatchObject({ assignment_id: assignment.id, version: 'v1.0.1' });
    const download = await fetch((reply.json.ota as { url: string }).url);
    expect(download.status).toBe(200);
  });
});
