import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildReleaseFiles, startTestCloud, type TestCloud } from '../support/cloud';
import { type RunningS3rver, startS3rver } from '../support/s3rver';

describe('an upload whose blob store fails', () => {
  let s3: RunningS3rver;
  let t: TestCloud;
  beforeAll(async () => {
    s3 = await startS3rver();
    const { bucket, endpoint, region, accessKeyId, secretAccessKey } = s3;
    t = await startTestCloud({
      blob: {
        kind: 's3',
        bucket,
        endpoint,
        region,
        accessKeyId,
        secretAccessKey,
        forcePathStyle: true,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers with an error, records nothing and leaves no temp file', async () => {
    const draft = await t.client.createRelease({ version: 'v1.0.1', model: 'bota-pin' });
    await s3.close();

    const { bin } = buildReleaseFiles('bota-pin', 'v1.0.1');
    await expect(t.client.uploadReleaseFile(draft.id, 'bin', bin)).rejects.toMatchObject({
      code: 'BLOB_BACKEND_FAILED',
    });
    expect((await t.client.getRelease(draft.id)).bin).toBeNull();
    expect(await readdir(join(t.dataDir, 'tmp'))).toEqual([]);
    const audit = await t.client.audit(20);
    expect(audit.some((entry) => entry.action === 'release.upload')).toBe(false);
  });
});
