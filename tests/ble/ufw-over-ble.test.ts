// A firmware push over the virtual Bluetooth radio, end to end: the station's LinkSession on
// the noble-backed channel, a VirtualDevice serving the link protocol in another process
// (agent/ble-cli.ts), the device rebooting into the new version and advertising again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Bluetooth, openBluetooth } from '../../main/link/ble/index';
import { LinkSession } from '../../main/link/session';
import type { SignedHeartbeat } from '../../protocol/heartbeat';
import { buildImage } from '../../protocol/image';
import { encodeUfw } from '../../protocol/ufw';
import { heard, type RadioProcess, startRadioProcess, waitFor } from './support';

const FAST = { requestTimeoutMs: 5000, stallMs: 3000 };

function ufwFor(version: string, size: number): Uint8Array {
  return encodeUfw(
    { model: 'bota-pin', version },
    buildImage({ model: 'bota-pin', version }, size),
  );
}

describe('.ufw over the virtual radio', () => {
  let radio: RadioProcess;
  let bluetooth: Bluetooth;

  beforeAll(async () => {
    radio = await startRadioProcess([
      '--devices',
      '3',
      '--reboot-ms',
      '300',
      '--heartbeat-ms',
      '200',
    ]);
    bluetooth = await openBluetooth({ virtualRadio: radio.radio });
  });

  afterAll(async () => {
    await bluetooth?.close();
    await radio?.close();
  });

  async function session(serial: string): Promise<LinkSession> {
    const ad = await heard(bluetooth, serial);
    return new LinkSession(await bluetooth.connect(ad.address), FAST);
  }

  it('pushes an image, applies it, and the device comes back on the new version', async () => {
    const first = await session('PIN-00001');
    expect(await first.identify()).toMatchObject({
      model: 'bota-pin',
      serial: 'PIN-00001',
      firmwareVersion: 'v1.0.0-001',
    });

    const ufw = ufwFor('v1.1.0-001', 200_000);
    let done = 0;
    await first.transfer(ufw, (bytes) => (done = bytes));
    expect(done).toBe(200_000);

    const reasons: string[] = [];
    first.onClose((reason) => reasons.push(reason));
    await first.apply();
    await waitFor(() => reasons.length === 1, 'the link to drop for the reboot');

    const second = await session('PIN-00001');
    expect((await second.identify()).firmwareVersion).toBe('v1.1.0-001');
    await second.close();
  });

  it('passes on the device refusing a transfer while it records', async () => {
    await radio.command({ op: 'recording', serial: 'PIN-00002', on: true });
    const link = await session('PIN-00002');
    try {
      await expect(
        link.transfer(ufwFor('v1.1.0-001', 50_000), () => undefined),
      ).rejects.toMatchObject({ code: 'RECORDING_ACTIVE' });
      expect((await link.identify()).firmwareVersion).toBe('v1.0.0-001');
    } finally {
      await link.close();
      await radio.command({ op: 'recording', serial: 'PIN-00002', on: false });
    }
  });

  it('carries the signed heartbeats of a provisioned device', async () => {
    const link = await session('PIN-00003');
    const heartbeats: SignedHeartbeat[] = [];
    link.onHeartbeat((heartbeat) => heartbeats.push(heartbeat));

    // The device heartbeats over the link once the station identified it and it has an id.
    const deviceId = '0190aaaa-bbbb-7ccc-8ddd-eeeeffff0001';
    expect((await link.identify()).deviceId).toBeNull();
    await link.provision({ deviceId, secret: 'a'.repeat(64), cloudUrl: 'http://127.0.0.1:9' });
    await waitFor(() => heartbeats.length >= 2, 'two heartbeats over the link');

    expect(heartbeats[0]).toMatchObject({ deviceId });
    expect(JSON.parse(heartbeats[0]!.body)).toMatchObject({ model: 'bota-pin' });
    await link.close();
  });
});
