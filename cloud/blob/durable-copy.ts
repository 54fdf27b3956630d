import { constants } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';

import { BlobError } from './blob-store';

/**
 * Copies `from` to a new file `to`, checks it holds exactly `size` bytes (the source may
 * have changed since it was measured) and flushes it to disk before returning.
 */
export async function copyExactly(from: string, to: string, size: number): Promise<void> {
  // COPYFILE_EXCL: the temp name is fresh, so an existing file means a bug, never overwrite.
  await copyFile(from, to, constants.COPYFILE_EXCL);

  const handle = await open(to, 'r+');
  try {
    const copied = (await handle.stat()).size;
    if (copied !== size) throw sizeChanged(from, copied, size);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function sizeChanged(from: string, copied: number, size: number): BlobError {
  return new BlobError(
    'BLOB_SIZE_MISMATCH',
    `Cannot store blob: ${from} changed while it was copied (${copied} bytes, not ${size}). ` +
      'Finish writing the file before storing it.',
  );
}

/** Flushes a folder's entries (a rename into it) to disk; best effort where unsupported. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    await handle.close();
  }
}
