import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { crc32 } from '../../protocol/crc32';
import type { OtaManifest } from '../../protocol/heartbeat';
import { buildImage } from '../../protocol/image';
import { VirtualDevice } from '../device/device';
import { DeviceFaults, type FaultSpec } from '../faults';
import { createHttpAgents, destroyHttpAgents, type HttpAgents } from './http';
import {
  type RangeServer,
  type RangeServerOptions,
  startRangeServer,
} from './range-server.fixture';
import { runUpdate } from './update';

const IMAGE = buildImage({ model: 'bota-pin', version: 'v1.2.0-007' }, 300_000);

let dir: string;
let agents: HttpAgents;
let server: RangeServer | undefined;
let device: VirtualDevice;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bota-ota-'));
  agents = createHttpAgents();
  device = await VirtualDevice.open({ dir, model: 'bota-pin', serial: 'PIN-00007', rebootMs: 5 });
});

afterEach(async () => {
  await device.close();
  await server?.close();
  server = undefined;
  destroyHttpAgents(agents);
  await rm(dir, { recursive: true, force: true });
});

async function update(faults: FaultSpec = {}, serverOptions: RangeServerOptions = {}) {
  server = await startRangeServer(IMAGE, serverOptions);
  const manifest: OtaManifest = {
    assignment_id: 'assignment-1',
    version: 'v1.2.0',
    url: server.url,
    size: IMAGE.length,
    crc32: crc32(IMAGE),
    expires_at: new Date(Date.now() + 60_000).toISOString(),
  };
  const injected = new DeviceFaults(faults, device.serial);
  return runUpdate(device, manifest, { agents, retryDelayMs: 1, faults: injected });
}

describe('runUpdate over real HTTP', () => {
  it('downloads, verifies and boots the image', async () => {
    expect(await update()).toEqual({ kind: 'applied', version: 'v1.2.0-007' });
    expect(server?.ranges).toEqual([null]);
  });

  it('survives fewer than 10 drops by resuming from the last byte held', async () => {
    const outcome = await update({ dropAfterBytes: 40_000, dropCount: 6 });

    expect(outcome).toEqual({ kind: 'applied', version: 'v1.2.0-007' });
    expect(server?.ranges).toHaveLength(7);
    expect(server?.ranges.slice(1)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `bytes=${n * 40_000}-`));
  });

  it('gives up after 10 tries and keeps the old firmware', async () => {
    const outcome = await update({ dropAfterBytes: 10_000 });

    expect(outcome).toMatchObject({ kind: 'failed' });
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/^gave up after 10 tries/);
    expect(device.firmwareVersion).toBe('v1.0.0-001');
  });

  it('starts over when the server answers a Range request with 200', async () => {
    const outcome = await update({ dropAfterBytes: 100_000, dropCount: 1 }, { ignoreRange: true });
    expect(outcome).toEqual({ kind: 'applied', version: 'v1.2.0-007' });
    expect(server?.ranges).toEqual([null, 'bytes=100000-']);
  });

  it('never applies a corrupted image', async () => {
    const outcome = await update({ corruptByteAt: 123_456 });
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/^CRC mismatch/);
    expect(device.firmwareVersion).toBe('v1.0.0-001');
  });

  it('reports an expired URL', async () => {
    const outcome = await update({}, { status: 403 });
    expect(outcome).toEqual({
      kind: 'failed',
      reason: 'download URL expired or refused (HTTP 403)',
    });
  });

  it('reports a flash write error', async () => {
    const flash = new DeviceFaults({ flashErrorAtByte: 50_000 }, device.serial);
    await device.close();
    device = await VirtualDevice.open({
      dir,
      model: 'bota-pin',
      serial: 'PIN-00007',
      rebootMs: 5,
      hooks: flash.deviceHooks(device),
    });
    const outcome = await update();
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/^flash write error/);
  });

  it('stops when recording starts mid-download', async () => {
    const recording = new DeviceFaults({ recordAtByte: 100_000 }, device.serial);
    await device.close();
    device = await VirtualDevice.open({
      dir,
      model: 'bota-pin',
      serial: 'PIN-00007',
      rebootMs: 5,
      hooks: recording.deviceHooks({ setRecording: (on) => device.setRecording(on) }),
    });
    const outcome = await update();
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/^recording started/);
    expect(device.recording).toBe(true);
    expect(device.firmwareVersion).toBe('v1.0.0-001');
  });

  it('defers while recording, without downloading', async () => {
    device.setRecording(true);
    expect(await update()).toEqual({ kind: 'deferred', why: 'recording' });
    expect(server?.ranges).toEqual([]);
  });

  it('reports a bootloader refusal', async () => {
    await device.close();
    const refuse = new DeviceFaults({ refuseApply: 'test refusal' }, 'PIN-00007');
    device = await VirtualDevice.open({
      dir,
      model: 'bota-pin',
      serial: 'PIN-00007',
      rebootMs: 5,
      hooks: refuse.deviceHooks({ setRecording: () => undefined }),
    });
    const outcome = await update();
    expect(outcome).toEqual({
      kind: 'failed',
      reason: 'bootloader refused the image: test refusal',
    });
    expect(device.firmwareVersion).toBe('v1.0.0-001');
  });

  it('reports an image built for another model', async () => {
    const note = buildImage({ model: 'bota-note', version: 'v1.2.0-007' }, 100_000);
    server = await startRangeServer(note);
    const outcome = await runUpdate(
      device,
      {
        assignment_id: 'assignment-2',
        version: 'v1.2.0',
        url: server.url,
        size: note.length,
        crc32: crc32(note),
        expires_at: new Date(Date.now() + 60_000).toISOString(),
      },
      { agents },
    );
    expect(outcome.kind === 'failed' && outcome.reason).toMatch(/^wrong model/);
    expect(device.firmwareVersion).toBe('v1.0.0-001');
  });
});
