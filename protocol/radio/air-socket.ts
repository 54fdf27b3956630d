import { connect, type Socket } from 'node:net';

import {
  AirFrameReader,
  type AirMessage,
  type CentralMessage,
  encodeAirFrame,
  type HostMessage,
} from './air';

/** Where a radio host listens: `host:port` for TCP, or a Unix socket path. */
export type RadioAddress = { host: string; port: number } | { path: string };

/** Reads `127.0.0.1:41234` or `/tmp/radio.sock`; throws RangeError for anything else. */
export function parseRadioAddress(text: string): RadioAddress {
  const trimmed = text.trim();
  if (trimmed.includes('/')) return { path: trimmed };

  const match = /^(.+):(\d{1,5})$/.exec(trimmed);
  const port = Number(match?.[2]);
  if (!match?.[1] || !(port >= 0 && port < 65536)) {
    throw new RangeError(`"${text}" is not a radio address: expected host:port or a socket path`);
  }
  return { host: match[1], port };
}

/** Writes an address back as text. */
export function formatRadioAddress(address: RadioAddress): string {
  return 'path' in address ? address.path : `${address.host}:${address.port}`;
}

/**
 * One end of a radio socket: typed messages in, typed messages out. `In` is what this end
 * hears (a central hears HostMessage), `Out` what it says.
 */
export class AirSocket<In extends AirMessage, Out extends AirMessage> {
  private readonly reader = new AirFrameReader();
  private readonly messageListeners = new Set<(message: In) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private closedWith: string | null = null;
  private corked = false;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (piece: Buffer) => this.receive(piece));
    socket.on('error', (error) => this.finish(`radio socket error: ${error.message}`));
    socket.on('close', () => this.finish('radio socket closed'));
  }

  /** True once the socket closed. */
  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** Sends one message; dropped silently once closed (the close was already reported). */
  send(message: Out): void {
    if (this.closedWith !== null) return;

    // Frames sent in one tick (a connection event's deliveries) leave in one write.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(encodeAirFrame(message));
  }

  /** Calls `listener` for each message heard; returns an unsubscribe function. */
  onMessage(listener: (message: In) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Calls `listener` once when the socket closes. */
  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the socket. */
  close(): void {
    this.socket.destroy();
    this.finish('closed by this end');
  }

  private receive(piece: Buffer): void {
    let messages: AirMessage[];
    try {
      messages = this.reader.push(piece);
    } catch (error) {
      this.socket.destroy();
      this.finish((error as Error).message);
      return;
    }
    for (const message of messages) {
      for (const listener of this.messageListeners) listener(message as In);
    }
  }

  private finish(reason: string): void {
    if (this.closedWith !== null) return;
    this.closedWith = reason;
    for (const listener of this.closeListeners) listener(reason);
    this.closeListeners.clear();
  }
}

/** A central's socket to a radio host. */
export type CentralAirSocket = AirSocket<HostMessage, CentralMessage>;
/** A radio host's socket to one central. */
export type HostAirSocket = AirSocket<CentralMessage, HostMessage>;

/** Connects to a radio host; rejects when nothing listens there. */
export function connectToRadio(address: RadioAddress): Promise<CentralAirSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect('path' in address ? { path: address.path } : address);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(new AirSocket<HostMessage, CentralMessage>(socket));
    });
  });
}
