import type { AirAdvertisement, CentralMessage, HostMessage } from '../../../protocol/radio/air';
import type { RadioAddress } from '../../../protocol/radio/air-socket';
import { ATT_MAX_MTU } from '../../../protocol/radio/link-model';
import { MinimalGattCalls } from './minimal-gatt-calls';
import { type RadioLink, RadioLinks } from './radio-links';

/** A connection the central holds, with its share of the controller's TX buffer. */
interface Connection {
  uuid: string;
  handle: number;
  radio: RadioLink;
  credits: number;
  waiting: Array<{ message: CentralMessage; written: () => void }>;
}

/** How the virtual bindings reach their radios. */
export interface VirtualBindingsOptions {
  /** Radio hosts to listen to. */
  radios: RadioAddress[];
  /** Wait between attempts to reach a radio that is not up, ms; default 1000. */
  retryMs?: number;
}

/**
 * Noble bindings (the layer noble's own HCI, macOS and Windows bindings fill) that reach
 * virtual radio hosts over sockets instead of an adapter. Noble calls the methods below
 * and listens for the events they emit, exactly as with its built-in bindings; noble's
 * peripheral ids are addresses without colons, as on Linux. Writes without response take a
 * packet of the TX buffer the radio grants per connection; when none is free they wait, and
 * noble's write callback waits with them: that is the back-pressure a sender feels.
 */
export class VirtualRadioBindings extends MinimalGattCalls {
  private readonly links: RadioLinks;
  private readonly seen = new Map<string, { radio: RadioLink; address: string; rssi: number }>();
  private readonly connecting = new Map<string, RadioLink>();
  private readonly connections = new Map<string, Connection>();
  private scanFilter: string[] | null = null;

  constructor(options: VirtualBindingsOptions) {
    super();
    this.links = new RadioLinks(
      options.radios,
      {
        up: (radio) => this.radioUp(radio),
        message: (radio, message) => this.hear(radio, message),
        down: (radio, reason) => this.radioDown(radio, reason),
      },
      options.retryMs,
    );
  }

  /** noble: the adapter starts; a virtual one is on at once. */
  init(): void {
    this.links.start();
    process.nextTick(() => {
      this.emit('addressChange', 'c0:00:00:00:00:01');
      this.emit('stateChange', 'poweredOn');
    });
  }

  /** Closes every radio socket; noble has no such call, the station makes it on close. */
  close(): void {
    for (const uuid of [...this.connections.keys()]) this.lose(uuid, 'Bluetooth closed');
    this.links.close();
  }

  /** noble: scan interval and window mean nothing on the virtual air; acknowledged. */
  setScanParameters(): void {
    process.nextTick(() => this.emit('scanParametersSet'));
  }

  /** noble: asks every radio for advertisements, keeping those listing a wanted service. */
  startScanning(serviceUuids: string[] | undefined, allowDuplicates: boolean): void {
    this.scanFilter = serviceUuids ?? [];
    this.tellRadios({ type: 'scan', on: true });
    process.nextTick(() => this.emit('scanStart', !allowDuplicates));
  }

  /** noble: stops the advertisements. */
  stopScanning(): void {
    this.scanFilter = null;
    this.tellRadios({ type: 'scan', on: false });
    process.nextTick(() => this.emit('scanStop'));
  }

  /** noble: connects through the radio that last carried the peripheral's advertisement. */
  connect(uuid: string): void {
    const peripheral = this.seen.get(uuid);
    if (!peripheral?.radio.socket) {
      const error = new Error(`no radio carries peripheral ${uuid}; scan again`);
      process.nextTick(() => this.emit('connect', uuid, error));
      return;
    }
    this.connecting.set(uuid, peripheral.radio);
    peripheral.radio.socket.send({ type: 'connect', address: peripheral.address });
  }

  /** noble: forgets a pending connect; if it completes anyway it is hung up at once. */
  cancelConnect(uuid: string): void {
    this.connecting.delete(uuid);
  }

  /** noble: ends a connection; 'disconnect' follows once the radio confirmed it. */
  disconnect(uuid: string): void {
    const connection = this.connections.get(uuid);
    if (connection) {
      connection.radio.socket?.send({ type: 'disconnect', handle: connection.handle });
      return;
    }
    // A connect still under way is abandoned: if it completes, it is hung up at once.
    this.connecting.delete(uuid);
    process.nextTick(() => this.emit('disconnect', uuid, 'not connected'));
  }

  /** noble: the RSSI of the peripheral's last advertisement. */
  updateRssi(uuid: string): void {
    const rssi = this.seen.get(uuid)?.rssi ?? -127;
    process.nextTick(() => this.emit('rssiUpdate', uuid, rssi));
  }

  /** noble: asks the peripheral for its services, over the air. */
  discoverServices(uuid: string): void {
    this.request(uuid, (handle) => ({ type: 'discover-services', handle }));
  }

  /** noble: asks the peripheral for one service's characteristics, over the air. */
  discoverCharacteristics(uuid: string, service: string): void {
    this.request(uuid, (handle) => ({ type: 'discover-characteristics', handle, service }));
  }

  /** noble: reads a characteristic's value, over the air. */
  read(uuid: string, service: string, characteristic: string): void {
    this.request(uuid, (handle) => ({ type: 'read', handle, service, characteristic }));
  }

  /** noble: a write request, or a write command that takes a TX buffer packet. */
  write(
    uuid: string,
    service: string,
    characteristic: string,
    data: Buffer,
    withoutResponse: boolean,
  ): void {
    const connection = this.connections.get(uuid);
    if (!connection) return;
    const message: CentralMessage = {
      type: 'write',
      handle: connection.handle,
      service,
      characteristic,
      withoutResponse,
      data: Uint8Array.from(data),
    };

    if (!withoutResponse) return void connection.radio.socket?.send(message);
    const written = (): void => void this.emit('write', uuid, service, characteristic);
    connection.waiting.push({ message, written });
    this.release(connection);
  }

  /** noble: turns notifications on or off (the client configuration write). */
  notify(uuid: string, service: string, characteristic: string, on: boolean): void {
    this.request(uuid, (handle) => ({ type: 'subscribe', handle, service, characteristic, on }));
  }

  private request(uuid: string, build: (handle: number) => CentralMessage): void {
    const connection = this.connections.get(uuid);
    connection?.radio.socket?.send(build(connection.handle));
  }

  private tellRadios(message: CentralMessage): void {
    for (const radio of this.links.reachable()) radio.socket?.send(message);
  }

  private radioUp(radio: RadioLink): void {
    if (this.scanFilter !== null) radio.socket?.send({ type: 'scan', on: true });
  }

  private radioDown(radio: RadioLink, reason: string): void {
    for (const [uuid, connection] of this.connections) {
      if (connection.radio === radio) this.lose(uuid, `connection supervision timeout (${reason})`);
    }
    for (const [uuid, pending] of this.connecting) {
      if (pending !== radio) continue;
      this.connecting.delete(uuid);
      this.emit('connect', uuid, new Error(`the radio went away: ${reason}`));
    }
  }

  private hear(radio: RadioLink, message: HostMessage): void {
    if (message.type === 'advertisement') return this.discover(radio, message);
    if (message.type === 'connected') return this.connected(radio, message);
    if (message.type === 'connect-failed') {
      const uuid = uuidOf(message.address);
      this.connecting.delete(uuid);
      return void this.emit('connect', uuid, new Error(`connect failed: ${message.reason}`));
    }

    const connection = [...this.connections.values()].find(
      (candidate) => candidate.radio === radio && candidate.handle === message.handle,
    );
    if (connection) this.onConnection(connection, message);
  }

  private discover(radio: RadioLink, ad: AirAdvertisement): void {
    const uuid = uuidOf(ad.address);
    this.seen.set(uuid, { radio, address: ad.address, rssi: ad.rssi });
    const filter = this.scanFilter;
    if (filter === null) return;
    if (filter.length > 0 && !ad.serviceUuids.some((service) => filter.includes(service))) return;

    const advertisement = {
      localName: ad.name,
      txPowerLevel: undefined,
      manufacturerData: Buffer.from(ad.data),
      serviceData: [],
      serviceUuids: ad.serviceUuids,
      serviceSolicitationUuids: [],
    };
    this.emit(
      'discover',
      uuid,
      ad.address,
      'random',
      ad.connectable,
      advertisement,
      ad.rssi,
      false,
    );
  }

  private connected(radio: RadioLink, message: Extract<HostMessage, { type: 'connected' }>): void {
    const uuid = uuidOf(message.address);
    if (this.connecting.get(uuid) !== radio) {
      // Cancelled meanwhile: hang up at once.
      radio.socket?.send({ type: 'disconnect', handle: message.handle });
      return;
    }
    this.connecting.delete(uuid);

    const { handle, txBufferPackets } = message;
    this.connections.set(uuid, { uuid, handle, radio, credits: txBufferPackets, waiting: [] });
    this.emit('connect', uuid, null);
    // As noble's HCI bindings do, ask for a larger ATT MTU right after connecting.
    radio.socket?.send({ type: 'exchange-mtu', handle, mtu: ATT_MAX_MTU });
  }

  private onConnection(connection: Connection, message: HostMessage): void {
    const { uuid } = connection;
    switch (message.type) {
      case 'mtu':
        return void this.emit('onMtu', uuid, message.mtu);
      case 'services':
        return void this.emit('servicesDiscover', uuid, message.services);
      case 'characteristics': {
        const { service, characteristics } = message;
        return void this.emit('characteristicsDiscover', uuid, service, characteristics);
      }
      case 'subscribed': {
        const { service, characteristic, on } = message;
        return void this.emit('notify', uuid, service, characteristic, on);
      }
      case 'written':
        return void this.emit('write', uuid, message.service, message.characteristic);
      case 'value':
      case 'notification':
        return this.heardValue(uuid, message);
      case 'completed':
        connection.credits += message.packets;
        return this.release(connection);
      case 'disconnected':
        return this.lose(uuid, message.reason);
      default:
        return;
    }
  }

  /** A read's value or a notification: noble hears both as 'read', told apart by a flag. */
  private heardValue(
    uuid: string,
    message: Extract<HostMessage, { type: 'value' | 'notification' }>,
  ): void {
    const { service, characteristic } = message;
    const notified = message.type === 'notification';
    this.emit('read', uuid, service, characteristic, Buffer.from(message.data), notified);
  }

  /** Hands waiting writes to the radio while the TX buffer has room. */
  private release(connection: Connection): void {
    while (connection.credits > 0 && connection.waiting.length > 0) {
      const next = connection.waiting.shift()!;
      connection.credits -= 1;
      connection.radio.socket?.send(next.message);
      process.nextTick(next.written);
    }
  }

  private lose(uuid: string, reason: string): void {
    if (!this.connections.delete(uuid)) return;
    this.emit('disconnect', uuid, reason);
  }
}

/** Noble's peripheral id for an address, as its Linux bindings make it. */
export function uuidOf(address: string): string {
  return address.split(':').join('').toLowerCase();
}
