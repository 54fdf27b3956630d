import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CloudClient } from '../../cloud/client';
import { SIGNATURE_WINDOW_MS, signHeartbeat } from '../../protocol/heartbeat';
import { deviceHeartbeat, postHeartbeat, startTestCloud, type TestCloud } from '../support/cloud';

const BODY = {
  firmware_version: 'v1.0.0-001',
  model: 'bota-pin' as const,
  recording: false,
  battery: 77,
};

describe('heartbeat signatures', () => {
  let t: TestCloud;
  let device: { id: string };
  let secret: string;
  beforeAll(async () => {
    t = await startTestCloud();
    ({ device, secret } = await t.provision('bota-pin'));
  });
  afterAll(async () => t?.close());

  it('accepts a good signature and records the heartbeat', async () => {
    const reply = await postHeartbeat(t.url, deviceHeartbeat(device.id, secret, BODY));
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ ota: null, heartbeat_interval_s: 60 });
    const stored = await t.client.getDevice(device.id);
    expect(stored).toMatchObject({ firmware_version: 'v1.0.0-001', battery: 77, recording: false });
  });

  it('refuses a wrong secret and a body changed after signing with SIGNATURE_INVALID', async () => {
    const wrong = await postHeartbeat(t.url, deviceHeartbeat(device.id, 'not-the-secret', BODY));
    expect([wrong.status, wrong.json.code]).toEqual([401, 'SIGNATURE_INVALID']);

    const signed = deviceHeartbeat(device.id, secret, BODY);
    const tampered = { ...signed, body: signed.body.replace('77', '78') };
    const changed = await postHeartbeat(t.url, tampered);
    expect([changed.status, changed.json.code]).toEqual([401, 'SIGNATURE_INVALID']);

    const unknown = await postHeartbeat(t.url, deviceHeartbeat('no-such-device', secret, BODY));
    expect([unknown.status, unknown.json.code]).toEqual([401, 'SIGNATURE_INVALID']);
  });

  it('verifies the raw bytes: the same JSON with other spacing is refused', async () => {
    const signed = deviceHeartbeat(device.id, secret, BODY);
    const respaced = { ...signed, body: JSON.stringify(JSON.parse(signed.body), null, 1) };
    const reply = await postHeartbeat(t.url, respaced);
    expect([reply.status, reply.json.code]).toEqual([401, 'SIGNATURE_INVALID']);
  });

  it('refuses a timestamp outside the window with SIGNATURE_STALE', async () => {
    const old = signHeartbeat(
      device.id,
      secret,
      JSON.stringify(BODY),
      Date.now() - SIGNATURE_WINDOW_MS - 60_000,
    );
    const reply = await postHeartbeat(t.url, old);
    expect([reply.status, reply.json.code]).toEqual([401, 'SIGNATURE_STALE']);
  });

  it('refuses a replayed heartbeat with SIGNATURE_REPLAYED', async () => {
    const signed = deviceHeartbeat(device.id, secret, BODY);
    expect((await postHeartbeat(t.url, signed)).status).toBe(200);
    const replay = await postHeartbeat(t.url, signed);
    expect([replay.status, replay.json.code]).toEqual([401, 'SIGNATURE_REPLAYED']);

    const older = signHeartbeat(device.id, secret, JSON.stringify(BODY), signed.timestamp - 1);
    const earlier = await postHeartbeat(t.url, older);
    expect([earlier.status, earlier.json.code]).toEqual([401, 'SIGNATURE_REPLAYED']);
  });

  it('stops accepting the old secret once the device is re-provisioned', async () => {
    const { device: other, secret: first } = await t.provision('bota-pin');
    const rotated = await t.client.rotateDeviceSecret(other.id);
    expect(rotated.secret).not.toBe(first);

    const stale = await postHeartbeat(t.url, deviceHeartbeat(other.id, first, BODY));
    expect([stale.status, stale.json.code]).toEqual([401, 'SIGNATURE_INVALID']);
    expect(
      (await postHeartbeat(t.url, deviceHeartbeat(other.id, rotated.secret, BODY))).status,
    ).toBe(200);
  });

  it('refuses a malformed body and a heartbeat claiming another model', async () => {
    const bad = await postHeartbeat(
      t.url,
      deviceHeartbeat(device.id, secret, { ...BODY, battery: 300 }),
    );
    expect([bad.status, bad.json.code]).toEqual([400, 'HEARTBEAT_INVALID']);
    const model = await postHeartbeat(
      t.url,
      deviceHeartbeat(device.id, secret, { ...BODY, model: 'bota-note' }),
    );
    expect([model.status, model.json.code]).toEqual([422, 'MODEL_MISMATCH']);
  });

  it('needs an operator token on the relayed endpoint, and the device signature', async () => {
    const viewer = await t.client.createToken('wall screen', 'viewer');
    const asViewer = new CloudClient({ baseUrl: t.url, token: viewer.token });
    await expect(
      asViewer.relayHeartbeat(deviceHeartbeat(device.id, secret, BODY)),
    ).rejects.toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    const anonymous = new CloudClient({ baseUrl: t.url });
    await expect(
      anonymous.relayHeartbeat(deviceHeartbeat(device.id, secret, BODY)),
    ).rejects.toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    await expect(
      t.client.relayHeartbeat(deviceHeartbeat(device.id, 'forged', BODY)),
    ).rejects.toMatchObject({
      status: 401,
      code: 'SIGNATURE_INVALID',
    });
  });

  it('keeps a bounded history, newest first', async () => {
    const { device: busy, secret: busySecret } = await t.provision('bota-pin');
    for (let i = 0; i < 105; i += 1) {
      const reply = await postHeartbeat(
        t.url,
        deviceHeartbeat(busy.id, busySecret, { ...BODY, battery: i % 100 }),
      );
      expect(reply.status).toBe(200);
    }
    const history = await t.client.deviceHeartbeats(busy.id, 100);
    expect(history).toHaveLength(100);
    expect(history[0]?.battery).toBe(104 % 100);
    expect(history[99]?.battery).toBe(5);
  });
});
