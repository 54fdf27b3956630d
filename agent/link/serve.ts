import type { LinkChannel } from '../../protocol/link/channel';
import { decodeMessage, encodeMessage } from '../../protocol/link/codec';
import type {
  LinkIdentity,
  LinkMessage,
  LinkReply,
  LinkRequest,
} from '../../protocol/link/messages';
import type { UfwHeader } from '../../protocol/ufw';
import { MIN_UPDATE_BATTERY } from '../device/checks';
import type { VirtualDevice } from '../device/device';
import { type AgentLogger, silentLogger } from '../log';
import { describeFailure, LinkRefusal } from './begin';
import type { SignatureVerifier } from './receiver';
import { DeviceTransfers } from './transfers';

/** How the device side of a link behaves. */
export interface ServeLinkOptions {
  /** How often a provisioned device sends a signed heartbeat over the link. Default 60 s. */
  heartbeatIntervalMs?: number;
  /**
   * With nothing heard from the station for this long, the device counts the link as
   * detached (its own heartbeats resume) and calls onIdle. The station pings well within
   * it. Default 15 s.
   */
  idleTimeoutMs?: number;
  /** Called when the link went idle (serial reopens its port then). */
  onIdle?: () => void;
  /** Bytes the station may have in flight; default from the channel (see windowFor). */
  windowBytes?: number;
  /** Acknowledge every this many bytes written; default a quarter of the window. */
  ackEveryBytes?: number;
  /** The largest data chunk taken. Default 64 KiB. */
  maxChunk?: number;
  /**
   * Checks signed images: returns a verifier fed with every image byte, or null to accept
   * the image unchecked. Without it signed images are accepted unchecked. Signed images
   * checked this way always start from zero, since a resume would skip bytes.
   */
  signatureCheck?: (header: UfwHeader) => SignatureVerifier | null;
  /** Where link events are logged. Default silent. */
  logger?: AgentLogger;
}

/** A device serving one link; close() detaches it. */
export interface LinkService {
  /** Stops serving: an open transfer is aborted (its bytes stay for resume). */
  close(): void;
}

const DEFAULT_MAX_CHUNK = 64 * 1024;
const REQUEST_TYPES = new Set([
  'identify',
  'provision',
  'begin',
  'verify',
  'apply',
  'abort',
  'ping',
  'detach',
]);

/** The default window: a good part of a second of data on serial, ~270 chunks on BLE. */
export function windowFor(channel: LinkChannel): number {
  return channel.kind === 'serial' ? 512 * 1024 : 64 * 1024;
}

/**
 * Serves the link protocol for `device` on `channel`: identify, provision, transfer (with
 * resume), verify, apply and abort. The link counts as attached from the station's first
 * message until the channel closes or goes idle; while attached the device pushes status
 * changes and signed heartbeats over it. Transport-agnostic: serial and Bluetooth both
 * hand their channel here.
 */
export function serveLink(
  device: VirtualDevice,
  channel: LinkChannel,
  options: ServeLinkOptions = {},
): LinkService {
  const server = new LinkServer(device, channel, options);
  server.start();
  return { close: () => server.stop('closed by the device') };
}

class LinkServer {
  private readonly transfers: DeviceTransfers;
  private readonly inProgress = new Set<number>();
  private lastReply: { id: number; bytes: Uint8Array } | null = null;
  private lastStatus = '';
  private attached = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private stopped = false;
  private readonly log: AgentLogger;

  constructor(
    private readonly device: VirtualDevice,
    private readonly channel: LinkChannel,
    private readonly options: ServeLinkOptions,
  ) {
    this.log = (options.logger ?? silentLogger).child({ serial: device.serial });
    const windowBytes = options.windowBytes ?? windowFor(channel);
    this.transfers = new DeviceTransfers(device, {
      windowBytes,
      ackEveryBytes: options.ackEveryBytes ?? Math.max(1, Math.floor(windowBytes / 4)),
      maxChunk: options.maxChunk ?? DEFAULT_MAX_CHUNK,
      signatureCheck: options.signatureCheck,
      push: (message) => this.push(message),
      log: this.log,
    });
  }

  start(): void {
    const onChange = (): void => this.deviceChanged();
    const onRecording = (on: boolean): void => {
      if (on) void this.transfers.fail('RECORDING_ACTIVE', 'recording started; transfer stopped');
    };
    this.device.on('change', onChange);
    this.device.on('recording', onRecording);
    this.unsubscribe.push(
      () => this.device.off('change', onChange),
      () => this.device.off('recording', onRecording),
      this.channel.onMessage((bytes) => this.receive(bytes)),
      this.channel.onClose((reason) => this.stop(`link closed: ${reason}`)),
    );
    this.lastStatus = JSON.stringify(this.identity());
    this.armIdleTimer();
  }

  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    void this.detach(reason);
    void this.channel.close();
  }

  private receive(bytes: Uint8Array): void {
    let message: LinkMessage;
    try {
      message = decodeMessage(bytes);
    } catch (error) {
      this.log.debug({ err: error }, `link: (${this.device.serial}) malformed message dropped`);
      return;
    }
    this.heard();
    if (message.type === 'data') {
      this.transfers.data(message.transfer, message.offset, message.bytes);
    } else if (REQUEST_TYPES.has(message.type)) {
      this.request(message as LinkRequest);
    }
  }

  private request(request: LinkRequest): void {
    // A retried request (same id: the reply was lost) gets the same reply again; one still
    // being handled is not started twice.
    if (this.inProgress.has(request.id)) return;
    if (this.lastReply?.id === request.id) {
      void this.channel.send(this.lastReply.bytes).catch(() => undefined);
      return;
    }
    this.inProgress.add(request.id);
    void this.answer(request).finally(() => this.inProgress.delete(request.id));
  }

  private async answer(request: LinkRequest): Promise<void> {
    let reply: LinkReply;
    try {
      reply = await this.handle(request);
    } catch (error) {
      reply = { type: 'error', id: request.id, ...describeFailure(error) };
      this.log.info(`link: (${this.device.serial}) ${request.type} refused: ${reply.code}`);
    }
    const bytes = encodeMessage(reply);
    this.lastReply = { id: request.id, bytes };
    await this.channel.send(bytes).catch(() => undefined);
    if (request.type === 'apply' && reply.type === 'ok') void this.device.reboot();
    if (request.type === 'detach') await this.detach('the station let go');
  }

  private async handle(request: LinkRequest): Promise<LinkReply> {
    const { id } = request;
    if (!this.device.online) {
      throw new LinkRefusal('OFFLINE', `${this.device.serial} is rebooting; try again shortly`);
    }
    switch (request.type) {
      case 'identify':
        this.startHeartbeats();
        return { type: 'identity', id, identity: this.identity() };
      case 'provision':
        await this.device.provision(request);
        return { type: 'ok', id };
      case 'begin':
        return this.transfers.begin(request);
      case 'verify':
        await this.transfers.verify(request);
        return { type: 'ok', id };
      case 'apply':
        if (this.transfers.open) throw new LinkRefusal('BUSY', 'a transfer is open; verify it');
        return { type: 'ok', id };
      case 'abort':
        await this.transfers.stop('aborted by the station');
        return { type: 'ok', id };
      case 'ping':
      case 'detach':
        return { type: 'ok', id };
    }
  }

  private heard(): void {
    this.armIdleTimer();
    if (this.attached) return;
    this.attached = true;
    this.device.setLinkAttached(true);
    this.log.info(`link: (${this.device.serial}) attached over ${this.channel.kind}`);
  }

  private armIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      void this.detach('the station went quiet');
      this.options.onIdle?.();
    }, this.options.idleTimeoutMs ?? 15_000);
    this.idleTimer.unref();
  }

  private async detach(reason: string): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    // The open transfer is aborted before the device counts as detached, so a station that
    // reconnects at once finds the device free to resume.
    await this.transfers.stop(reason);
    if (!this.attached) return;
    this.attached = false;
    this.device.setLinkAttached(false);
    this.log.info(`link: (${this.device.serial}) detached (${reason})`);
  }

  private deviceChanged(): void {
    const battery = this.device.battery;
    if (this.transfers.open && battery < MIN_UPDATE_BATTERY) {
      const words = `battery fell to ${battery} %; charge above ${MIN_UPDATE_BATTERY} % first`;
      void this.transfers.fail('LOW_BATTERY', words);
    }
    if (!this.device.online || !this.attached) return;

    const identity = this.identity();
    const status = JSON.stringify(identity);
    if (status === this.lastStatus) return;
    this.lastStatus = status;
    this.push({ type: 'status', identity });
  }

  private startHeartbeats(): void {
    if (this.heartbeatTimer) return;
    const every = this.options.heartbeatIntervalMs ?? 60_000;
    this.heartbeatTimer = setInterval(() => this.sendHeartbeat(), every);
    this.heartbeatTimer.unref();
    this.sendHeartbeat();
  }

  private sendHeartbeat(): void {
    if (!this.device.online || !this.attached || this.device.deviceId === null) return;
    this.push({ type: 'heartbeat', heartbeat: this.device.signHeartbeat() });
  }

  private push(message: LinkMessage): void {
    if (this.stopped) return;
    void this.channel.send(encodeMessage(message)).catch(() => undefined);
  }

  private identity(): LinkIdentity {
    return { ...this.device.identity(), maxChunk: this.options.maxChunk ?? DEFAULT_MAX_CHUNK };
  }
}
