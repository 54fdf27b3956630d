import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { Logger } from 'pino';

import { BlobError, type BlobStore } from './blob-store';
import { copyDurably, syncDir } from './durable-copy';
import { blobPath, blobUrlPath } from './keys';
import { signBlobUrl } from './signing';
import { assertSourceSize } from './source';

/** Options of the local-disk backend. */
export interface LocalBlobOptions {
  /** Folder that holds the blobs (created if missing). */
  dir: string;
  /** HMAC secret that signs download URLs. */
  secret: string;
  /** The public base URL of the server that registered the blob routes (read per call). */
  baseUrl: () => string;
  /** The clock, in ms since the epoch; tests move it to make expired URLs. */
  now?: () => number;
  /** Where state changes are logged. */
  logger: Logger;
}

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

  private constructor(options: LocalBlobOptions) {
    this.dir = options.dir;
    this.secret = options.secret;
    this.baseUrl = options.baseUrl;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
  }

  /** Opens the store, creating its folder and removing temp files a crash left behind. */
  static async open(options: LocalBlobOptions): Promise<LocalBlobStore> {
    if (options.secret.length === 0) throw new TypeError('local blob store: secret is empty');
    await mkdir(options.dir, { recursive: true });

    const store = new LocalBlobStore(options);
    const swept = await sweepTempFiles(options.dir);
    if (swept > 0)
      store.logger.info(`blob: removed ${swept} unfinished upload(s) in ${options.dir}`);
    return store;
  }

  /** Copies the file into place atomically: a reader sees the old blob or the new, whole. */
  async put(key: string, path: string, size: number): Promise<void> {
    const target = blobPath(this.dir, key);
    await assertSourceSize(path, size);
    await mkdir(dirname(target), { recursive: true });

    const temp = join(dirname(target), `${TEMP_PREFIX}${randomUUID()}`);
    try {
      await copyDurably(path, temp);
      await rename(temp, target);
      await syncDir(dirname(target));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }

    this.logger.info(`blob: (${key}) stored ${size} bytes`);
  }

  /** A URL on the cloud's own server, signed with HMAC-SHA256 and valid for ttlS seconds. */
  async presign(key: string, ttlS: number): Promise<{ url: string; expiresAt: Date }> {
    blobPath(this.dir, key);
    const expires = Math.floor(this.now() / 1000) + Math.max(1, Math.ceil(ttlS));
    const sig = signBlobUrl(this.secret, key, expires);
    const base = this.baseUrl().replace(/\/+$/, '');

    const url = `${base}/blobs/${blobUrlPath(key)}?expires=${expires}&sig=${sig}`;
    return { url, expiresAt: new Date(expires * 1000) };
  }

  /** Streams the whole blob; BLOB_NOT_FOUND when there is none. */
  async read(key: string): Promise<NodeJS.ReadableStream> {
    const blob = await this.openBlob(key);
    return blob.handle.createReadStream();
  }

  /** Removes the blob file; a missing one is fine. */
  async delete(key: string): Promise<void> {
    await rm(blobPath(this.dir, key), { force: true });
    this.logger.info(`blob: (${key}) deleted`);
  }

  /** Nothing to release: every read owns its own file handle. */
  async close(): Promise<void> {}

  /** Opens the blob for serving; BLOB_NOT_FOUND when there is none. */
  async openBlob(key: string): Promise<OpenedBlob> {
    const path = blobPath(this.dir, key);
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EISDIR' || error.code === 'ENOTDIR') {
        throw new BlobError('BLOB_NOT_FOUND', `No blob "${key}": it was never stored or deleted.`);
      }
      throw error;
    });

    // Size and mtime come from the open handle, so they describe exactly the bytes served
    // even if a put replaces the file meanwhile.
    const info = await handle.stat();
    const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}-${info.ino.toString(16)}"`;
    return { handle, size: info.size, etag };
  }
}

// Removes `.put-*` files (never valid keys) anywhere under dir; returns how many.
async function sweepTempFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const temps = entries.filter((e) => e.isFile() && e.name.startsWith(TEMP_PREFIX));
  await Promise.all(temps.map((e) => unlink(join(e.parentPath, e.name)).catch(() => undefined)));
  return temps.length;
}
