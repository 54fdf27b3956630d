import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { Logger } from 'pino';

import { BlobError, type BlobStore } from './blob-store';
import { copyExactly, syncDir } from './durable-copy';
import { assertBlobKey, blobPath, blobUrlPath } from './keys';
import type { LocalBlobStoreOptions } from './options';
import { signBlobUrl } from './signing';
import { assertSourceSize } from './source';

/** An open blob file with its size and validator, for streaming a whole or partial GET. */
export interface OpenedBlob {
  /** The open file; the caller closes it (streams from it close it when they end). */
  handle: FileHandle;
  /** Bytes. */
  size: number;
  /** Strong validator: changes whenever the blob is replaced. */
  etag: string;
}

const TEMP_PREFIX = '.put-';

/** Blobs as files under one folder, downloaded through signed, expiring URLs. */
export class LocalBlobStore implements BlobStore {
  /** Always 'local'. */
  readonly kind = 'local' as const;
  /** The HMAC secret, for the route that checks signatures. */
  readonly secret: string;
  /** The clock, in ms since the epoch. */
  readonly now: () => number;
  private readonly dir: string;
  private readonly baseUrl: () => string;
  private readonly logger: Logger;

  private constructor(options: LocalBlobStoreOptions, logger: Logger) {
    this.dir = options.dir;
    this.secret = options.secret;
    this.baseUrl = options.baseUrl;
    this.now = options.now ?? Date.now;
    this.logger = logger;
  }

  /** Opens the store, creating its folder and removing temp files a crash left behind. */
  static async open(options: LocalBlobStoreOptions, logger: Logger): Promise<LocalBlobStore> {
    if (options.secret.length === 0) throw new TypeError('local blob store: secret is empty');
    await mkdir(options.dir, { recursive: true });

    const swept = await sweepTempFiles(options.dir);
    if (swept > 0) logger.info(`blob: removed ${swept} unfinished upload(s) in ${options.dir}`);
    return new LocalBlobStore(options, logger);
  }

  /** Copies the file into place atomically: a reader sees the old blob or the new, whole. */
  async put(key: string, path: string, size: number): Promise<void> {
    const target = blobPath(this.dir, key);
    await assertSourceSize(path, size);
    await mkdir(dirname(target), { recursive: true }).catch(keyConflict(key));

    const temp = join(dirname(target), `${TEMP_PREFIX}${randomUUID()}`);
    try {
      await copyExactly(path, temp, size);
      await rename(temp, target).catch(keyConflict(key));
      await syncDir(dirname(target));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }

    this.logger.info(`blob: (${key}) stored ${size} bytes`);
  }

  /** A URL on the cloud's own server, signed with HMAC-SHA256 and valid for ttlS seconds. */
  async presign(key: string, ttlS: number): Promise<{ url: string; expiresAt: Date }> {
    assertBlobKey(key);
    const expires = Math.floor(this.now() / 1000) + Math.max(1, Math.ceil(ttlS));
    const sig = signBlobUrl(this.secret, key, expires);
    const base = this.baseUrl().replace(/\/+$/, '');

    const url = `${base}/blobs/${blobUrlPath(key)}?expires=${expires}&sig=${sig}`;
    return { url, expiresAt: new Date(expires * 1000) };
  }

  /** Streams the whole blob; BLOB_NOT_FOUND when there is none. Consume or destroy it. */
  async read(key: string): Promise<NodeJS.ReadableStream> {
    // The file is opened now, so the stream yields this version even if a put replaces it.
    const blob = await this.openBlob(key);
    return blob.handle.createReadStream();
  }

  /** Removes the blob file; a missing one is fine. */
  async delete(key: string): Promise<void> {
    // Shortcoming: emptied folders (releases/<id>/) stay behind — better: remove them
    // without racing a put that is about to write into the same folder.
    const removed = await unlink(blobPath(this.dir, key)).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (NOT_A_FILE.has(error.code ?? '')) return false;
        throw error;
      },
    );
    if (removed) this.logger.info(`blob: (${key}) deleted`);
  }

  /** Nothing to release: every read owns its own file handle. */
  async close(): Promise<void> {}

  /** Opens the blob for serving; BLOB_NOT_FOUND when there is none. */
  async openBlob(key: string): Promise<OpenedBlob> {
    const missing = () =>
      new BlobError('BLOB_NOT_FOUND', `No blob "${key}": it was never stored, or deleted.`);
    const handle = await open(blobPath(this.dir, key), 'r').catch(
      (error: NodeJS.ErrnoException) => {
        throw NOT_A_FILE.has(error.code ?? '') ? missing() : error;
      },
    );

    // Size and validator come from the open handle, so they describe exactly the bytes
    // served even if a put replaces the file meanwhile.
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw missing();
    }
    return { handle, size: info.size, etag: etagOf(info) };
  }
}

// Errors that mean "no blob file at this key" (nothing there, or a folder of other keys).
const NOT_A_FILE = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

// Size, mtime and inode: a put always makes a new file (new inode), so a replaced blob
// never keeps its ETag even when size and mtime happen to match.
function etagOf(info: Stats): string {
  const parts = [info.size, Math.floor(info.mtimeMs), info.ino].map((n) => n.toString(16));
  return `"${parts.join('-')}"`;
}

// A key whose path crosses an existing blob ("a" stored, then "a/b") or names a folder of
// other blobs cannot be stored on disk.
function keyConflict(key: string) {
  return (error: NodeJS.ErrnoException): never => {
    if (!['EEXIST', 'ENOTDIR', 'EISDIR'].includes(error.code ?? '')) throw error;
    throw new BlobError(
      'BLOB_KEY_CONFLICT',
      `Cannot store blob "${key}": part of its path is already another blob or folder. ` +
        'Use keys that are never a prefix of one another, like "releases/<id>/<file>".',
      { cause: error },
    );
  };
}

// Removes `.put-*` files (never valid keys) anywhere under dir; returns how many.
async function sweepTempFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const temps = entries.filter((e) => e.isFile() && e.name.startsWith(TEMP_PREFIX));
  await Promise.all(temps.map((e) => unlink(join(e.parentPath, e.name)).catch(() => undefined)));
  return temps.length;
}
