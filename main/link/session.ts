import type { Logger } from 'pino';

import type { DeviceIdentity } from '../../contract/station';
import type { SignedHeartbeat } from '../../protocol/heartbeat';
import type { LinkChannel } from '../../protocol/link/channel';
import { decodeMessage } from '../../protocol/link/codec';
import { isReply, type LinkIdentity, type LinkMessage } from '../../protocol/link/messages';
import { isLinkError, LinkError } from './errors';
import { RequestTracker } from './requests';
import { type ImageSender } from './sender';
import { transferImage, type TransferStats } from './transfer';

/** How a session times out and retries; tests shorten these to milliseconds. */
export interface LinkSessionOptions {
  /** How long one request attempt waits for its reply, ms. Default 3000. */
  requestTimeoutMs?: number;
  /** Attempts per request before TIMEOUT. Default 3. */
  requestAttempts?: number;
  /** With no ack for this long mid-transfer, resend from the last ack, ms. Default 2000. */
  stallMs?: number;
  /** Stalls in a row before a transfer fails with TIMEOUT. Default 5. */
  maxStalls?: number;
  /** How often to ping the device while the link is up, so it stays attached. Default 5000. */
  keepaliveMs?: number;
  /** Ask the device to resume a broken transfer of the same image. Default true. */
  resume?: boolean;
  /** Names the device in log lines (`serial:/dev/ttyUSB0`). */
  label?: string;
  /** Where link events are logged; silent without one. */
  logger?: Logger;
}

type Listener<T> = (value: T) => void;

/**
 * The station's end of one device link, over any LinkChannel: identify, provision, push a
 * `.ufw` (with resume), apply, and listen for relayed heartbeats and status changes.
 * Failures reject with a LinkError carrying a stable code. No Electron import.
 */
export class LinkSession {
  private readonly requests: RequestTracker;
  private readonly heartbeatListeners = new Set<Listener<SignedHeartbeat>>();
  private readonly statusListeners = new Set<Listener<DeviceIdentity>>();
  private readonly closeListeners = new Set<Listener<string>>();
  private sender: ImageSender | null = null;
  private transferCount = 0;
  private closedReason: string | null = null;
  private stats: TransferStats | null = null;
  private readonly keepalive: NodeJS.Timeout;

  constructor(
    private readonly channel: LinkChannel,
    private readonly options: LinkSessionOptions = {},
  ) {
    this.requests = new RequestTracker(channel, {
      timeoutMs: options.requestTimeoutMs ?? 3000,
      attempts: options.requestAttempts ?? 3,
    });
    channel.onMessage((bytes) => this.receive(bytes));
    channel.onClose((reason) => this.closed(reason));
    this.keepalive = setInterval(() => this.ping(), options.keepaliveMs ?? 5000);
    this.keepalive.unref();
  }

  /** Asks the device who it is. */
  async identify(): Promise<DeviceIdentity> {
    const reply = await this.requests.request((id) => ({ type: 'identify', id }));
    if (reply.type !== 'identity') throw unexpected('identify', reply.type);
    return toDeviceIdentity(reply.identity);
  }

  /** Stores the cloud identity and heartbeat secret on the device. */
  async provision(p: { deviceId: string; secret: string; cloudUrl: string }): Promise<void> {
    await this.requests.request((id) => ({ type: 'provision', id, ...p }));
    this.log(`provisioned as ${p.deviceId}`);
  }

  /**
   * Pushes a whole `.ufw`: begin (resuming when the device holds part of this same image),
   * stream the image through the window, then verify. `progress` counts acknowledged image
   * bytes. An abort signal stops it with ABORTED and tells the device to drop the transfer.
   */
  async transfer(
    ufw: Uint8Array,
    progress: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.sender) throw new LinkError('BUSY', 'a transfer is already running on this link');
    this.transferCount = (this.transferCount % 255) + 1;

    const stats = await transferImage(ufw, {
      channel: this.channel,
      requests: this.requests,
      transfer: this.transferCount,
      resume: this.options.resume ?? true,
      stallMs: this.options.stallMs ?? 2000,
      maxStalls: this.options.maxStalls ?? 5,
      progress,
      signal,
      attach: (sender) => (this.sender = sender),
      log: (line) => this.log(line),
    }).finally(() => (this.sender = null));
    this.stats = stats;
  }

  /** Tells the device to reboot into the verified image; resolves once it acknowledged. */
  async apply(): Promise<void> {
    await this.requests.request((id) => ({ type: 'apply', id }));
    this.log('apply acknowledged; the device reboots');
  }

  /** Figures from the last transfer that completed, for progress reports and benchmarks. */
  lastTransferStats(): TransferStats | null {
    return this.stats;
  }

  /** Calls `listener` with each signed heartbeat the device sends over the link. */
  onHeartbeat(listener: Listener<SignedHeartbeat>): () => void {
    this.heartbeatListeners.add(listener);
    return () => this.heartbeatListeners.delete(listener);
  }

  /** Calls `listener` with the device's identity whenever it pushes a change. */
  onStatus(listener: Listener<DeviceIdentity>): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Calls `listener` once when the link closes, with why. */
  onClose(listener: Listener<string>): () => void {
    if (this.closedReason !== null) {
      listener(this.closedReason);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the link; pending requests and a running transfer fail with LINK_LOST. */
  async close(): Promise<void> {
    if (this.closedReason === null) await this.letGo();
    await this.channel.close();
    this.closed('closed by the station');
  }

  private receive(bytes: Uint8Array): void {
    let message: LinkMessage;
    try {
      message = decodeMessage(bytes);
    } catch (error) {
      this.options.logger?.debug({ err: error }, `link: (${this.label}) malformed message`);
      return;
    }
    if (isReply(message)) return this.requests.settle(message);
    this.dispatch(message);
  }

  private dispatch(message: LinkMessage): void {
    switch (message.type) {
      case 'ack':
      case 'nak':
      case 'transfer-failed':
        this.sender?.feedback(message);
        return;
      case 'heartbeat':
        for (const listener of [...this.heartbeatListeners]) listener(message.heartbeat);
        return;
      case 'status':
        for (const listener of [...this.statusListeners]) {
          listener(toDeviceIdentity(message.identity));
        }
        return;
      default:
        this.options.logger?.debug(`link: (${this.label}) ignored ${message.type} from device`);
    }
  }

  /** Tells the device to detach now (one short try: closing must not wait on a dead link). */
  private async letGo(): Promise<void> {
    const once = { timeoutMs: 500, attempts: 1 };
    await this.requests.request((id) => ({ type: 'detach', id }), once).catch(() => undefined);
  }

  /** Pings the device; one that never answers is as gone as an unplugged one. */
  private ping(): void {
    this.requests
      .request((id) => ({ type: 'ping', id }))
      .catch((error: unknown) => {
        if (!isLinkError(error, 'TIMEOUT')) return; // OFFLINE while rebooting still answers
        this.log('the device stopped answering pings');
        void this.channel.close().finally(() => this.closed('the device stopped answering'));
      });
  }

  private closed(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    clearInterval(this.keepalive);
    this.requests.close(reason);
    this.sender?.fail(new LinkError('LINK_LOST', `the link dropped (${reason}); reconnect`));
    this.log(`closed (${reason})`);
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
  }

  private get label(): string {
    return this.options.label ?? this.channel.kind;
  }

  private log(line: string): void {
    this.options.logger?.info(`link: (${this.label}) ${line}`);
  }
}

/** The station's DeviceIdentity from the wire identity (which also carries maxChunk). */
function toDeviceIdentity(identity: LinkIdentity): DeviceIdentity {
  return {
    model: identity.model,
    serial: identity.serial,
    firmwareVersion: identity.firmwareVersion,
    recording: identity.recording,
    battery: identity.battery,
    deviceId: identity.deviceId,
    canResume: identity.canResume,
  };
}

function unexpected(request: string, reply: string): LinkError {
  return new LinkError('BAD_REPLY', `the device answered ${request} with ${reply}; reconnect`);
}
