import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import type { Release } from '../../protocol/cloud-api';
import { CoreError, errorCode } from './failures';
import type { StationLog } from './log';
import type { StationCloud } from './ports';

type Progress = (done: number, total: number) => void;

interface Download {
  promise: Promise<string>;
  listeners: Set<Progress>;
}

/**
 * Release `.ufw` files downloaded from the cloud, kept in `<workDir>/firmware/<sha256>.ufw`.
 * A file lands under its name only after its SHA-256 matched, so a cached file is trusted.
 * Jobs that want the same file at the same time share one download; each sees its progress.
 */
export class FirmwareCache {
  // Shortcoming: cached files are never evicted, and a download every waiter gave up on
  // still runs to the end — better: cap the cache (newest releases first) and abort a
  // download nobody waits for.
  private readonly downloads = new Map<string, Download>();

  constructor(
    private readonly dir: string,
    private readonly cloud: StationCloud,
    private readonly log: StationLog,
  ) {}

  /** The release's `.ufw` bytes, from the cache or downloaded; `signal` stops only this wait. */
  async fetch(release: Release, onProgress: Progress, signal?: AbortSignal): Promise<Uint8Array> {
    const ufw = release.ufw;
    if (!ufw) throw new CoreError('NO_UFW');

    const path = this.pathFor(ufw.sha256);
    if (await isFile(path, ufw.size)) {
      onProgress(ufw.size, ufw.size);
      return readFile(path);
    }

    const download = this.shared(release, ufw.sha256);
    download.listeners.add(onProgress);
    try {
      await abortable(download.promise, signal);
    } finally {
      download.listeners.delete(onProgress);
    }
    return readFile(path);
  }

  private pathFor(sha256: string): string {
    return join(this.dir, `${sha256}.ufw`);
  }

  private shared(release: Release, sha256: string): Download {
    const existing = this.downloads.get(sha256);
    if (existing) return existing;

    const listeners = new Set<Progress>();
    const report: Progress = (done, total) =>
      listeners.forEach((listener) => listener(done, total));
    const promise = this.download(release, sha256, report).finally(() =>
      this.downloads.delete(sha256),
    );
    // Every waiter may have gone (cancelled) by the time it fails: that is not unhandled.
    promise.catch(() => undefined);
    const download = { promise, listeners };
    this.downloads.set(sha256, download);
    return download;
  }

  private async download(release: Release, sha256: string, report: Progress): Promise<string> {
    const link = await this.cloud.fileLink(release.id, 'ufw');
    await mkdir(this.dir, { recursive: true });
    const target = this.pathFor(sha256);
    const temp = `${target}.${process.pid}.${Date.now()}.part`;
    const started = Date.now();

    try {
      const hash = await this.stream(link.url, temp, link.size, report);
      if (hash !== link.sha256 || hash !== sha256) {
        throw new CoreError('DOWNLOAD_CORRUPT', `SHA-256 ${hash} does not match ${sha256}`);
      }
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }

    this.log.info('cloud', `downloaded ${release.version} .ufw (${link.size} B)`, {
      release_id: release.id,
      ms: Date.now() - started,
    });
    return target;
  }

  private async stream(url: string, temp: string, size: number, report: Progress) {
    const response = await fetch(url).catch((error: unknown) => {
      throw new CoreError('DOWNLOAD_FAILED', `cannot reach ${url}: ${describe(error)}`);
    });
    if (!response.ok || !response.body) {
      throw new CoreError('DOWNLOAD_FAILED', `the cloud answered HTTP ${response.status}`);
    }

    const hash = createHash('sha256');
    let done = 0;
    const body = Readable.fromWeb(response.body as WebReadableStream);
    body.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      done += chunk.length;
      report(done, size);
    });
    await pipeline(body, createWriteStream(temp)).catch((error: unknown) => {
      throw new CoreError('DOWNLOAD_FAILED', `download broke off: ${describe(error)}`);
    });
    return hash.digest('hex');
  }
}

async function isFile(path: string, size: number): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return info !== null && info.isFile() && info.size === size;
}

function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new CoreError('CANCELLED'));

  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CoreError('CANCELLED'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const code = errorCode(cause) ?? errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${message} (${code})` : message;
}
