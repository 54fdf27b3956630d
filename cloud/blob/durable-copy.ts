import { constants } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';

/** Copies `from` to a new file `to` and flushes it to disk before returning. */
export async function copyDurably(from: string, to: string): Promise<void> {
  // COPYFILE_EXCL: the temp name is fresh, so an existing file means a bug, never overwrite.
  await copyFile(from, to, constants.COPYFILE_EXCL);

  const handle = await open(to, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
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
