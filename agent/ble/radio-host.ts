import { rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';

import type { CentralMessage } from '../../protocol/radio/air';
import {
  AirSocket,
  formatRadioAddress,
  type HostAirSocket,
  parseRadioAddress,
  type RadioAddress,
} from '../../protocol/radio/air-socket';
import {
  capacityBytesPerSecond,
  checkLinkParameters,
  DEFAULT_LINK,
  type LinkParameters,
} from '../../protocol/radio/link-model';
import { SharedAir } from '../../protocol/radio/link-scheduler';
import { seededRandom } from '../../protocol/random';
import { type AgentLogger, silentLogger } from '../log';
import { HostConnection } from './connection';
import type { VirtualPeripheral } from './peripheral';

/** How a radio host listens and shapes its links. */
export interface RadioHostOptions {
  /** `host:port` or a Unix socket path; default `127.0.0.1:0` (any free port). */
  listen?: string;
  /** The link model every connection follows; unset fields take DEFAULT_LINK's. */
  link?: Partial<LinkParameters>;
  /** Time between advertisements of one peripheral, ms; default 100. */
  advertiseIntervalMs?: number;
  /** Seed for packet loss, so lossy runs repeat; default fixed. */
  lossSeed?: number;
  /** Where state changes are logged; default silent. */
  logger?: AgentLogger;
}

interface Central {
  socket: HostAirSocket;
  scanning: boolean;
  connections: Map<number, HostConnection>;
  /** The central's radio time, shared by its connections. */
  air: SharedAir;
}

/**
 * The virtual radio's air, hosted where the peripherals live: centrals connect over a
 * socket, hear advertisements while they scan, and open connections whose traffic the link
 * model paces.
 */
export class RadioHost {
  /** The link model every connection follows. */
  // Shortcoming: the parameters are fixed per radio; a central cannot ask for another
  // interval or PHY — better: model the link layer's connection and PHY update procedures.
  readonly link: LinkParameters;
  private readonly peripherals = new Set<VirtualPeripheral>();
  private readonly centrals = new Set<Central>();
  private readonly random: () => number;
  private readonly log: AgentLogger;
  private advertiseTimer: NodeJS.Timeout | null = null;
  private nextHandle = 1;

  private constructor(
    private readonly server: Server,
    private readonly where: RadioAddress,
    private readonly options: RadioHostOptions,
  ) {
    this.link = { ...DEFAULT_LINK, ...options.link };
    this.random = seededRandom(options.lossSeed ?? 0x5eed);
    this.log = options.logger ?? silentLogger;
  }

  /** Starts a radio host; rejects on bad link parameters or when the address is taken. */
  static async listen(options: RadioHostOptions = {}): Promise<RadioHost> {
    const link = { ...DEFAULT_LINK, ...options.link };
    const problem = checkLinkParameters(link);
    if (problem) throw new RangeError(`radio link: ${problem}`);

    const requested = parseRadioAddress(options.listen ?? '127.0.0.1:0');
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen('path' in requested ? requested.path : requested, () => resolve());
    });

    const where = boundAddress(server, requested);
    const host = new RadioHost(server, where, options);
    server.on('connection', (socket) => host.accept(socket));
    host.startAdvertising();
    host.log.info(`ble: radio listening on ${formatRadioAddress(where)}`);
    return host;
  }

  /** Where centrals connect: `127.0.0.1:41234` or the socket path. */
  get address(): string {
    return formatRadioAddress(this.where);
  }

  /** What one connection can carry one way, in bytes per second, by the link model. */
  capacityBytesPerSecond(): number {
    return capacityBytesPerSecond(this.link);
  }

  /** Puts a peripheral on the air. */
  add(peripheral: VirtualPeripheral): void {
    this.peripherals.add(peripheral);
  }

  /** Takes a peripheral off the air, ending its connection. */
  remove(peripheral: VirtualPeripheral): void {
    this.peripherals.delete(peripheral);
    peripheral.disconnect('the peripheral left the air');
  }

  /** Ends every connection and stops listening. */
  async close(): Promise<void> {
    if (this.advertiseTimer) clearInterval(this.advertiseTimer);
    for (const central of this.centrals) {
      for (const connection of central.connections.values()) connection.drop('radio closed');
      central.socket.close();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if ('path' in this.where) await rm(this.where.path, { force: true });
  }

  private accept(socket: Socket): void {
    const central: Central = {
      socket: new AirSocket(socket),
      scanning: false,
      connections: new Map(),
      air: new SharedAir(),
    };
    this.centrals.add(central);

    central.socket.onMessage((message) => this.receive(central, message));
    central.socket.onClose(() => {
      this.centrals.delete(central);
      // A central that vanished is gone for its peripherals after the supervision timeout.
      for (const connection of central.connections.values()) {
        connection.drop('connection supervision timeout: the central went away');
      }
    });
  }

  private receive(central: Central, message: CentralMessage): void {
    if (message.type === 'scan') {
      central.scanning = message.on;
      if (message.on) this.advertiseTo(central);
      return;
    }
    if (message.type === 'connect') {
      this.connect(central, message.address.toLowerCase());
      return;
    }
    central.connections.get(message.handle)?.receive(message);
  }

  private connect(central: Central, address: string): void {
    const peripheral = [...this.peripherals].find((candidate) => candidate.address === address);
    if (!peripheral?.discoverable) {
      const reason = peripheral ? 'the device is busy or silent' : 'no such device in range';
      central.socket.send({ type: 'connect-failed', address, reason });
      return;
    }

    // The first connection event comes one interval after the connect request.
    peripheral.reserve();
    setTimeout(() => this.open(central, peripheral), this.link.connectionIntervalMs);
  }

  private open(central: Central, peripheral: VirtualPeripheral): void {
    if (central.socket.closed || !this.peripherals.has(peripheral)) {
      peripheral.release();
      return;
    }

    const handle = this.nextHandle++;
    const connection = new HostConnection(handle, central.socket, peripheral.gatt, this.link, {
      log: this.log,
      random: this.random,
      air: central.air,
    });
    central.connections.set(handle, connection);
    connection.onClose((reason) => {
      central.connections.delete(handle);
      this.log.info(`ble: (${peripheral.name}) disconnected: ${reason}`);
    });

    const { address } = peripheral;
    const txBufferPackets = this.link.txBufferPackets;
    central.socket.send({ type: 'connected', address, handle, txBufferPackets });
    this.log.info(`ble: (${peripheral.name}) connected as handle ${handle}`);
    peripheral.attach(connection);
  }

  private startAdvertising(): void {
    const every = this.options.advertiseIntervalMs ?? 100;
    this.advertiseTimer = setInterval(() => {
      for (const central of this.centrals) if (central.scanning) this.advertiseTo(central);
    }, every);
    this.advertiseTimer.unref();
  }

  private advertiseTo(central: Central): void {
    for (const peripheral of this.peripherals) {
      if (peripheral.discoverable) central.socket.send(peripheral.advertisement());
    }
  }
}

function boundAddress(server: Server, requested: RadioAddress): RadioAddress {
  const bound = server.address();
  if ('path' in requested || bound === null || typeof bound === 'string') return requested;
  return { host: requested.host, port: bound.port };
}
