import type { LinkChannel } from './channel';

/** What an in-memory link does to messages on the way, for fault tests. */
export interface MemoryLinkFaults {
  /**
   * Called for each message crossing the link; returns the bytes to deliver (possibly
   * changed) or null to lose the message. `data` is true for sendData messages.
   */
  filter?: (message: Uint8Array, data: boolean, from: 'a' | 'b') => Uint8Array | null;
}

/** Two ends of an in-memory link: what `a` sends, `b` receives, and back. */
export interface MemoryLinkPair {
  /** One end (the station's, by convention). */
  a: LinkChannel;
  /** The other end (the device's). */
  b: LinkChannel;
}

/**
 * An in-memory LinkChannel pair for unit tests and in-process benches. Messages arrive
 * asynchronously and in order, each as its own copy, as they would over a real link.
 */
export function createMemoryLinkPair(
  options: { maxMessageBytes?: number; kind?: 'serial' | 'ble' } & MemoryLinkFaults = {},
): MemoryLinkPair {
  const a = new MemoryEnd('a', options);
  const b = new MemoryEnd('b', options);
  a.peer = b;
  b.peer = a;
  return { a, b };
}

class MemoryEnd implements LinkChannel {
  readonly kind: 'serial' | 'ble';
  readonly maxMessageBytes: number;
  peer: MemoryEnd | null = null;
  private readonly messageListeners = new Set<(message: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private closedReason: string | null = null;

  constructor(
    private readonly name: 'a' | 'b',
    private readonly options: MemoryLinkFaults & {
      maxMessageBytes?: number;
      kind?: 'serial' | 'ble';
    },
  ) {
    this.kind = options.kind ?? 'serial';
    this.maxMessageBytes = options.maxMessageBytes ?? 16 * 1024;
  }

  send(message: Uint8Array): Promise<void> {
    return this.transmit(message, false);
  }

  sendData(message: Uint8Array): Promise<void> {
    if (message.length > this.maxMessageBytes) {
      return Promise.reject(new RangeError(`data message of ${message.length} bytes is too big`));
    }
    return this.transmit(message, true);
  }

  onMessage(listener: (message: Uint8Array) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.shut('closed by this side');
    this.peer?.shut('closed by the other side');
  }

  /** Delivers one message from the peer. */
  receive(message: Uint8Array): void {
    if (this.closedReason !== null) return;
    for (const listener of [...this.messageListeners]) listener(message);
  }

  /** Marks this end closed and tells its listeners. */
  shut(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
  }

  private transmit(message: Uint8Array, data: boolean): Promise<void> {
    if (this.closedReason !== null) {
      return Promise.reject(new Error(`link closed: ${this.closedReason}`));
    }
    const copy = Uint8Array.from(message);
    const delivered = this.options.filter ? this.options.filter(copy, data, this.name) : copy;
    const peer = this.peer;
    if (delivered && peer) setImmediate(() => peer.receive(delivered));
    return Promise.resolve();
  }
}
