import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { DeviceRefusal } from '../device/refusal';
import type { SlotWriter } from '../device/slot-writer';
import { ConnectionDropped, type DeviceFaults } from '../faults';
import { type HttpAgents, sendRequest } from './http';

/** The image to fetch, as the OTA manifest names it. */
export interface DownloadTarget {
  /** Presigned URL of the `.bin`. */
  url: string;
  /** Bytes the manifest promises. */
  size: number;
}

/** How to download. */
export interface DownloadOptions {
  /** Shared connection pools. */
  agents: HttpAgents;
  /** Tries before giving up; default 10. */
  maxTries?: number;
  /** Wait between tries, ms; default 1000. */
  retryDelayMs?: number;
  /** Give up a connection on which nothing moved for this long, ms; default 30000. */
  idleTimeoutMs?: number;
  /** Faults to pass each chunk through. */
  faults?: DeviceFaults;
  /** Stops the download (the writer is aborted; nothing is reported). */
  signal?: AbortSignal;
  /** Called after each try that ended in a lost connection. */
  onRetry?: (tries: number, why: string) => void;
  /** Called before each request, with the first byte asked for (for debug logs). */
  onRequest?: (start: number) => void;
}

/** A download that cannot succeed; `reason` is what the device reports. */
export class DownloadFailed extends Error {
  /** Stable code. */
  readonly code = 'DOWNLOAD_FAILED';
}

/** Opens a slot writer: resuming the bytes held, or starting over. */
export type OpenWriter = (resume: boolean) => Promise<SlotWriter>;

/**
 * Streams the image into the spare slot. A lost connection is retried (up to maxTries in
 * all), resuming with a Range request from the last byte held; a 200 to a Range request
 * means the server starts over, and so does the slot. Returns the writer, full but not yet
 * finished; a DeviceRefusal from the slot or a DownloadFailed ends it.
 */
export async function downloadImage(
  target: DownloadTarget,
  openWriter: OpenWriter,
  options: DownloadOptions,
): Promise<SlotWriter> {
  const maxTries = options.maxTries ?? 10;
  let writer = await openWriter(true);

  for (let tries = 1; writer.offset < target.size; tries += 1) {
    try {
      writer = await fetchOnce(target, writer, openWriter, options);
    } catch (error) {
      if (!isConnectionLoss(error)) {
        await writer.abort();
        throw error;
      }
      const why = (error as Error).message;
      if (tries >= maxTries) {
        await writer.abort();
        throw new DownloadFailed(`gave up after ${tries} tries (last: ${why})`);
      }
      options.onRetry?.(tries, why);
      await sleep(options.retryDelayMs ?? 1000, undefined, { signal: options.signal });
    }
  }
  return writer;
}

/** Anything but a refusal or a definite failure is a lost connection worth another try. */
function isConnectionLoss(error: unknown): boolean {
  return !(error instanceof DownloadFailed || error instanceof DeviceRefusal || isAbort(error));
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

async function fetchOnce(
  target: DownloadTarget,
  writer: SlotWriter,
  openWriter: OpenWriter,
  options: DownloadOptions,
): Promise<SlotWriter> {
  const start = writer.offset;
  options.onRequest?.(start);
  const response = await sendRequest(options.agents, {
    url: target.url,
    headers: start > 0 ? { range: `bytes=${start}-` } : {},
    idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
    signal: options.signal,
  });

  try {
    const current = await checkResponse(response, target, writer, openWriter);
    await streamInto(response, current, target, options.faults);
    return current;
  } finally {
    if (!response.complete) response.destroy();
  }
}

async function checkResponse(
  response: IncomingMessage,
  target: DownloadTarget,
  writer: SlotWriter,
  openWriter: OpenWriter,
): Promise<SlotWriter> {
  const status = response.statusCode ?? 0;
  if (status === 206) {
    assertContentRange(response.headers['content-range'], writer.offset, target.size);
    return writer;
  }
  if (status === 200) {
    assertLength(response.headers['content-length'], target.size);
    if (writer.offset === 0) return writer;
    // The server ignored the Range: its body starts at byte 0, so the slot must too.
    await writer.abort();
    return openWriter(false);
  }
  if (status >= 500) throw new Error(`server error HTTP ${status}`);
  throw new DownloadFailed(describeRefusal(status));
}

function describeRefusal(status: number): string {
  if (status === 403) return 'download URL expired or refused (HTTP 403)';
  if (status === 404) return 'image not found at the download URL (HTTP 404)';
  if (status === 416) return 'server refused the resume range (HTTP 416)';
  return `download refused with HTTP ${status}`;
}

function assertContentRange(header: string | undefined, start: number, size: number): void {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header ?? '');
  if (!match || Number(match[1]) !== start || Number(match[3]) !== size) {
    throw new DownloadFailed(
      `size mismatch: asked for bytes ${start}- of ${size}, got Content-Range "${header ?? ''}"`,
    );
  }
}

function assertLength(header: string | undefined, size: number): void {
  if (header !== undefined && Number(header) !== size) {
    throw new DownloadFailed(`size mismatch: manifest says ${size} bytes, server sends ${header}`);
  }
}

async function streamInto(
  response: IncomingMessage,
  writer: SlotWriter,
  target: DownloadTarget,
  faults: DeviceFaults | undefined,
): Promise<void> {
  let connectionBytes = 0;
  for await (const part of response) {
    const received = part as Buffer;
    const verdict = faults
      ? await faults.onStreamChunk({ offset: writer.offset, chunk: received, connectionBytes })
      : { chunk: received, drop: null };

    if (writer.offset + verdict.chunk.length > target.size) {
      throw new DownloadFailed(`size mismatch: server sends more than ${target.size} bytes`);
    }
    if (verdict.chunk.length > 0) await writer.write(writer.offset, verdict.chunk);
    connectionBytes += received.length;
    if (verdict.drop) {
      response.socket?.destroy();
      throw new ConnectionDropped(verdict.drop);
    }
  }
  if (writer.offset < target.size) {
    throw new Error(`connection closed at byte ${writer.offset} of ${target.size}`);
  }
}
