import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LinkSession } from '../../main/link/session';
import { openSerialChannel } from '../../protocol/link/serial-channel';
import { type DeviceProcess, startDeviceProcess } from './support/device-process';
import { makeUfw, tempDir, waitFor } from './support/fixtures';
import { type PtyPair, startPtyPair } from './support/socat';

let temp: { dir: string; remove: () => Promise<void> };
let pty: PtyPair;
let device: DeviceProcess;
const sessions: LinkSession[] = [];

beforeEach(async () => {
  temp = await tempDir('bota-link-serial-');
  pty = await startPtyPair(temp.dir);
  device = await startDeviceProcess({ dir: temp.dir, port: pty.b });
});

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  await device.stop();
  await pty.stop();
  await temp.remove();
});

async function connect(): Promise<LinkSession> {
  const channel = await openSerialChannel(pty.a);
  const session = new LinkSession(channel, {
    requestTimeoutMs: 2000,
    keepaliveMs: 400,
    stallMs: 1000,
  });
  sessions.push(session);
  return session;
}

describe('serial link to a device in another process', () => {
  it('pushes a .ufw over a socat pty pair and the device reboots into it', async () => {
    const session = await connect();
    const before = await session.identify();
    expect(before).toMatchObject({ serial: 'PIN-00001', firmwareVersion: 'v1.0.0-001' });

    const ufw = makeUfw({ version: 'v1.0.2-003', size: 512 * 1024 });
    let last = 0;
    await session.transfer(ufw, (done) => (last = done));
    expect(last).toBe(512 * 1024);
    await session.apply();

    const after = await waitFor(async () => {
      const identity = await session.identify().catch(() => null);
      return identity?.firmwareVersion === 'v1.0.2-003' ? identity : null;
    }, 'the device to boot v1.0.2-003');
    expect(after.serial).toBe('PIN-00001');
    expect(device.latest().firmwareVersion).toBe('v1.0.2-003');
  });
});

describe('closing the session on serial', () => {
  it('detaches the device at once, though a closed pty is invisible to it', async () => {
    await device.stop();
    device = await startDeviceProcess({ dir: temp.dir, port: pty.b, idleMs: 120_000 });
    const session = await connect();
    await session.identify();
    await device.waitFor((event) => event.attached, 'the device to count the link attached');

    await session.close();
    const detached = () => (device.latest().attached ? null : device.latest());
    await waitFor(async () => detached(), 'the device to detach on the close');
  });
});
