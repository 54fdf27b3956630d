import { stat } from 'node:fs/promises';

import { BlobError } from './blob-store';

/**
 * Refuses a source file that is missing or not the size the caller measured, before a
 * store changes anything: a short file means the upload was not finished.
 */
export async function assertSourceSize(path: string, size: number): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) {
    throw new BlobError('BLOB_SOURCE_MISSING', `Cannot store blob: no file at ${path}.`);
  }
  if (info.size !== size) {
    throw new BlobError(
      'BLOB_SIZE_MISMATCH',
      `Cannot store blob: ${path} has ${info.size} bytes, not the ${size} expected. ` +
        'Finish writing the file before storing it.',
    );
  }
}
