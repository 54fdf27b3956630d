import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { CloudClient } from '../../cloud/client';
import type { SettingsView } from '../../contract/ipc';
import { CONTENT_SECURITY_POLICY } from '../../main/server/http';
import type { Assignment, Release } from '../../protocol/cloud-api';
import { buildImage } from '../../protocol/image';
import type { DeviceModel } from '../../protocol/models';
import { encodeUfw } from '../../protocol/ufw';
import { type BrowserStation, startBrowserStation, valueOf } from './support';

describe('browser mode over HTTP, with the real embedded cloud and station core', () => {
  let station: BrowserStation;
  let rendererDir: string;

  beforeAll(async () => {
    rendererDir = await mkdtemp(join(tmpdir(), 'bota-renderer-'));
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Bota</title>');
    station = await startBrowserStation([], rendererDir);
  }, 60_000);

  afterAll(async () => {
    await station?.close();
    await rm(rendererDir, { recursive: true, force: true });
  });

  it('refuses a call without the access token with 401 and says where to find it', async () => {
    const reply = await station.call('device:list', {}, null);

    expect(reply.status).toBe(401);
    expect(reply.result.ok).toBe(false);
    if (reply.result.ok) return;
    expect(reply.result.error.code).toBe('UNAUTHORIZED');
    expect(reply.result.error.hint).toContain('?token=');
  });

  it('refuses a wrong token of the same length', async () => {
    const wrong = station.server.token.replace(/./g, 'x');
    expect((await station.call('device:list', {}, wrong)).status).toBe(401);
  });

  it('answers a bad argument with 400 naming the field, and creates nothing', async () => {
    const reply = await station.call('release:create', { version: 'banana', model: 'bota-pin' });

    expect(reply.status).toBe(400);
    expect(reply.result.ok).toBe(false);
    if (reply.result.ok) return;
    expect(reply.result.error.code).toBe('INVALID_ARGUMENT');
    expect(reply.result.error.message).toContain('version');
    expect(valueOf<Release[]>(await station.call('release:list', {}))).toEqual([]);
  });

  it('answers an unknown channel with 404 UNKNOWN_CHANNEL', async () => {
    const reply = await station.call('device:explode', {});
    expect(reply.status).toBe(404);
    expect(reply.result.ok ? '' : reply.result.error.code).toBe('UNKNOWN_CHANNEL');
  });

  it('answers a body that is not JSON with 400', async () => {
    const response = await fetch(`${station.server.url}/rpc/device:list`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${station.server.token}`,
      },
      body: '{ not json',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('creates, uploads and releases a firmware through the contract', async () => {
    const image = buildImage({ model: 'bota-pin', version: 'v1.2.0-001' }, 64 * 1024);
    const ufw = encodeUfw({ model: 'bota-pin', version: 'v1.2.0-001' }, image);
    const draft = valueOf<Release>(
      await station.call('release:create', { version: 'v1.2.0', model: 'bota-pin' }),
    );

    valueOf(await station.call('release:upload', { id: draft.id, kind: 'bin', bytes: image }));
    valueOf(await station.call('release:upload', { id: draft.id, kind: 'ufw', bytes: ufw }));
    const released = valueOf<Release>(await station.call('release:publish', { id: draft.id }));

    expect(released.status).toBe('released');
    expect(released.ufw?.size).toBe(ufw.length);
    expect(released.build_version).toBe('v1.2.0-001');
  });

  it('turns a cloud refusal into a failure with a hint, not an error', async () => {
    const draft = valueOf<Release>(
      await station.call('release:create', { version: 'v1.3.0', model: 'bota-note' }),
    );
    const garbage = new Uint8Array(300).fill(7);
    const reply = await station.call('release:upload', {
      id: draft.id,
      kind: 'ufw',
      bytes: garbage,
    });

    expect(reply.status).toBe(200);
    expect(reply.result.ok).toBe(false);
    if (reply.result.ok) return;
    expect(reply.result.error.code).toMatch(/^UFW_/);
    expect(reply.result.error.hint).toContain('.ufw');
  });

  it('assigns a release to a cloud device, refuses the wrong model, and cancels', async () => {
    const cloud = new CloudClient({ baseUrl: station.app.cloudUrl, token: station.app.cloudToken });
    const { device } = await cloud.provisionDevice({ serial: 'NOTE-00300', model: 'bota-note' });
    const pinRelease = (await cloud.listReleases({ model: 'bota-pin', status: 'released' }))[0]!;

    const mismatch = await station.call('assignment:create', {
      deviceId: device.id,
      releaseId: pinRelease.id,
    });
    expect(mismatch.result).toMatchObject({ ok: false, error: { code: 'MODEL_MISMATCH' } });
    if (!mismatch.result.ok) expect(mismatch.result.error.hint).toContain("device's model");

    const noteRelease = await releasedFirmware(cloud, 'bota-note', 'v2.0.0');
    const assignment = valueOf<Assignment>(
      await station.call('assignment:create', { deviceId: device.id, releaseId: noteRelease }),
    );
    expect(assignment.status).toBe('pending');

    const cancelled = valueOf<Assignment>(
      await station.call('assignment:cancel', { id: assignment.id }),
    );
    expect(cancelled.status).toBe('cancelled');
    const listed = valueOf<Assignment[]>(
      await station.call('cloud-device:assignments', { id: device.id }),
    );
    expect(listed.map((a) => a.status)).toEqual(['cancelled']);
  });

  it('keeps settings, masks the remote token and asks for a restart', async () => {
    const bad = await station.call('settings:update', {
      cloud: { mode: 'remote', url: 'not a url', token: 'tok_123456789' },
      blob: { kind: 'local' },
    });
    expect(bad.status).toBe(400);

    const view = valueOf<SettingsView>(
      await station.call('settings:update', {
        cloud: { mode: 'remote', url: 'https://cloud.example.com', token: 'tok_123456789' },
        blob: { kind: 'local' },
      }),
    );
    expect(view.restartNeeded).toBe(true);
    expect(view.settings.cloud).toEqual({
      mode: 'remote',
      url: 'https://cloud.example.com',
      token: '••••6789',
    });
    expect(view.activeCloudUrl).toBe(station.app.cloudUrl);
  });

  it('serves the window with a strict Content-Security-Policy', async () => {
    const response = await fetch(`${station.server.url}/`);

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Bota</title>');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('refuses the event stream without the token and opens it with the token', async () => {
    const wsUrl = station.server.url.replace('http', 'ws');
    const refused = await openSocket(`${wsUrl}/events`);
    const opened = await openSocket(`${wsUrl}/events?token=${station.server.token}`);

    expect(refused).toBe('unexpected-response 401');
    expect(opened).toBe('open');
  });
});

/** Opens a WebSocket and reports how the attempt ended. */
function openSocket(url: string): Promise<string> {
  return new Promise((done) => {
    const socket = new WebSocket(url);
    socket.on('open', () => {
      socket.close();
      done('open');
    });
    socket.on('unexpected-response', (_request, response) => {
      done(`unexpected-response ${response.statusCode}`);
    });
    socket.on('error', (error) => done(`error ${error.message}`));
  });
}

/** A released firmware made straight through the cloud client; returns its id. */
async function releasedFirmware(
  cloud: CloudClient,
  model: DeviceModel,
  version: string,
): Promise<string> {
  const build = `${version}-001`;
  const image = buildImage({ model, version: build }, 4096);
  const release = await cloud.createRelease({ version, model });
  await cloud.uploadReleaseFile(release.id, 'bin', image);
  await cloud.uploadReleaseFile(release.id, 'ufw', encodeUfw({ model, version: build }, image));
  return (await cloud.publishRelease(release.id)).id;
}
