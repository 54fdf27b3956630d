import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { crc32 } from '../../protocol/crc32';
import type { HeartbeatBody, OtaManifest } from '../../protocol/heartbeat';
import { buildImage } from '../../protocol/image';
import { VirtualDevice } from '../device/device';
import { OtaClient } from './client';
import { createHttpAgents, destroyHttpAgents, type HttpAgents } from './http';
import { type RangeServer, startRangeServer } from './range-server.fixture';

const IMAGE = buildImage({ model: 'bota-pin', version: 'v1.3.0-001' }, 50_000);

/** A stand-in heartbeat endpoint that offers the same manifest on every reply. */
async function startHeartbeatStub(manifest: () => OtaManifest) {
  const bodies: HeartbeatBody[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (part: Buffer) => (text += part.toString('utf8')));
    request.on('end', () => {
      bodies.push(JSON.parse(text) as HeartbeatBody);
      const reply = {
        server_time: new Date().toISOString(),
        heartbeat_interval_s: 60,
        ota: manifest(),
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

let dir: string;
let agents: HttpAgents;
let images: RangeServer;
let stub: Awaited<ReturnType<typeof startHeartbeatStub>>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bota-ota-client-'));
  agents = createHttpAgents();
  images = await startRangeServer(IMAGE);
  stub = await startHeartbeatStub(() => ({
    assignment_id: 'assignment-9',
    version: 'v1.3.0',
    url: images.url,
    size: IMAGE.length,
    crc32: crc32(IMAGE) ^ 1, // the cloud's CRC disagrees with the bytes: a CRC mismatch
    expires_at: new Date(Date.now() + 60_000).toISOString(),
  }));
});

afterEach(async () => {
  destroyHttpAgents(agents);
  await images.close();
  await stub.close();
  await rm(dir, { recursive: true, force: true });
});

async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 60_000) throw new Error('condition not met');
    await new Promise((done) => setTimeout(done, 10));
  }
}

/** Runs a client until `done` holds, then `more` heartbeats after that, then stops it. */
async function runClient(done: () => boolean, more: number): Promise<void> {
  const device = await VirtualDevice.open({
    dir,
    model: 'bota-pin',
    serial: 'PIN-00009',
    rebootMs: 5,
  });
  await device.provision({ deviceId: 'device-9', secret: 'k', cloudUrl: stub.url });
  const client = new OtaClient(device, { agents, intervalMs: 10, download: { retryDelayMs: 1 } });
  await client.start();
  await until(done);
  const target = stub.bodies.length + more;
  await until(() => stub.bodies.length >= target);
  await client.stop();
  await device.close();
}

describe('OtaClient', () => {
  it('reports a failure once acknowledged and never downloads that assignment again', async () => {
    await runClient(() => stub.bodies.some((body) => body.update), 5);
    await runClient(() => true, 5);

    expect(images.ranges).toEqual([null]);
    const reports = stub.bodies.filter((body) => body.update);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.update).toMatchObject({ assignment_id: 'assignment-9', status: 'failed' });
    expect(reports[0]?.update?.reason).toMatch(/^CRC mismatch/);
    expect(stub.bodies.every((body) => body.firmware_version === 'v1.0.0-001')).toBe(true);
  });
});
