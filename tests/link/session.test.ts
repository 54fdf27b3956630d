import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { VirtualDevice } from '../../agent/device/device';
import { serveLink } from '../../agent/link/serve';
import { LinkSession } from '../../main/link/session';
import { verifyHeartbeatSignature } from '../../protocol/heartbeat';
import { createMemoryLinkPair, type MemoryLinkFaults } from '../../protocol/link/memory-channel';
import { codeOf, makeUfw, tempDir, waitFor } from './support/fixtures';

let temp: { dir: string; remove: () => Promise<void> };
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  temp = await tempDir('bota-link-session-');
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await temp.remove();
});

async function setUp(
  faults: MemoryLinkFaults = {},
  serveOptions: Parameters<typeof serveLink>[2] = {},
) {
  const device = await VirtualDevice.open({
    dir: temp.dir,
    model: 'bota-pin',
    serial: 'PIN-00001',
    rebootMs: 20,
  });
  const pair = createMemoryLinkPair({ maxMessageBytes: 4096, ...faults });
  const service = serveLink(device, pair.b, { windowBytes: 32 * 1024, ...serveOptions });
  const session = new LinkSession(pair.a, { requestTimeoutMs: 300, stallMs: 200 });
  cleanups.push(
    () => device.close(),
    () => service.close(),
    () => session.close(),
  );
  return { device, session, pair };
}

describe('LinkSession with serveLink over an in-memory link', () => {
  it('identifies, transfers, applies and reboots into the new version', async () => {
    const { device, session } = await setUp();

    const before = await session.identify();
    expect(before).toMatchObject({ model: 'bota-pin', serial: 'PIN-00001', canResume: true });
    expect(device.linkAttached).toBe(true);

    const seen: number[] = [];
    await session.transfer(makeUfw({ size: 100_000 }), (done) => seen.push(done));
    expect(seen.at(-1)).toBe(100_000);
    await session.apply();

    const after = await waitFor(async () => {
      const identity = await session.identify().catch(() => null);
      return identity?.firmwareVersion === 'v1.0.1-001' ? identity : null;
    }, 'the new version');
    expect(after.firmwareVersion).toBe('v1.0.1-001');
    expect(session.lastTransferStats()?.bytesSent).toBe(100_000);
  });

  it('recovers lost and corrupted data messages through naks and stalls', async () => {
    let count = 0;
    const { session } = await setUp({
      filter: (message, data) => {
        if (!data) return message;
        count += 1;
        if (count % 7 === 0) return null; // lost
        return message;
      },
    });

    await session.transfer(makeUfw({ size: 200_000 }), () => undefined);
    const stats = session.lastTransferStats();
    expect(stats?.rewinds).toBeGreaterThan(0);
    expect(stats?.bytesSent).toBeGreaterThan(200_000);
  });

  it('relays signed heartbeats and pushes status changes', async () => {
    const { device, session } = await setUp({}, { heartbeatIntervalMs: 20 });
    await device.provision({ deviceId: 'dev-1', secret: 's3cret', cloudUrl: 'http://x' });
    const heartbeats: unknown[] = [];
    const statuses: boolean[] = [];
    session.onHeartbeat((heartbeat) => {
      expect(verifyHeartbeatSignature('s3cret', heartbeat)).toBe(true);
      heartbeats.push(heartbeat);
    });
    session.onStatus((identity) => statuses.push(identity.recording));
    await session.identify();

    await waitFor(() => heartbeats.length >= 2, 'two heartbeats');
    device.setRecording(true);
    await waitFor(() => statuses.includes(true), 'a recording status push');
  });

  it('refuses a transfer while recording and aborts one when recording starts', async () => {
    const { device, session } = await setUp();
    device.setRecording(true);
    expect(await codeOf(session.transfer(makeUfw(), () => undefined))).toBe('RECORDING_ACTIVE');

    device.setRecording(false);
    const failing = session.transfer(makeUfw({ size: 400_000 }), (done) => {
      if (done > 50_000) device.setRecording(true);
    });
    expect(await codeOf(failing)).toBe('RECORDING_ACTIVE');
    expect(device.firmwareVersion).toBe('v1.0.0-001');
  });

  it('resumes a broken transfer from what the device holds', async () => {
    const { device, session, pair } = await setUp();
    const ufw = makeUfw({ size: 300_000 });
    const broken = session.transfer(ufw, (done) => {
      if (done > 100_000) void pair.a.close();
    });
    expect(await codeOf(broken)).toBe('LINK_LOST');
    await waitFor(() => !device.linkAttached, 'the device to detach');

    const again = createMemoryLinkPair({ maxMessageBytes: 4096 });
    const service = serveLink(device, again.b);
    const session2 = new LinkSession(again.a);
    cleanups.push(
      () => service.close(),
      () => session2.close(),
    );
    await session2.transfer(ufw, () => undefined);
    const stats = session2.lastTransferStats();
    expect(stats?.startOffset).toBeGreaterThan(0);
    expect(stats?.bytesSent).toBeLessThan(300_000);
  });
});
