import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LinkSession } from '../../main/link/session';
import { openSerialChannel } from '../../protocol/link/serial-channel';
import { type DeviceProcess, startDeviceProcess } from './support/device-process';
import { codeOf, makeUfw, tempDir, waitFor } from './support/fixtures';
import { type FaultyLine, startFaultyLine } from './support/relay';
import { type PtyPair, startPtyPair } from './support/socat';

const IMAGE_BYTES = 1536 * 1024;
const OLD = 'v1.0.0-001';
const NEW = 'v1.0.2-003';

let temp: { dir: string; remove: () => Promise<void> };
const stops: (() => Promise<void>)[] = [];

beforeEach(async () => {
  temp = await tempDir('bota-link-faults-');
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  await temp.remove();
});

/** A random point in the middle of the transfer, logged so a failure can be replayed. */
function randomPoint(): number {
  const point = Math.floor(IMAGE_BYTES * (0.15 + Math.random() * 0.35));
  console.info(`fault injected once ${point} of ${IMAGE_BYTES} bytes are acknowledged`);
  return point;
}

async function device(port: string): Promise<DeviceProcess> {
  const started = await startDeviceProcess({ dir: temp.dir, port });
  stops.push(() => started.stop());
  return started;
}

async function connect(path: string): Promise<LinkSession> {
  const channel = await openSerialChannel(path);
  const session = new LinkSession(channel, {
    requestTimeoutMs: 2000,
    keepaliveMs: 400,
    stallMs: 1000,
    maxStalls: 20,
  });
  stops.push(() => session.close());
  return session;
}

async function line(): Promise<FaultyLine> {
  const faulty = await startFaultyLine(temp.dir);
  stops.push(() => faulty.stop());
  return faulty;
}

/** Reboots the device and checks it comes back on `version`, whatever was half-sent. */
async function expectBootsInto(dev: DeviceProcess, version: string): Promise<void> {
  const event = await dev.commandAndWait('reboot', (e) => e.event === 'identity', 'a reboot');
  expect(event.online).toBe(true);
  expect(event.firmwareVersion).toBe(version);
}

async function applyAndExpect(session: LinkSession, version: string): Promise<void> {
  await session.apply();
  await waitFor(async () => {
    const identity = await session.identify().catch(() => null);
    return identity?.firmwareVersion === version;
  }, `the device to boot ${version}`);
}

describe('link faults over serial, device in another process', () => {
  it('survives killing socat mid-transfer and resumes once the line is back', async () => {
    let pty: PtyPair = await startPtyPair(temp.dir);
    stops.push(() => pty.stop());
    const dev = await device(pty.b);
    const ufw = makeUfw({ version: NEW, size: IMAGE_BYTES });

    const first = await connect(pty.a);
    const point = randomPoint();
    const broken = first.transfer(ufw, (done) => {
      if (done >= point) void pty.stop('SIGKILL');
    });
    expect(await codeOf(broken)).toBe('LINK_LOST');
    await dev.waitFor((e) => e.event === 'change' && !e.attached, 'the device to go idle');

    pty = await startPtyPair(temp.dir);
    const second = await waitFor(() => connect(pty.a).catch(() => null), 'the new port');
    expect((await second.identify()).firmwareVersion).toBe(OLD);
    await second.transfer(ufw, () => undefined);
    const stats = second.lastTransferStats();
    expect(stats?.startOffset).toBeGreaterThan(0);
    expect(stats?.bytesSent).toBeLessThan(IMAGE_BYTES);
    await applyAndExpect(second, NEW);
  });

  it('resumes after the device process is killed -9 mid-transfer and restarted', async () => {
    const pty = await startPtyPair(temp.dir);
    stops.push(() => pty.stop());
    const first = await startDeviceProcess({ dir: temp.dir, port: pty.b });
    const channel = await openSerialChannel(pty.a);
    const session = new LinkSession(channel, {
      requestTimeoutMs: 1000,
      stallMs: 500,
      maxStalls: 3,
    });
    stops.push(() => session.close());
    const ufw = makeUfw({ version: NEW, size: IMAGE_BYTES });

    const point = randomPoint();
    const broken = session.transfer(ufw, (done) => {
      if (done >= point) void first.stop('SIGKILL');
    });
    expect(await codeOf(broken)).toBe('TIMEOUT');

    await session.close();

    const second = await device(pty.b);
    expect(second.latest().firmwareVersion).toBe(OLD);
    const again = await connect(pty.a);
    await again.transfer(ufw, () => undefined);
    expect(again.lastTransferStats()?.bytesSent).toBeLessThan(IMAGE_BYTES);
    await applyAndExpect(again, NEW);
  });

  it('keeps the running firmware when the station closes the port mid-transfer', async () => {
    const pty = await startPtyPair(temp.dir);
    stops.push(() => pty.stop());
    const dev = await device(pty.b);
    const session = await connect(pty.a);

    const point = randomPoint();
    const broken = session.transfer(makeUfw({ version: NEW, size: IMAGE_BYTES }), (done) => {
      if (done >= point) void session.close();
    });
    expect(await codeOf(broken)).toBe('LINK_LOST');
    await dev.waitFor((e) => e.event === 'change' && !e.attached, 'the device to go idle');
    await expectBootsInto(dev, OLD);
  });

  it('recovers from line noise both ways and from a damaged chunk', async () => {
    const faulty = await line();
    const dev = await device(faulty.devicePath);
    const session = await connect(faulty.stationPath);
    expect((await session.identify()).firmwareVersion).toBe(OLD);

    let noisy = 0;
    await session.transfer(makeUfw({ version: NEW, size: IMAGE_BYTES }), (done) => {
      if (done < (IMAGE_BYTES * (noisy + 1)) / 6) return;
      noisy += 1;
      faulty.injectNoise('to-device', 40);
      faulty.injectNoise('to-station', 40);
      if (noisy === 2) faulty.corruptNext('to-device');
    });
    expect(session.lastTransferStats()?.rewinds).toBeGreaterThan(0);
    await applyAndExpect(session, NEW);
    expect(dev.latest().firmwareVersion).toBe(NEW);
  });

  it('reports CRC_MISMATCH when flash was written wrong and keeps the firmware', async () => {
    const faulty = await line();
    const dev = await device(faulty.devicePath);
    const session = await connect(faulty.stationPath);
    await dev.commandAndWait('corrupt-next-write', (e) => e.event === 'identity', 'the fault');

    const failing = session.transfer(makeUfw({ version: NEW, size: IMAGE_BYTES }), () => undefined);
    expect(await codeOf(failing)).toBe('CRC_MISMATCH');
    await expectBootsInto(dev, OLD);
  });

  for (const fault of [
    { name: 'recording starts', command: 'recording on', code: 'RECORDING_ACTIVE' },
    { name: 'the battery drops', command: 'battery 12', code: 'LOW_BATTERY' },
  ]) {
    it(`stops with ${fault.code} when ${fault.name} mid-transfer`, async () => {
      const faulty = await line();
      const dev = await device(faulty.devicePath);
      const session = await connect(faulty.stationPath);
      await session.identify();

      const point = randomPoint();
      let held: Promise<unknown> | null = null;
      const failing = session.transfer(makeUfw({ version: NEW, size: IMAGE_BYTES }), (done) => {
        if (done < point || held) return;
        // The line holds further chunks until the device has taken the change, so the
        // fault lands mid-transfer however fast the transfer runs.
        faulty.hold('to-device');
        held = dev
          .commandAndWait(fault.command, (e) => e.event === 'identity', fault.command)
          .finally(() => faulty.release('to-device'));
      });
      expect(await codeOf(failing)).toBe(fault.code);
      await held;
      expect(dev.latest().firmwareVersion).toBe(OLD);

      await dev.commandAndWait('recording off', (e) => e.event === 'identity', 'recovery');
      await dev.commandAndWait('battery 90', (e) => e.event === 'identity', 'recovery');
      await expectBootsInto(dev, OLD);
    });
  }
});
