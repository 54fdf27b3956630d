import { join } from 'node:path';

import { BlobError } from './blob-store';

/** The longest key accepted, in characters. */
export const MAX_KEY_LENGTH = 512;

// Letters, digits, dot, dash and underscore only: the key maps straight to a file path and
// a URL path, so nothing in it may need escaping or mean anything to a shell or a proxy.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Why `key` is not a valid blob key, or null when it is. A key is one or more segments
 * joined by `/`; no segment is empty or starts with a dot, so `.`, `..`, hidden files and
 * the store's own `.put-*` temp files can never be named, and no key is absolute.
 */
export function blobKeyProblem(key: string): string | null {
  if (key.length === 0) return 'the key is empty';
  if (key.length > MAX_KEY_LENGTH) return `the key is longer than ${MAX_KEY_LENGTH} characters`;
  if (key.startsWith('/')) return 'the key is absolute (starts with "/")';

  const bad = key.split('/').find((segment) => !SEGMENT.test(segment));
  if (bad === undefined) return null;
  if (bad === '') return 'the key has an empty segment ("//" or a trailing "/")';
  if (bad.startsWith('.')) return `the segment "${bad}" starts with a dot`;
  return `the segment "${bad}" has characters other than A-Z a-z 0-9 . _ -`;
}

/** Throws BLOB_KEY_INVALID unless `key` is a valid blob key. */
export function assertBlobKey(key: string): void {
  const problem = blobKeyProblem(key);
  if (problem === null) return;
  throw new BlobError(
    'BLOB_KEY_INVALID',
    `Invalid blob key ${JSON.stringify(key.slice(0, 80))}: ${problem}. ` +
      'Use segments of A-Z a-z 0-9 . _ - joined by "/", e.g. "releases/<id>/firmware.ufw".',
  );
}

/** The file under `dir` that holds `key`; throws BLOB_KEY_INVALID for a bad key. */
export function blobPath(dir: string, key: string): string {
  assertBlobKey(key);
  return join(dir, ...key.split('/'));
}

/** The URL path of `key` (each segment percent-encoded, though valid keys need none). */
export function blobUrlPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
