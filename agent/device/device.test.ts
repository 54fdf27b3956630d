import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { crc32 } from '../../protocol/crc32';
import { verifyHeartbeatSignature } from '../../protocol/heartbeat';
import { buildImage } from '../../protocol/image';
import { DeviceRefusal, VirtualDevice, type VirtualDeviceOptions } from './device';

let dir: string;
const open: VirtualDevice[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bota-device-'));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((device) => device.close()));
  await rm(dir, { recursive: true, force: true });
});

async function openDevice(overrides: Partial<VirtualDeviceOptions> = {}): Promise<VirtualDevice> {
  const device = await VirtualDevice.open({
    dir,
    model: 'bota-pin',
    serial: 'PIN-00001',
    rebootMs: 5,
    ...overrides,
  });
  open.push(device);
  return device;
}

function image(
  version = 'v1.0.1-001',
  size = 10_000,
  model: 'bota-pin' | 'bota-note' = 'bota-pin',
) {
  const bytes = buildImage({ model, version }, size);
  return { bytes, offer: { model, length: bytes.length, crc32: crc32(bytes), version } };
}

async function writeAll(device: VirtualDevice, bytes: Uint8Array, chunk = 1000): Promise<void> {
  const writer = await device.beginUpdate(image().offer);
  for (let at = 0; at < bytes.length; at += chunk) {
    await writer.write(at, bytes.subarray(at, at + chunk));
  }
  await writer.finish();
}

async function refusalOf(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeviceRefusal);
  return (error as DeviceRefusal).code;
}

describe('VirtualDevice', () => {
  it('boots from the factory image and restores its state when reopened', async () => {
    const device = await openDevice({ battery: 80 });
    expect(device.identity()).toMatchObject({
      model: 'bota-pin',
      serial: 'PIN-00001',
      firmwareVersion: 'v1.0.0-001',
      battery: 80,
      deviceId: null,
      canResume: true,
    });
    await device.provision({ deviceId: 'dev-1', secret: 's3cret', cloudUrl: 'http://x' });
    device.setRecording(true);
    await device.close();

    const again = await openDevice({ battery: 10, firmwareVersion: 'v9.9.9-009' });
    expect(again.identity()).toMatchObject({
      firmwareVersion: 'v1.0.0-001',
      battery: 80,
      recording: true,
      deviceId: 'dev-1',
    });
    expect(again.cloudUrl).toBe('http://x');
  });

  it('writes, verifies and boots a new image, offline while rebooting', async () => {
    const device = await openDevice();
    const { bytes } = image();
    await writeAll(device, bytes);
    expect(device.firmwareVersion).toBe('v1.0.0-001');

    const rebooted = device.reboot();
    expect(device.online).toBe(false);
    await rebooted;
    expect(device.online).toBe(true);
    expect(device.firmwareVersion).toBe('v1.0.1-001');
    expect(device.lastBoot).toMatchObject({ applied: true, refusedReason: null });
    expect(device.heldBytes(image().offer)).toBe(0);

    const running = await readFile(join(dir, 'PIN-00001', 'slot-b.img'));
    expect(crc32(running)).toBe(crc32(bytes));
  });

  it('refuses updates it must not take', async () => {
    const device = await openDevice();
    const { offer } = image();
    expect(await refusalOf(device.beginUpdate({ ...offer, model: 'bota-note' }))).toBe(
      'MODEL_MISMATCH',
    );
    expect(await refusalOf(device.beginUpdate({ ...offer, length: 5 * 1024 * 1024 }))).toBe(
      'IMAGE_TOO_LARGE',
    );
    device.setBattery(19);
    expect(await refusalOf(device.beginUpdate(offer))).toBe('LOW_BATTERY');
    device.setBattery(90);
    device.setRecording(true);
    expect(await refusalOf(device.beginUpdate(offer))).toBe('RECORDING_ACTIVE');
    device.setRecording(false);

    const writer = await device.beginUpdate(offer);
    expect(await refusalOf(device.beginUpdate(offer))).toBe('BUSY');
    expect(await refusalOf(writer.write(100, new Uint8Array(10)))).toBe('OUT_OF_ORDER');
    await writer.abort();
  });

  it('stops writing when recording starts mid-update and keeps the old firmware', async () => {
    const device = await openDevice();
    const { bytes, offer } = image();
    const writer = await device.beginUpdate(offer);
    await writer.write(0, bytes.subarray(0, 4000));
    device.setRecording(true);

    expect(await refusalOf(writer.write(4000, bytes.subarray(4000, 5000)))).toBe(
      'RECORDING_ACTIVE',
    );
    expect(device.updating).toBe(false);
    await device.reboot();
    expect(device.firmwareVersion).toBe('v1.0.0-001');
  });

  it('refuses a damaged image at finish and never boots it', async () => {
    const device = await openDevice();
    const { bytes, offer } = image();
    const damaged = Buffer.from(bytes);
    damaged[5000] = (damaged[5000] ?? 0) ^ 0xff;
    const writer = await device.beginUpdate(offer);
    await writer.write(0, damaged);

    expect(await refusalOf(writer.finish())).toBe('CRC_MISMATCH');
    expect(device.heldBytes(offer)).toBe(0);
    await device.reboot();
    expect(device.firmwareVersion).toBe('v1.0.0-001');
  });

  it('refuses an image for another model or without a descriptor at finish', async () => {
    const device = await openDevice();
    const note = buildImage({ model: 'bota-note', version: 'v1.0.1-001' }, 2000);
    const lying = { model: 'bota-pin' as const, length: note.length, crc32: crc32(note) };
    const writer = await device.beginUpdate(lying);
    await writer.write(0, note);
    expect(await refusalOf(writer.finish())).toBe('MODEL_MISMATCH');

    const junk = Buffer.alloc(2000, 7);
    const junkWriter = await device.beginUpdate({ ...lying, crc32: crc32(junk) });
    await junkWriter.write(0, junk);
    expect(await refusalOf(junkWriter.finish())).toBe('IMAGE_INVALID');
  });

  it('resumes a broken-off image after a restart', async () => {
    const first = await openDevice();
    const { bytes, offer } = image();
    const writer = await first.beginUpdate(offer);
    await writer.write(0, bytes.subarray(0, 6000));
    await first.close();

    const device = await openDevice();
    expect(device.heldBytes(offer)).toBe(6000);
    expect(device.heldBytes({ ...offer, crc32: 1 })).toBe(0);
    const resumed = await device.beginUpdate(offer, { resume: true });
    expect(resumed.offset).toBe(6000);
    await resumed.write(6000, bytes.subarray(6000));
    await resumed.finish();
    await device.reboot();
    expect(device.firmwareVersion).toBe('v1.0.1-001');
  });

  it('starts over when not asked to resume', async () => {
    const device = await openDevice();
    const { bytes, offer } = image();
    const writer = await device.beginUpdate(offer);
    await writer.write(0, bytes.subarray(0, 6000));
    await writer.abort();

    const fresh = await device.beginUpdate(offer);
    expect(fresh.offset).toBe(0);
    expect(device.heldBytes(offer)).toBe(0);
    await fresh.abort();
  });

  it('keeps the old firmware when the spare slot is damaged after verification', async () => {
    const device = await openDevice();
    await writeAll(device, image().bytes);
    await writeFile(join(dir, 'PIN-00001', 'slot-b.img'), Buffer.alloc(10_000));

    await device.reboot();
    expect(device.firmwareVersion).toBe('v1.0.0-001');
    expect(device.lastBoot?.refusedReason).toMatch(/CRC mismatch/);
  });

  it('completes a boot that was pending when the agent stopped', async () => {
    const first = await openDevice();
    await writeAll(first, image().bytes);
    await first.close();

    const device = await openDevice();
    expect(device.firmwareVersion).toBe('v1.0.1-001');
  });

  it('runs its fault hooks at the slot writer and the bootloader', async () => {
    const device = await openDevice({
      hooks: {
        beforeSlotWrite: ({ offset }) => {
          if (offset >= 3000) throw new DeviceRefusal('FLASH_WRITE_ERROR', 'flash failed');
          return undefined;
        },
        beforeApply: () => 'refused by test',
      },
    });
    const { bytes, offer } = image();
    const writer = await device.beginUpdate(offer);
    await writer.write(0, bytes.subarray(0, 3000));
    expect(await refusalOf(writer.write(3000, bytes.subarray(3000)))).toBe('FLASH_WRITE_ERROR');
    await device.close();

    const plain = await openDevice({ hooks: { beforeApply: () => 'refused by test' } });
    await writeAll(plain, bytes);
    await plain.reboot();
    expect(plain.firmwareVersion).toBe('v1.0.0-001');
    expect(plain.lastBoot?.refusedReason).toBe('refused by test');
  });

  it('signs heartbeats with strictly increasing timestamps', async () => {
    const device = await openDevice();
    expect(() => device.signHeartbeat()).toThrow(DeviceRefusal);
    await device.provision({ deviceId: 'dev-1', secret: 'k', cloudUrl: 'http://x' });

    const report = { assignment_id: 'a1', status: 'failed' as const, reason: 'CRC mismatch' };
    const first = device.signHeartbeat();
    const second = device.signHeartbeat(report);
    expect(second.timestamp).toBeGreaterThan(first.timestamp);
    expect(verifyHeartbeatSignature('k', second)).toBe(true);
    expect(JSON.parse(second.body)).toEqual({
      firmware_version: 'v1.0.0-001',
      model: 'bota-pin',
      recording: false,
      battery: 100,
      update: report,
    });
  });

  it('closes while rebooting without hanging, and boots the image at the next open', async () => {
    const device = await openDevice({ rebootMs: 60_000 });
    await writeAll(device, image().bytes);
    const rebooting = device.reboot();
    await device.close();
    await rebooting;

    const again = await openDevice();
    expect(again.firmwareVersion).toBe('v1.0.1-001');
  });

  it('lets only one of two updates begun at once open the slot', async () => {
    const device = await openDevice();
    const { offer } = image();
    const results = await Promise.allSettled([
      device.beginUpdate(offer),
      device.beginUpdate(offer),
    ]);

    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((result) => result.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: 'BUSY' });
  });

  it('turns an I/O error while writing the slot into FLASH_WRITE_ERROR', async () => {
    const device = await openDevice({
      hooks: {
        beforeSlotWrite: () => {
          throw new Error('EIO: i/o error, write');
        },
      },
    });
    const { bytes, offer } = image();
    const writer = await device.beginUpdate(offer);
    const error = await writer.write(0, bytes.subarray(0, 100)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'FLASH_WRITE_ERROR', message: /EIO/ });
    expect(device.updating).toBe(false);
  });

  it('fails the first write, not the begin, when the spare slot cannot be opened', async () => {
    const device = await openDevice();
    await mkdir(join(dir, 'PIN-00001', 'slot-b.img'), { recursive: true });
    const { bytes, offer } = image();

    const writer = await device.beginUpdate(offer);
    const error = await writer.write(0, bytes.subarray(0, 100)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'FLASH_WRITE_ERROR', message: /EISDIR/ });
    expect(device.updating).toBe(false);
    expect(device.firmwareVersion).toBe('v1.0.0-001');
  });
});
