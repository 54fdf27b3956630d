// The S3 backend's own promises, against a real s3rver: presigned URLs shaped for
// S3-compatible servers, uploads stored byte-exact, and failures that say what to check.
//
// Not tested here: that a tampered presigned URL is refused. s3rver 3.7 checks a SigV4
// URL's access key and expiry but never its signature, so such a test could not fail;
// S3 itself verifies it. Expiry is tested in blob-backends.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BlobError, type BlobStore, createBlobStore } from '../../cloud/blob';
import { type RunningS3rver, startS3rver } from '../support/s3rver';

let s3: RunningS3rver;
let store: BlobStore;
let work: string;

async function failure(action: Promise<unknown>): Promise<BlobError> {
  const error: unknown = await action.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof BlobError)) throw new Error(`expected a BlobError, got ${String(error)}`);
  return error;
}

async function file(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(work, name);
  await writeFile(path, bytes);
  return path;
}

// A port that was just free and now has nobody listening.
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  s3 = await startS3rver();
  store = await createBlobStore({ kind: 's3', ...s3, forcePathStyle: true });
  work = await mkdtemp(join(tmpdir(), 'bota-blob-s3-'));
});

afterAll(async () => {
  await store?.close();
  await s3?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('S3 blob store on s3rver', () => {
  it('presigns a path-style SigV4 GET on the endpoint for the asked life', async () => {
    const { url } = await store.presign('releases/r1/fw.bin', 900);
    const parsed = new URL(url);

    expect(parsed.origin).toBe(s3.endpoint);
    expect(parsed.pathname).toBe(`/${s3.bucket}/releases/r1/fw.bin`);
    expect(parsed.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(parsed.searchParams.get('X-Amz-Expires')).toBe('900');
  });

  it('caps a URL life at the seven days SigV4 allows, and the URL still works', async () => {
    const bytes = Buffer.from('seven days');
    await store.put('releases/r1/week.bin', await file('week.bin', bytes), bytes.length);
    const { url, expiresAt } = await store.presign('releases/r1/week.bin', 30 * 24 * 3600);

    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe(String(7 * 24 * 3600));
    expect(expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 7 * 24 * 3600_000);
    expect(await (await fetch(url)).text()).toBe('seven days');
  });

  it('round-trips a 16 MiB image byte-exact (no checksum framing stored)', async () => {
    const image = randomBytes(16 * 1024 * 1024);
    await store.put('releases/r1/big.ufw', await file('big.ufw', image), image.length);
    const response = await fetch((await store.presign('releases/r1/big.ufw', 600)).url);
    const body = Buffer.from(await response.arrayBuffer());

    expect(response.headers.get('content-length')).toBe(String(image.length));
    expect(createHash('sha256').update(body).digest('hex')).toBe(
      createHash('sha256').update(image).digest('hex'),
    );
  });

  it('reports BLOB_BACKEND_FAILED naming the bucket when the bucket does not exist', async () => {
    const lost = await createBlobStore({
      kind: 's3',
      ...s3,
      bucket: 'no-such-bucket',
      forcePathStyle: true,
    });
    const error = await failure(
      lost.put('releases/r1/x.bin', await file('x.bin', Buffer.from('x')), 1),
    );
    await lost.close();

    expect(error.code).toBe('BLOB_BACKEND_FAILED');
    expect(error.message).toMatch(/no-such-bucket.*bucket exists/);
  });

  it('reports BLOB_BACKEND_FAILED for credentials the server does not know', async () => {
    const stranger = await createBlobStore({
      kind: 's3',
      ...s3,
      accessKeyId: 'UNKNOWN',
      secretAccessKey: 'UNKNOWN',
      forcePathStyle: true,
    });
    const error = await failure(
      stranger.put('releases/r1/y.bin', await file('y.bin', Buffer.from('y')), 1),
    );
    await stranger.close();

    expect(error.code).toBe('BLOB_BACKEND_FAILED');
    expect(error.message).toMatch(/credentials/);
  });

  it('reports BLOB_BACKEND_FAILED when the endpoint does not answer', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const offline = await createBlobStore({ kind: 's3', ...s3, endpoint, forcePathStyle: true });
    const error = await failure(offline.read('releases/r1/fw.bin'));
    await offline.close();

    expect(error.code).toBe('BLOB_BACKEND_FAILED');
    expect(error.message).toMatch(/Check the endpoint/);
  });
});

describe('startS3rver', () => {
  it('runs independent servers side by side, each with its bucket', async () => {
    const other = await startS3rver();
    const otherStore = await createBlobStore({ kind: 's3', ...other, forcePathStyle: true });
    const bytes = Buffer.from('only in the other server');
    await otherStore.put('releases/r9/fw.bin', await file('other.bin', bytes), bytes.length);

    const here = await failure(store.read('releases/r9/fw.bin'));
    await otherStore.close();
    await other.close();

    expect(other.endpoint).not.toBe(s3.endpoint);
    expect(here.code).toBe('BLOB_NOT_FOUND');
  });
});
