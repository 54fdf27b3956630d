import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BlobError } from './blob-store';
import { assertBlobKey, blobKeyProblem, blobPath, blobUrlPath, MAX_KEY_LENGTH } from './keys';

describe('blob keys', () => {
  it.each(['fw.bin', 'releases/0190a1b2-c3d4/firmware.ufw', 'a/b_c/D-9.tar.gz'])(
    'accepts %s',
    (key) => {
      expect(blobKeyProblem(key)).toBeNull();
    },
  );

  it.each([
    ['', /empty/],
    ['/etc/passwd', /absolute/],
    ['../secret', /starts with a dot/],
    ['releases/../../secret', /starts with a dot/],
    ['releases/./fw', /starts with a dot/],
    ['releases/.put-123', /starts with a dot/],
    ['releases//fw', /empty segment/],
    ['releases/', /empty segment/],
    ['releases\\..\\fw', /characters/],
    ['fw bin', /characters/],
    ['fw%2e%2e', /characters/],
    ['x'.repeat(MAX_KEY_LENGTH + 1), /longer/],
  ])('refuses %j', (key, why) => {
    expect(blobKeyProblem(key)).toMatch(why);
  });

  it('throws BLOB_KEY_INVALID with the reason and an example of a good key', () => {
    const thrown = (() => {
      try {
        assertBlobKey('../x');
      } catch (error) {
        return error;
      }
      return null;
    })();

    expect(thrown).toBeInstanceOf(BlobError);
    expect((thrown as BlobError).code).toBe('BLOB_KEY_INVALID');
    expect((thrown as BlobError).message).toMatch(/starts with a dot.*releases\//);
  });

  it('maps a key to a path inside the store folder', () => {
    expect(blobPath('/data/blobs', 'releases/r1/fw.ufw')).toBe(
      join('/data/blobs', 'releases', 'r1', 'fw.ufw'),
    );
    expect(() => blobPath('/data/blobs', '../../etc/passwd')).toThrow(BlobError);
  });

  it('keeps valid keys unchanged in URL paths', () => {
    expect(blobUrlPath('releases/r1/fw.ufw')).toBe('releases/r1/fw.ufw');
  });
});
