import type { CentralMessage, HostMessage } from '../../protocol/radio/air';
import type { HostAirSocket } from '../../protocol/radio/air-socket';
import type { GattServiceInfo } from '../../protocol/radio/gatt';
import { LinkClosedError } from '../../protocol/radio/link-closed';
import {
  ATT_DEFAULT_MTU,
  ATT_HEADER_BYTES,
  type LinkParameters,
} from '../../protocol/radio/link-model';
import { LinkScheduler, type LinkSchedulerOptions } from '../../protocol/radio/link-scheduler';
import { type AgentLogger, silentLogger } from '../log';

/** A peripheral's view of one connection: what its GATT server sees and may do. */
export interface PeripheralLink {
  /** The connection's handle on the radio. */
  readonly handle: number;
  /** The ATT MTU agreed with the central (23 until it asks for more). */
  readonly mtu: number;
  /** True when the central enabled notifications on `characteristic`. */
  subscribed(characteristic: string): boolean;
  /** Notifies the central; waits while the peripheral's TX buffer is full. */
  notify(characteristic: string, value: Uint8Array): Promise<void>;
  /** Calls `listener` with each value the central writes. */
  onWrite(listener: (characteristic: string, value: Uint8Array) => void): () => void;
  /** Calls `listener` when the central turns notifications on or off. */
  onSubscribe(listener: (characteristic: string, on: boolean) => void): () => void;
  /** Calls `listener` once when the connection ends, with why. */
  onClose(listener: (reason: string) => void): () => void;
  /** Ends the connection after what is already queued has gone out. */
  disconnect(reason: string): void;
}

// ATT PDU sizes of the requests and replies the central's GATT client uses.
const READ_BY_TYPE_REQUEST_BYTES = 7;
const SERVICE_ENTRY_BYTES = 20;
const CHARACTERISTIC_ENTRY_BYTES = 21;
const CCCD_WRITE_BYTES = 5;

/**
 * One connection on the radio host: everything the central asks crosses the air through the
 * link scheduler, is served from the peripheral's GATT database, and the reply crosses back.
 */
export class HostConnection implements PeripheralLink {
  private readonly scheduler: LinkScheduler;
  private readonly subscriptions = new Set<string>();
  private readonly writeListeners = new Set<(characteristic: string, value: Uint8Array) => void>();
  private readonly subscribeListeners = new Set<(characteristic: string, on: boolean) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private roomWaiters: Array<() => void> = [];
  private agreedMtu = ATT_DEFAULT_MTU;
  private closedWith: string | null = null;
  private terminating = false;
  private readonly log: AgentLogger;

  constructor(
    readonly handle: number,
    private readonly central: HostAirSocket,
    private readonly gatt: readonly GattServiceInfo[],
    private readonly params: LinkParameters,
    options: LinkSchedulerOptions & { log?: AgentLogger } = {},
  ) {
    this.scheduler = new LinkScheduler(params, options);
    this.log = options.log ?? silentLogger;
  }

  get mtu(): number {
    return this.agreedMtu;
  }

  subscribed(characteristic: string): boolean {
    return this.subscriptions.has(characteristic);
  }

  async notify(characteristic: string, value: Uint8Array): Promise<void> {
    await this.waitForRoom();
    if (this.closedWith !== null) throw new LinkClosedError(this.closedWith);
    if (!this.subscriptions.has(characteristic)) {
      throw new Error(`the central has not enabled notifications on ${characteristic}`);
    }
    if (value.length > this.agreedMtu - ATT_HEADER_BYTES) {
      throw new RangeError(`a ${value.length}-byte notification exceeds MTU ${this.agreedMtu}`);
    }

    const data = Uint8Array.from(value);
    this.reply(ATT_HEADER_BYTES + data.length, {
      type: 'notification',
      handle: this.handle,
      service: this.serviceOf(characteristic),
      characteristic,
      data,
    });
  }

  onWrite(listener: (characteristic: string, value: Uint8Array) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  onSubscribe(listener: (characteristic: string, on: boolean) => void): () => void {
    this.subscribeListeners.add(listener);
    return () => this.subscribeListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    if (this.closedWith !== null) {
      listener(this.closedWith);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  disconnect(reason: string): void {
    if (this.closedWith !== null || this.terminating) return;
    this.terminating = true;

    this.scheduler.sendLinkControl('peripheral', () => {
      this.central.send({ type: 'disconnected', handle: this.handle, reason });
      this.end(reason);
    });
  }

  /** Takes one message the central sent about this connection. */
  receive(message: CentralMessage): void {
    if (message.type === 'disconnect') {
      this.scheduler.sendLinkControl('central', () => {
        this.central.send({
          type: 'disconnected',
          handle: this.handle,
          reason: 'the central disconnected',
        });
        this.end('the central disconnected');
      });
      return;
    }
    this.scheduler.send('central', requestBytes(message), () => this.serve(message));
  }

  /** Ends the connection at once, without the air: the central or the host went away. */
  drop(reason: string): void {
    if (this.closedWith !== null) return;
    this.central.send({ type: 'disconnected', handle: this.handle, reason });
    this.end(reason);
  }

  private serve(message: CentralMessage): void {
    switch (message.type) {
      case 'exchange-mtu':
        return this.exchangeMtu(message.mtu);
      case 'discover-services':
        return this.discoverServices();
      case 'discover-characteristics':
        return this.discoverCharacteristics(message.service);
      case 'subscribe':
        return this.subscribe(message.service, message.characteristic, message.on);
      case 'read':
        return this.reply(1, { ...message, type: 'value', data: new Uint8Array(0) });
      case 'write':
        return this.write(message);
      case 'scan':
      case 'connect':
      case 'disconnect':
        return;
    }
  }

  private exchangeMtu(requested: number): void {
    this.agreedMtu = Math.max(ATT_DEFAULT_MTU, Math.min(requested, this.params.attMtu));
    this.log.debug(`ble: (${this.handle}) ATT MTU ${this.agreedMtu}`);
    this.reply(3, { type: 'mtu', handle: this.handle, mtu: this.agreedMtu });
  }

  private discoverServices(): void {
    const services = this.gatt.map((service) => service.uuid);
    this.reply(2 + SERVICE_ENTRY_BYTES * services.length, {
      type: 'services',
      handle: this.handle,
      services,
    });
  }

  private discoverCharacteristics(serviceUuid: string): void {
    const service = this.gatt.find((candidate) => candidate.uuid === serviceUuid);
    const characteristics = [...(service?.characteristics ?? [])];
    this.reply(2 + CHARACTERISTIC_ENTRY_BYTES * characteristics.length, {
      type: 'characteristics',
      handle: this.handle,
      service: serviceUuid,
      characteristics,
    });
  }

  private subscribe(service: string, characteristic: string, on: boolean): void {
    if (on) this.subscriptions.add(characteristic);
    else this.subscriptions.delete(characteristic);

    for (const listener of [...this.subscribeListeners]) listener(characteristic, on);
    this.reply(1, { type: 'subscribed', handle: this.handle, service, characteristic, on });
  }

  private write(message: Extract<CentralMessage, { type: 'write' }>): void {
    // Shortcoming: an oversized write is dropped rather than answered with an ATT error or
    // served as a prepared (long) write — better: model both, as a real GATT server does.
    if (message.data.length > this.agreedMtu - ATT_HEADER_BYTES) {
      this.log.warn(`ble: (${this.handle}) dropped a ${message.data.length}-byte write`);
      return;
    }

    // The controller frees the buffer once the peer acknowledged the packet; a write
    // request is answered before the value reaches the application, so whatever the
    // application sends in return (even a disconnect) follows the answer.
    const { service, characteristic } = message;
    if (message.withoutResponse) {
      this.central.send({ type: 'completed', handle: this.handle, packets: 1 });
    } else {
      this.reply(1, { type: 'written', handle: this.handle, service, characteristic });
    }
    for (const listener of [...this.writeListeners]) listener(characteristic, message.data);
  }

  private reply(attBytes: number, message: HostMessage): void {
    this.scheduler.send('peripheral', attBytes, () => {
      this.central.send(message);
      this.releaseRoom();
    });
  }

  private async waitForRoom(): Promise<void> {
    while (
      this.closedWith === null &&
      this.scheduler.pending('peripheral') >= this.params.txBufferPackets
    ) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
  }

  private releaseRoom(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  private serviceOf(characteristic: string): string {
    const service = this.gatt.find((candidate) =>
      candidate.characteristics.some((entry) => entry.uuid === characteristic),
    );
    return service?.uuid ?? '';
  }

  private end(reason: string): void {
    if (this.closedWith !== null) return;
    this.closedWith = reason;
    this.scheduler.close();
    this.releaseRoom();

    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
  }
}

function requestBytes(message: CentralMessage): number {
  switch (message.type) {
    case 'write':
      return ATT_HEADER_BYTES + message.data.length;
    case 'subscribe':
      return CCCD_WRITE_BYTES;
    case 'discover-services':
    case 'discover-characteristics':
      return READ_BY_TYPE_REQUEST_BYTES;
    default:
      return 3;
  }
}
