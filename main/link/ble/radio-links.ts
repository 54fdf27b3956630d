import type { HostMessage } from '../../../protocol/radio/air';
import {
  type CentralAirSocket,
  connectToRadio,
  formatRadioAddress,
  type RadioAddress,
} from '../../../protocol/radio/air-socket';

/** One radio host the central listens to, with its socket while it is reachable. */
export interface RadioLink {
  /** Where it listens, as text. */
  readonly name: string;
  /** Its socket, or null while it cannot be reached. */
  socket: CentralAirSocket | null;
}

/** What happens on the radios, for the bindings to turn into noble events. */
export interface RadioEvents {
  /** A radio became reachable. */
  up(radio: RadioLink): void;
  /** A message arrived from a radio. */
  message(radio: RadioLink, message: HostMessage): void;
  /** A reachable radio went away (its connections are gone). */
  down(radio: RadioLink, reason: string): void;
}

/**
 * Keeps a socket open to each radio host: connects at start, and again every `retryMs`
 * while one cannot be reached, so a station may start before its radio and outlive it.
 */
export class RadioLinks {
  private readonly radios: RadioLink[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly addresses: RadioAddress[],
    private readonly events: RadioEvents,
    private readonly retryMs = 1000,
  ) {
    this.radios = addresses.map((address) => ({
      name: formatRadioAddress(address),
      socket: null,
    }));
  }

  /** Starts connecting to every radio. */
  start(): void {
    this.radios.forEach((radio, index) => void this.dial(radio, this.addresses[index]!));
  }

  /** The radios that are reachable now. */
  reachable(): RadioLink[] {
    return this.radios.filter((radio) => radio.socket !== null);
  }

  /** Closes every socket and stops retrying. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const radio of this.radios) radio.socket?.close();
  }

  private async dial(radio: RadioLink, address: RadioAddress): Promise<void> {
    if (this.closed) return;
    let socket: CentralAirSocket;
    try {
      socket = await connectToRadio(address);
    } catch {
      this.retry(radio, address);
      return;
    }
    if (this.closed) {
      socket.close();
      return;
    }

    radio.socket = socket;
    socket.onMessage((message) => this.events.message(radio, message));
    socket.onClose((reason) => {
      radio.socket = null;
      this.events.down(radio, reason);
      this.retry(radio, address);
    });
    this.events.up(radio);
  }

  private retry(radio: RadioLink, address: RadioAddress): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.dial(radio, address);
    }, this.retryMs);
    timer.unref();
    this.timers.add(timer);
  }
}
