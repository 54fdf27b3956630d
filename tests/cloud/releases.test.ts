import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CloudApiError } from '../../cloud/client';
import { Store } from '../../cloud/store/database';
import { buildReleaseFiles, startTestCloud, type TestCloud } from '../support/cloud';

const MAX_UPLOAD = 256 * 1024;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

async function failure(promise: Promise<unknown>): Promise<CloudApiError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CloudApiError);
  return error as CloudApiError;
}

describe('release upload and validation', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud({ maxUploadBytes: MAX_UPLOAD });
  });
  afterAll(async () => t?.close());

  async function expectNothingStored(releaseId: string): Promise<void> {
    const release = await t.client.getRelease(releaseId);
    expect(release.bin).toBeNull();
    expect(release.ufw).toBeNull();
    expect(await filesUnder(join(t.dataDir, 'blobs', 'releases', releaseId))).toEqual([]);
    expect(await filesUnder(join(t.dataDir, 'tmp'))).toEqual([]);
  }

  it('refuses a .ufw built for another model', async () => {
    const draft = await t.client.createRelease({ version: 'v2.0.1', model: 'bota-pin' });
    const { ufw } = buildReleaseFiles('bota-note', 'v2.0.1');
    const error = await failure(t.client.uploadReleaseFile(draft.id, 'ufw', ufw));
    expect([error.status, error.code]).toEqual([422, 'MODEL_MISMATCH']);
    expect(error.message).toMatch(/bota-note.*bota-pin/);
    await expectNothingStored(draft.id);
  });

  it('refuses a .ufw whose image CRC32 does not match its header', async () => {
    const draft = await t.client.createRelease({ version: 'v2.0.2', model: 'bota-pin' });
    const { ufw } = buildReleaseFiles('bota-pin', 'v2.0.2');
    ufw[ufw.length - 1] = (ufw[ufw.length - 1] ?? 0) ^ 0xff;
    const error = await failure(t.client.uploadReleaseFile(draft.id, 'ufw', ufw));
    expect([error.status, error.code]).toEqual([422, 'UFW_CRC_MISMATCH']);
    await expectNothingStored(draft.id);
  });

  it('refuses files of another version, empty files and a .bin unlike the .ufw image', async () => {
    const draft = await t.client.createRelease({ version: 'v2.0.3', model: 'bota-pin' });
    const other = buildReleaseFiles('bota-pin', 'v2.0.4');
    const versionError = await failure(t.client.uploadReleaseFile(draft.id, 'bin', other.bin));
    expect([versionError.status, versionError.code]).toEqual([422, 'VERSION_MISMATCH']);
    const emptyError = await failure(t.client.uploadReleaseFile(draft.id, 'ufw', new Uint8Array()));
    expect([emptyError.status, emptyError.code]).toEqual([422, 'FILE_EMPTY']);
    await expectNothingStored(draft.id);

    await t.client.uploadReleaseFile(draft.id, 'ufw', buildReleaseFiles('bota-pin', 'v2.0.3').ufw);
    const bigger = buildReleaseFiles('bota-pin', 'v2.0.3', { size: 100 * 1024 }).bin;
    const differError = await failure(t.client.uploadReleaseFile(draft.id, 'bin', bigger));
    expect([differError.status, differError.code]).toEqual([422, 'FILES_DIFFER']);
    expect((await t.client.getRelease(draft.id)).bin).toBeNull();
  });

  it('refuses a file over the size limit with 413 and stores nothing', async () => {
    const draft = await t.client.createRelease({ version: 'v2.0.5', model: 'bota-pin' });
    const { bin } = buildReleaseFiles('bota-pin', 'v2.0.5', { size: MAX_UPLOAD + 1 });
    const error = await failure(t.client.uploadReleaseFile(draft.id, 'bin', bin));
    expect([error.status, error.code]).toEqual([413, 'FILE_TOO_LARGE']);
    await expectNothingStored(draft.id);
  });

  it('releases only with both files, and never changes a released release', async () => {
    const draft = await t.client.createRelease({
      version: 'v2.1.0',
      model: 'bota-pin',
      notes: 'n',
    });
    const files = buildReleaseFiles('bota-pin', 'v2.1.0');
    await t.client.uploadReleaseFile(draft.id, 'bin', files.bin);
    const incomplete = await failure(t.client.publishRelease(draft.id));
    expect([incomplete.status, incomplete.code]).toEqual([409, 'RELEASE_INCOMPLETE']);
    expect(incomplete.details).toEqual({ missing: ['ufw'] });

    const withUfw = await t.client.uploadReleaseFile(draft.id, 'ufw', files.ufw);
    expect(withUfw.build_version).toBe('v2.1.0-001');
    const released = await t.client.publishRelease(draft.id);
    expect(released.status).toBe('released');
    expect(released.bin).toMatchObject({ size: files.bin.length });

    const reupload = await failure(t.client.uploadReleaseFile(draft.id, 'bin', files.bin));
    expect([reupload.status, reupload.code]).toEqual([409, 'RELEASE_IMMUTABLE']);
    const remove = await failure(t.client.deleteRelease(draft.id));
    expect([remove.status, remove.code]).toEqual([409, 'RELEASE_IMMUTABLE']);
  });

  it('keeps versions unique per model and checks the version form', async () => {
    await t.client.createRelease({ version: 'v3.0.0', model: 'bota-note' });
    const duplicate = await failure(
      t.client.createRelease({ version: 'v3.0.0', model: 'bota-note' }),
    );
    expect([duplicate.status, duplicate.code]).toEqual([409, 'VERSION_EXISTS']);
    await t.client.createRelease({ version: 'v3.0.0', model: 'bota-pin-pro' });
    const bad = await failure(t.client.createRelease({ version: '3.0', model: 'bota-note' }));
    expect([bad.status, bad.code]).toEqual([400, 'VERSION_FORMAT']);
  });

  it('lists by model and status, newest first, and finds the latest released', async () => {
    await t.makeRelease('bota-pin-pro', 'v1.2.0');
    await t.makeRelease('bota-pin-pro', 'v1.10.0');
    await t.client.createRelease({ version: 'v9.0.0', model: 'bota-pin-pro' });

    const released = await t.client.listReleases({ model: 'bota-pin-pro', status: 'released' });
    expect(released.map((release) => release.version)).toEqual(['v1.10.0', 'v1.2.0']);
    expect((await t.client.latestRelease('bota-pin-pro'))?.version).toBe('v1.10.0');
    const drafts = await t.client.listReleases({ model: 'bota-pin-pro', status: 'draft' });
    expect(drafts.map((release) => release.version)).toEqual(['v9.0.0', 'v3.0.0']);
  });

  it('deletes a draft with its files', async () => {
    const draft = await t.client.createRelease({ version: 'v4.0.0', model: 'bota-pin' });
    await t.client.uploadReleaseFile(draft.id, 'bin', buildReleaseFiles('bota-pin', 'v4.0.0').bin);
    expect(await filesUnder(join(t.dataDir, 'blobs', 'releases', draft.id))).toHaveLength(1);

    await t.client.deleteRelease(draft.id);
    expect(await filesUnder(join(t.dataDir, 'blobs', 'releases', draft.id))).toEqual([]);
    const gone = await failure(t.client.getRelease(draft.id));
    expect([gone.status, gone.code]).toEqual([404, 'RELEASE_NOT_FOUND']);
  });

  it('gives a download link that serves the file', async () => {
    const release = await t.makeRelease('bota-note', 'v5.0.0');
    const link = await t.client.fileLink(release.id, 'ufw');
    const bytes = Buffer.from(await (await fetch(link.url)).arrayBuffer());
    expect(bytes.equals(buildReleaseFiles('bota-note', 'v5.0.0').ufw)).toBe(true);
    expect(link).toMatchObject({ size: bytes.length, sha256: release.ufw?.sha256 });
  });
});

describe('release store after refused uploads', () => {
  it('holds no file rows for refused uploads (read straight from cloud.db)', async () => {
    const t = await startTestCloud({ maxUploadBytes: MAX_UPLOAD });
    const draft = await t.client.createRelease({ version: 'v1.0.1', model: 'bota-pin' });
    const { ufw } = buildReleaseFiles('bota-note', 'v1.0.1');
    await failure(t.client.uploadReleaseFile(draft.id, 'ufw', ufw));
    const big = buildReleaseFiles('bota-pin', 'v1.0.1', { size: MAX_UPLOAD + 10 }).bin;
    await failure(t.client.uploadReleaseFile(draft.id, 'bin', big));
    await t.cloud.close();

    const store = Store.open(join(t.dataDir, 'cloud.db'));
    try {
      expect(store.get('SELECT COUNT(*) AS n FROM release_files')?.n).toBe(0);
      expect(store.get('SELECT COUNT(*) AS n FROM releases')?.n).toBe(1);
    } finally {
      store.close();
    }
    await t.close();
  });
});
