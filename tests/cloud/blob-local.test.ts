// The local-disk backend's download route: signed URLs that cannot be altered, keys that
// cannot leave the folder, and the finer points of Range.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type BlobStore, createBlobStore, registerBlobRoutes } from '../../cloud/blob';
import { signBlobUrl } from '../../cloud/blob/signing';

const secret = 'local-test-secret';
const key = 'releases/0190cccc/firmware.bin';
const firmware = randomBytes(64 * 1024);

let dir: string;
let app: FastifyInstance;
let store: BlobStore;
let origin: string;
let publicBase: string;

async function stored(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, 'uploads', name);
  await writeFile(path, bytes);
  return path;
}

// Sends the path exactly as written: fetch and URL objects resolve `..` and `%2e%2e`
// segments before sending, which would hide what the server does with them.
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function signedUrl(blobKey = key): Promise<URL> {
  return new URL((await store.presign(blobKey, 600)).url);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bota-blob-local-'));
  await mkdir(join(dir, 'uploads'));
  await writeFile(join(dir, 'outside-secret.txt'), 'not for download');
  app = Fastify({ forceCloseConnections: true });
  store = await createBlobStore({
    kind: 'local',
    dir: join(dir, 'blobs'),
    secret,
    baseUrl: () => publicBase,
  });
  registerBlobRoutes(app, store);
  origin = await app.listen({ host: '127.0.0.1', port: 0 });
  publicBase = origin;
  await store.put(key, await stored('fw.bin', firmware), firmware.length);
});

afterAll(async () => {
  await store?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('local blob URLs', () => {
  it("are built on the base URL read at signing time (a proxy's public URL)", async () => {
    publicBase = 'https://station.example/cloud/';
    const { url } = await store.presign(key, 60);
    publicBase = origin;

    const blobPath = 'https://station.example/cloud/blobs/releases/0190cccc/firmware.bin';
    expect(url.startsWith(`${blobPath}?`)).toBe(true);
    expect(url.slice(blobPath.length)).toMatch(/^\?expires=\d+&sig=[0-9a-f]{64}$/);
  });

  it('serve the bytes as application/octet-stream', async () => {
    const response = await fetch(await signedUrl());

    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await response.arrayBuffer()).equals(firmware)).toBe(true);
  });

  it.each([
    ['an altered signature', (url: URL) => url.searchParams.set('sig', 'f'.repeat(64))],
    [
      'a later expiry',
      (url: URL) =>
        url.searchParams.set('expires', `${Number(url.searchParams.get('expires')) + 86400}`),
    ],
    ['no signature', (url: URL) => url.searchParams.delete('sig')],
    ['no expiry', (url: URL) => url.searchParams.delete('expires')],
    ['another key', (url: URL) => (url.pathname = '/blobs/releases/0190cccc/other.bin')],
  ])('refuse %s with 403 URL_SIGNATURE_INVALID', async (_what, tamper) => {
    await store.put(
      'releases/0190cccc/other.bin',
      await stored('other.bin', firmware),
      firmware.length,
    );
    const url = await signedUrl();
    tamper(url);
    const response = await fetch(url);

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      code: 'URL_SIGNATURE_INVALID',
      message: expect.stringMatching(/new file link/),
    });
  });

  it('answer 404 BLOB_NOT_FOUND for a genuine URL to a blob never stored', async () => {
    const response = await fetch(await signedUrl('releases/none/firmware.bin'));

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'BLOB_NOT_FOUND' });
  });

  it.each([
    '%2e%2e/outside-secret.txt',
    '..%2Foutside-secret.txt',
    'releases/%2e%2e/%2e%2e/outside-secret.txt',
    '../outside-secret.txt',
  ])('never serve a file outside the folder, even correctly signed: /blobs/%s', async (path) => {
    const decoded = decodeURIComponent(path);
    const expires = Math.floor(Date.now() / 1000) + 600;
    const sig = signBlobUrl(secret, decoded, expires);
    const { status, body } = await rawGet(`/blobs/${path}?expires=${expires}&sig=${sig}`);

    expect([400, 404]).toContain(status);
    expect(body).not.toContain('not for download');
  });
});

describe('local blob Range', () => {
  it('serves a suffix range (bytes=-N) as the last N bytes', async () => {
    const response = await fetch(await signedUrl(), { headers: { range: 'bytes=-100' } });
    const body = Buffer.from(await response.arrayBuffer());

    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(
      `bytes ${firmware.length - 100}-${firmware.length - 1}/${firmware.length}`,
    );
    expect(body.equals(firmware.subarray(-100))).toBe(true);
  });

  it('serves an empty blob as 200 with no bytes, and any range of it as 416', async () => {
    await store.put('releases/0190cccc/empty.bin', await stored('empty.bin', Buffer.alloc(0)), 0);
    const url = await signedUrl('releases/0190cccc/empty.bin');
    const whole = await fetch(url);
    const ranged = await fetch(url, { headers: { range: 'bytes=0-' } });

    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe('0');
    expect((await whole.arrayBuffer()).byteLength).toBe(0);
    expect(ranged.status).toBe(416);
  });

  it('serves a single byte (bytes=0-0)', async () => {
    const response = await fetch(await signedUrl(), { headers: { range: 'bytes=0-0' } });

    expect(response.status).toBe(206);
    expect(Buffer.from(await response.arrayBuffer()).equals(firmware.subarray(0, 1))).toBe(true);
  });

  it('says the size in Content-Range on 416, as JSON with a code', async () => {
    const response = await fetch(await signedUrl(), { headers: { range: 'bytes=999999-' } });

    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${firmware.length}`);
    expect(await response.json()).toMatchObject({ code: 'RANGE_NOT_SATISFIABLE' });
  });

  it('honours If-Range: the same ETag gets the range, a stale one the whole blob', async () => {
    const url = await signedUrl();
    const etag = (await fetch(url, { method: 'HEAD' })).headers.get('etag') ?? '';
    const same = await fetch(url, { headers: { range: 'bytes=10-19', 'if-range': etag } });
    const stale = await fetch(url, { headers: { range: 'bytes=10-19', 'if-range': '"stale"' } });

    expect(same.status).toBe(206);
    expect((await same.arrayBuffer()).byteLength).toBe(10);
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(firmware.length);
  });

  it('answers HEAD with the size and no body, for whole and ranged requests', async () => {
    const url = await signedUrl();
    const whole = await fetch(url, { method: 'HEAD' });
    const ranged = await fetch(url, { method: 'HEAD', headers: { range: 'bytes=100-' } });

    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe(String(firmware.length));
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-length')).toBe(String(firmware.length - 100));
    expect((await ranged.arrayBuffer()).byteLength).toBe(0);
  });
});
