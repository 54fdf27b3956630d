import type { LinkChannel } from '../../protocol/link/channel';
import { decodeMessage, encodeMessage } from '../../protocol/link/codec';
import type {
  BeginRequest,
  LinkIdentity,
  LinkMessage,
  LinkReply,
  LinkRequest,
  VerifyRequest,
} from '../../protocol/link/messages';
import type { UfwHeader } from '../../protocol/ufw';
import { MIN_UPDATE_BATTERY } from '../device/checks';
import type { VirtualDevice } from '../device/device';
import { type AgentLogger, silentLogger } from '../log';
import { describeFailure, LinkRefusal, readOfferedHeader } from './begin';
import { type SignatureVerifier, type TransferFailure, TransferReceiver } from './receiver';

/** How the device side of a link behaves. */
export interface ServeLinkOptions {
  /** How often a provisioned device sends a signed heartbeat over the link. Default 60 s. */
  heartbeatIntervalMs?: number;
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

/** The default window: a good part of a second of data on serial, ~270 chunks on BLE. */
export function windowFor(channel: LinkChannel): number {
  return channel.kind === 'serial' ? 512 * 1024 : 64 * 1024;
}

/**
 * Serves the link protocol for `device` on `channel`: identify, provision, transfer (with
 * resume), verify, apply and abort; pushes status changes and signed heartbeats while the
 * link is attached. Transport-agnostic: serial and Bluetooth both hand their channel here.
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
  private receiver: TransferReceiver | null = null;
  private verifier: SignatureVerifier | null = null;
  private readonly inProgress = new Set<number>();
  private lastReply: { id: number; bytes: Uint8Array } | null = null;
  private lastStatus = '';
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private stopped = false;
  private readonly log: AgentLogger;

  constructor(
    private readonly device: VirtualDevice,
    private readonly channel: LinkChannel,
    private readonly options: ServeLinkOptions,
  ) {
    this.log = (options.logger ?? silentLogger).child({ serial: device.serial });
  }

  start(): void {
    const onChange = (): void => this.deviceChanged();
    const onRecording = (on: boolean): void => {
      if (on) void this.failTransfer('RECORDING_ACTIVE', 'recording started; transfer stopped');
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
    this.device.setLinkAttached(true);
    this.log.info(`link: (${this.device.serial}) attached over ${this.channel.kind}`);
  }

  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    void this.channel.close();

    // The open transfer is aborted before the device counts as detached, so a station that
    // reconnects at once finds the device free to resume.
    const receiver = this.receiver;
    this.receiver = null;
    void (receiver?.abort() ?? Promise.resolve()).finally(() => {
      this.device.setLinkAttached(false);
      this.log.info(`link: (${this.device.serial}) detached (${reason})`);
    });
  }

  private receive(bytes: Uint8Array): void {
    let message: LinkMessage;
    try {
      message = decodeMessage(bytes);
    } catch (error) {
      this.log.debug({ err: error }, `link: (${this.device.serial}) malformed message dropped`);
      return;
    }
    if (message.type === 'data') {
      if (this.receiver?.transfer === message.transfer) {
        this.receiver.arrive(message.offset, message.bytes);
      }
      return;
    }
    if (isRequest(message)) this.request(message);
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
        return this.begin(request);
      case 'verify':
        await this.verify(request);
        return { type: 'ok', id };
      case 'apply':
        if (this.receiver) throw new LinkRefusal('BUSY', 'a transfer is open; verify or abort it');
        return { type: 'ok', id };
      case 'abort':
        await this.abortTransfer('aborted by the station');
        return { type: 'ok', id };
    }
  }

  private async begin(request: BeginRequest): Promise<LinkReply> {
    const header = readOfferedHeader(request);
    await this.abortTransfer('replaced by a new transfer');

    this.verifier = this.options.signatureCheck?.(header) ?? null;
    const resume = request.resume && this.verifier === null;
    const writer = await this.device.beginUpdate(
      {
        model: header.model,
        length: header.imageLength,
        crc32: header.imageCrc32,
        version: header.version,
        signature: header.signature,
      },
      { resume },
    );
    const windowBytes = this.options.windowBytes ?? windowFor(this.channel);
    this.receiver = new TransferReceiver(writer, {
      transfer: request.transfer,
      total: header.imageLength,
      ackEveryBytes: this.options.ackEveryBytes ?? Math.max(1, Math.floor(windowBytes / 4)),
      send: (message) => this.push(message),
      onFailure: (failure) => void this.transferFailed(failure),
      verifier: this.verifier ?? undefined,
    });
    this.log.info(
      `link: (${this.device.serial}) transfer ${header.version} begun at ` +
        `${writer.offset}/${header.imageLength}`,
    );
    return {
      type: 'ready',
      id: request.id,
      transfer: request.transfer,
      offset: writer.offset,
      windowBytes,
      maxChunk: this.maxChunk(),
    };
  }

  private async verify(request: VerifyRequest): Promise<void> {
    const receiver = this.receiver;
    if (!receiver || receiver.transfer !== request.transfer) {
      throw new LinkRefusal('NO_TRANSFER', 'no such transfer is open; begin it again');
    }
    const failure = await receiver.settled();
    if (failure) throw new LinkRefusal(failure.code, failure.message);

    if (this.verifier && !this.verifier.verify()) {
      await this.abortTransfer('bad signature');
      throw new LinkRefusal('BAD_SIGNATURE', 'the image signature does not match; not applied');
    }
    this.receiver = null;
    await receiver.finishImage();
    this.log.info(`link: (${this.device.serial}) image verified, waits for apply`);
  }

  private async abortTransfer(why: string): Promise<void> {
    const receiver = this.receiver;
    if (!receiver) return;
    this.receiver = null;
    await receiver.abort();
    this.log.info(`link: (${this.device.serial}) transfer stopped at ${receiver.written} (${why})`);
  }

  private async failTransfer(code: string, message: string): Promise<void> {
    const receiver = this.receiver;
    if (!receiver) return;
    await this.abortTransfer(code);
    this.push({ type: 'transfer-failed', transfer: receiver.transfer, code, message });
  }

  private async transferFailed(failure: TransferFailure): Promise<void> {
    await this.failTransfer(failure.code, failure.message);
  }

  private deviceChanged(): void {
    const battery = this.device.battery;
    if (this.receiver && battery < MIN_UPDATE_BATTERY) {
      const words = `battery fell to ${battery} %; charge above ${MIN_UPDATE_BATTERY} % first`;
      void this.failTransfer('LOW_BATTERY', words);
    }
    if (!this.device.online) return;

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
    if (!this.device.online || this.device.deviceId === null) return;
    this.push({ type: 'heartbeat', heartbeat: this.device.signHeartbeat() });
  }

  private push(message: LinkMessage): void {
    if (this.stopped) return;
    void this.channel.send(encodeMessage(message)).catch(() => undefined);
  }

  private identity(): LinkIdentity {
    return { ...this.device.identity(), maxChunk: this.maxChunk() };
  }

  private maxChunk(): number {
    return this.options.maxChunk ?? DEFAULT_MAX_CHUNK;
  }
}

function isRequest(message: LinkMessage): message is LinkRequest {
  return ['identify', 'provision', 'begin', 'verify', 'apply', 'abort'].includes(message.type);
}
