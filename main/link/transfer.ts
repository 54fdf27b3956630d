import type { LinkChannel } from '../../protocol/link/channel';
import { DATA_OVERHEAD_BYTES, type ReadyReply } from '../../protocol/link/messages';
import { parseUfw, type Ufw, UFW_HEADER_BYTES, UfwError } from '../../protocol/ufw';
import { isLinkError, LinkError } from './errors';
import type { RequestTracker } from './requests';
import { ImageSender } from './sender';

/** What one finished transfer cost, for logs, progress and benchmarks. */
export interface TransferStats {
  /** Bytes in the image (the `.ufw` less its header). */
  imageBytes: number;
  /** Where sending started: more than 0 when the device resumed. */
  startOffset: number;
  /** Image bytes put on the link, resends included. */
  bytesSent: number;
  /** Times the window went back to resend (naks and stalls). */
  rewinds: number;
  /** Image bytes per data message. */
  chunkBytes: number;
  /** Bytes allowed in flight. */
  windowBytes: number;
  /** From begin to the device's verify reply, ms. */
  elapsedMs: number;
  /** From the first data message to the last acknowledgement, ms: the streaming alone. */
  streamMs: number;
}

/** What transferImage needs from its session. */
export interface TransferContext {
  /** The link. */
  channel: LinkChannel;
  /** The session's request tracker. */
  requests: RequestTracker;
  /** This transfer's tag (1 to 255). */
  transfer: number;
  /** Whether to ask the device to resume. */
  resume: boolean;
  /** Stall timeout, ms. */
  stallMs: number;
  /** Stalls in a row before TIMEOUT. */
  maxStalls: number;
  /** Told as acknowledged bytes grow. */
  progress: (done: number, total: number) => void;
  /** Stops the transfer with ABORTED. */
  signal?: AbortSignal;
  /** Hands the running sender to the session, which feeds it acks and naks. */
  attach: (sender: ImageSender) => void;
  /** Writes one info line. */
  log: (line: string) => void;
}

/** Begin, stream and verify one `.ufw` on the device; rejects with a LinkError. */
export async function transferImage(ufw: Uint8Array, ctx: TransferContext): Promise<TransferStats> {
  const { header, image } = readUfw(ufw);
  throwIfAborted(ctx.signal);
  const started = performance.now();
  const ready = await begin(ufw, ctx);
  ctx.log(`transfer ${header.version} begun at ${ready.offset}/${image.length}`);

  const sender = new ImageSender(ctx.channel, {
    transfer: ctx.transfer,
    image,
    start: ready.offset,
    windowBytes: ready.windowBytes,
    chunkBytes: Math.min(ctx.channel.maxMessageBytes - DATA_OVERHEAD_BYTES, ready.maxChunk),
    stallMs: ctx.stallMs,
    maxStalls: ctx.maxStalls,
    progress: ctx.progress,
  });
  ctx.progress(ready.offset, image.length);
  const streamStarted = performance.now();
  await send(sender, ctx);
  const streamMs = performance.now() - streamStarted;

  await ctx.requests.request((id) => ({ type: 'verify', id, transfer: ctx.transfer }));
  const stats = statsOf(sender, ready.offset, performance.now() - started, streamMs);
  ctx.log(`transfer ${header.version} verified: ${describe(stats)}`);
  return stats;
}

async function begin(ufw: Uint8Array, ctx: TransferContext): Promise<ReadyReply> {
  const ready = await ctx.requests.request((id) => ({
    type: 'begin',
    id,
    transfer: ctx.transfer,
    header: ufw.subarray(0, UFW_HEADER_BYTES),
    totalLength: ufw.length,
    resume: ctx.resume,
  }));
  if (ready.type !== 'ready') throw new LinkError('BAD_REPLY', `begin answered by ${ready.type}`);
  if (ready.windowBytes < 1 || ready.maxChunk < 1) {
    throw new LinkError('BAD_REPLY', 'the device offered an empty window; update its firmware');
  }
  return ready;
}

async function send(sender: ImageSender, ctx: TransferContext): Promise<void> {
  const onAbort = (): void =>
    sender.fail(
      new LinkError('ABORTED', 'the transfer was cancelled; the device keeps its firmware'),
    );
  ctx.signal?.addEventListener('abort', onAbort);
  ctx.attach(sender);

  try {
    await sender.run();
  } catch (error) {
    if (!isLinkError(error, 'LINK_LOST')) await abortOnDevice(ctx);
    throw error;
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
  }
}

async function abortOnDevice(ctx: TransferContext): Promise<void> {
  // Best effort: the device also drops the transfer on its own when the link closes.
  await ctx.requests
    .request((id) => ({ type: 'abort', id }), { timeoutMs: 1000, attempts: 2 })
    .catch(() => undefined);
}

function readUfw(ufw: Uint8Array): Ufw {
  try {
    return parseUfw(ufw);
  } catch (error) {
    if (!(error instanceof UfwError)) throw error;
    const code =
      error.code === 'UFW_CRC_MISMATCH'
        ? 'CRC_MISMATCH'
        : error.code === 'UFW_TOO_LARGE'
          ? 'IMAGE_TOO_LARGE'
          : 'BAD_HEADER';
    throw new LinkError(code, `the .ufw cannot be sent: ${error.message}`);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LinkError('ABORTED', 'the transfer was cancelled before it began');
}

function statsOf(
  sender: ImageSender,
  startOffset: number,
  elapsedMs: number,
  streamMs: number,
): TransferStats {
  return {
    imageBytes: sender.window.acked,
    startOffset,
    bytesSent: sender.window.bytesSent,
    rewinds: sender.window.rewinds,
    chunkBytes: sender.chunkBytes,
    windowBytes: sender.windowBytes,
    elapsedMs,
    streamMs,
  };
}

function describe(stats: TransferStats): string {
  const kib = stats.imageBytes / 1024;
  const rate = kib / (stats.elapsedMs / 1000);
  return (
    `${kib.toFixed(0)} KiB in ${(stats.elapsedMs / 1000).toFixed(2)} s ` +
    `(${rate.toFixed(0)} KiB/s, ${stats.bytesSent} bytes sent from ${stats.startOffset}, ` +
    `${stats.rewinds} rewinds)`
  );
}
