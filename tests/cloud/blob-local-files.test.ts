// The local-disk backend's files: atomic replacement, crash leftovers, key conflicts, and
// file handles closed whatever happens to a download.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type BlobStore, createBlobStore, registerBlobRoutes } from '../../cloud/blob';

const secret = 'local-test-secret';
const key = 'releases/0190cccc/firmware.bin';
const firmware = randomBytes(64 * 1024);

let dir: string;
let app: FastifyInstance;
let store: BlobStore;
let origin: string;

async function stored(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, 'uploads', name);
  await writeFile(path, bytes);
  return path;
}

// Starts a download and drops the connection after the first chunk, as a device losing
// its network would.
function breakOff(path: string): Promise<void> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// The files under the blob folder this process holds open.
async function openBlobFiles(): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(
    fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
  );
  return targets.filter((target) => target.startsWith(join(dir, 'blobs')));
}

async function signedUrl(blobKey = key): Promise<URL> {
  return new URL((await store.presign(blobKey, 600)).url);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bota-blob-local-'));
  await mkdir(join(dir, 'uploads'));
  app = Fastify({ forceCloseConnections: true });
  store = await createBlobStore({
    kind: 'local',
    dir: join(dir, 'blobs'),
    secret,
    baseUrl: () => origin,
  });
  registerBlobRoutes(app, store);
  origin = await app.listen({ host: '127.0.0.1', port: 0 });
  await store.put(key, await stored('fw.bin', firmware), firmware.length);
});

afterAll(async () => {
  await store?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('local blob files', () => {
  it('keeps a blob at the path its key names and leaves no temp file behind', async () => {
    const onDisk = await readFile(join(dir, 'blobs', 'releases', '0190cccc', 'firmware.bin'));
    const names = await readdir(join(dir, 'blobs', 'releases', '0190cccc'));

    expect(onDisk.equals(firmware)).toBe(true);
    expect(names.filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('gives a new ETag when a blob is replaced, so resumes never splice two files', async () => {
    const replacedKey = 'releases/0190cccc/etag.bin';
    await store.put(replacedKey, await stored('e1.bin', Buffer.from('one')), 3);
    const url = await signedUrl(replacedKey);
    const before = (await fetch(url, { method: 'HEAD' })).headers.get('etag');
    await store.put(replacedKey, await stored('e2.bin', Buffer.from('two')), 3);
    const after = (await fetch(url, { method: 'HEAD' })).headers.get('etag');

    expect(before).not.toBe(after);
  });

  it('lets a reader that opened a blob finish the old bytes while it is replaced', async () => {
    const replacedKey = 'releases/0190cccc/swap.bin';
    const oldBytes = randomBytes(200 * 1024);
    await store.put(replacedKey, await stored('old.bin', oldBytes), oldBytes.length);
    const reading = await store.read(replacedKey);
    await store.put(replacedKey, await stored('new.bin', Buffer.from('new')), 3);
    const chunks: Buffer[] = [];
    for await (const chunk of reading) chunks.push(chunk as Buffer);

    expect(Buffer.concat(chunks).equals(oldBytes)).toBe(true);
  });

  it('keeps the previous blob whole when a replacement is refused', async () => {
    await expect(
      store.put(key, await stored('short.bin', Buffer.from('short')), 999),
    ).rejects.toMatchObject({ code: 'BLOB_SIZE_MISMATCH' });
    const response = await fetch(await signedUrl());

    expect(Buffer.from(await response.arrayBuffer()).equals(firmware)).toBe(true);
  });

  it('removes unfinished uploads a crash left behind when the store opens again', async () => {
    const leftover = join(dir, 'blobs', 'releases', '0190cccc', '.put-crashed');
    await writeFile(leftover, 'half a file');

    const reopened = await createBlobStore({
      kind: 'local',
      dir: join(dir, 'blobs'),
      secret,
      baseUrl: () => origin,
    });
    const names = await readdir(join(dir, 'blobs', 'releases', '0190cccc'));
    await reopened.close();

    expect(names).not.toContain('.put-crashed');
    expect(names).toContain('firmware.bin');
  });

  it("refuses keys that cross another blob's path, keeping both blobs intact", async () => {
    const bytes = Buffer.from('leaf');
    await store.put('releases/0190dddd/leaf', await stored('leaf.bin', bytes), 4);

    await expect(
      store.put('releases/0190dddd/leaf/below', await stored('below.bin', bytes), 4),
    ).rejects.toMatchObject({ code: 'BLOB_KEY_CONFLICT' });
    await expect(
      store.put('releases/0190dddd', await stored('above.bin', bytes), 4),
    ).rejects.toMatchObject({ code: 'BLOB_KEY_CONFLICT' });
    expect((await fetch(await signedUrl('releases/0190dddd/leaf'))).status).toBe(200);
  });

  it('treats a key that names a folder of blobs as no blob at all', async () => {
    const response = await fetch(await signedUrl('releases/0190cccc'));
    await store.delete('releases/0190cccc');

    expect(response.status).toBe(404);
    expect((await fetch(await signedUrl())).status).toBe(200);
  });

  it('closes the file of every download a client breaks off', async () => {
    const bigKey = 'releases/0190cccc/big.bin';
    const big = randomBytes(8 * 1024 * 1024);
    await store.put(bigKey, await stored('big.bin', big), big.length);
    const { pathname, search } = await signedUrl(bigKey);

    await Promise.all(Array.from({ length: 10 }, () => breakOff(`${pathname}${search}`)));

    await expect.poll(openBlobFiles, { timeout: 20_000, interval: 50 }).toEqual([]);
  });

  it('closes the file after HEAD and 416 answers, which send no bytes of it', async () => {
    const url = await signedUrl();
    for (let i = 0; i < 5; i += 1) {
      await fetch(url, { method: 'HEAD' });
      await (await fetch(url, { headers: { range: 'bytes=99999999-' } })).arrayBuffer();
    }

    expect(await openBlobFiles()).toEqual([]);
  });
});
