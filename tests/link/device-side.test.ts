import { createHash } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { VirtualDevice } from '../../agent/device/device';
import { type SignatureVerifier } from '../../agent/link/receiver';
import { serveLink, type ServeLinkOptions } from '../../agent/link/serve';
import { LinkSession } from '../../main/link/session';
import { buildImage } from '../../protocol/image';
import type { LinkChannel } from '../../protocol/link/channel';
import { decodeMessage, encodeMessage } from '../../protocol/link/codec';
import { createMemoryLinkPair, type MemoryLinkFaults } from '../../protocol/link/memory-channel';
import type { LinkMessage } from '../../protocol/link/messages';
import { encodeUfw, UFW_HEADER_BYTES } from '../../protocol/ufw';
import { codeOf, makeUfw, tempDir, waitFor } from './support/fixtures';

let temp: { dir: string; remove: () => Promise<void> };
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  temp = await tempDir('bota-link-device-');
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await temp.remove();
});

async function openDevice(): Promise<VirtualDevice> {
  const device = await VirtualDevice.open({
    dir: temp.dir,
    model: 'bota-pin',
    serial: 'PIN-00007',
    rebootMs: 20,
  });
  cleanups.push(() => device.close());
  return device;
}

async function serve(
  device: VirtualDevice,
  options: ServeLinkOptions = {},
  faults: MemoryLinkFaults = {},
) {
  const pair = createMemoryLinkPair({ maxMessageBytes: 2048, ...faults });
  const service = serveLink(device, pair.b, options);
  cleanups.push(() => service.close());
  return pair;
}

/** Sends raw messages from the station end and collects what comes back. */
function rawStation(channel: LinkChannel) {
  const received: LinkMessage[] = [];
  channel.onMessage((bytes) => received.push(decodeMessage(bytes)));
  return {
    received,
    send: (message: LinkMessage) => channel.send(encodeMessage(message)),
    sendBytes: (bytes: Uint8Array) => channel.send(bytes),
    reply: (id: number) =>
      waitFor(() => received.find((m) => 'id' in m && m.id === id), `reply ${id}`),
  };
}

function session(channel: LinkChannel): LinkSession {
  const created = new LinkSession(channel, { requestTimeoutMs: 200, stallMs: 200 });
  cleanups.push(() => created.close());
  return created;
}

describe('serveLink refusals and malformed input', () => {
  it('answers a damaged .ufw header with BAD_HEADER and a wrong length too', async () => {
    const device = await openDevice();
    const station = rawStation((await serve(device)).a);
    const header = Buffer.from(makeUfw().subarray(0, UFW_HEADER_BYTES));

    const damaged = Buffer.from(header);
    damaged[30] = (damaged[30] ?? 0) ^ 0xff;
    await station.send({
      type: 'begin',
      id: 1,
      transfer: 1,
      header: damaged,
      totalLength: 1,
      resume: false,
    });
    expect(await station.reply(1)).toMatchObject({ type: 'error', code: 'BAD_HEADER' });

    await station.send({
      type: 'begin',
      id: 2,
      transfer: 1,
      header,
      totalLength: 999,
      resume: false,
    });
    expect(await station.reply(2)).toMatchObject({ type: 'error', code: 'BAD_HEADER' });
    expect(device.updating).toBe(false);
  });

  it('drops malformed messages and keeps serving', async () => {
    const device = await openDevice();
    const station = rawStation((await serve(device)).a);
    await station.sendBytes(Uint8Array.from([0x03, 0x01])); // a truncated begin
    await station.sendBytes(Uint8Array.from([0x7e])); // an unknown type
    await station.send({ type: 'identify', id: 3 });
    expect(await station.reply(3)).toMatchObject({ type: 'identity' });
  });

  it('refuses an image for another model with MODEL_MISMATCH', async () => {
    const device = await openDevice();
    const link = session((await serve(device)).a);
    const failing = link.transfer(makeUfw({ model: 'bota-note' }), () => undefined);
    expect(await codeOf(failing)).toBe('MODEL_MISMATCH');
  });

  it('refuses with LOW_BATTERY before writing anything', async () => {
    const device = await openDevice();
    device.setBattery(10);
    const link = session((await serve(device)).a);
    expect(await codeOf(link.transfer(makeUfw(), () => undefined))).toBe('LOW_BATTERY');
  });

  it('refuses a damaged .ufw on the station before sending it', async () => {
    const device = await openDevice();
    const link = session((await serve(device)).a);
    const ufw = makeUfw();
    ufw[ufw.length - 1] = (ufw[ufw.length - 1] ?? 0) ^ 1;
    expect(await codeOf(link.transfer(ufw, () => undefined))).toBe('CRC_MISMATCH');
  });
});

describe('serveLink requests and sessions', () => {
  it('answers a retried request once: a lost reply is resent, not redone', async () => {
    const device = await openDevice();
    let dropped = 0;
    const pair = await serve(
      device,
      {},
      {
        filter: (message, _data, from) => {
          if (from === 'b' && message[0] === 0x80 && dropped === 0) {
            dropped += 1;
            return null; // the device's first "ok" is lost on the way
          }
          return message;
        },
      },
    );
    let provisions = 0;
    device.on('change', () => (provisions += device.deviceId ? 1 : 0));
    const link = session(pair.a);
    await link.provision({ deviceId: 'dev-7', secret: 'x', cloudUrl: 'http://127.0.0.1:1' });
    expect(dropped).toBe(1);
    expect(device.deviceId).toBe('dev-7');
    expect(provisions).toBe(1);
  });

  it('stops with ABORTED on an abort signal and leaves the firmware alone', async () => {
    const device = await openDevice();
    const link = session((await serve(device, { windowBytes: 16 * 1024 })).a);
    const controller = new AbortController();
    const failing = link.transfer(
      makeUfw({ size: 400_000 }),
      (done) => {
        if (done > 40_000) controller.abort();
      },
      controller.signal,
    );
    expect(await codeOf(failing)).toBe('ABORTED');
    await waitFor(() => !device.updating, 'the device to drop the transfer');
    await device.reboot();
    expect(device.firmwareVersion).toBe('v1.0.0-001');
  });

  it('checks signatures through the hook and never resumes a checked image', async () => {
    const device = await openDevice();
    const sha = (header: { signature?: Uint8Array }): SignatureVerifier => {
      const hash = createHash('sha256');
      return {
        update: (chunk) => void hash.update(chunk),
        verify: () => Buffer.from(header.signature ?? []).equals(hash.digest().subarray(0, 32)),
      };
    };
    const link = session((await serve(device, { signatureCheck: (header) => sha(header) })).a);
    const image = buildImage({ model: 'bota-pin', version: 'v1.0.3-001' }, 50_000);
    const good = createHash('sha256').update(image).digest();
    const signed = (signature: Buffer) =>
      encodeUfw({ model: 'bota-pin', version: 'v1.0.3-001', signature }, image);

    expect(await codeOf(link.transfer(signed(Buffer.alloc(32, 7)), () => undefined))).toBe(
      'BAD_SIGNATURE',
    );
    await link.transfer(signed(good), () => undefined);
    expect(link.lastTransferStats()?.startOffset).toBe(0);
    await link.apply();
    await waitFor(() => device.online && device.firmwareVersion === 'v1.0.3-001', 'the reboot');
  });

  it('detaches when the station goes quiet and attaches again when it speaks', async () => {
    const device = await openDevice();
    let idled = 0;
    const station = rawStation(
      (await serve(device, { idleTimeoutMs: 100, onIdle: () => idled++ })).a,
    );
    await station.send({ type: 'ping', id: 1 });
    await station.reply(1);
    expect(device.linkAttached).toBe(true);
    await waitFor(() => !device.linkAttached, 'the device to detach');
    expect(idled).toBeGreaterThan(0);
    await station.send({ type: 'identify', id: 2 });
    await station.reply(2);
    expect(device.linkAttached).toBe(true);
  });
});
