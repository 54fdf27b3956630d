import type { BluetoothState, DeviceIdentity } from '../../../contract/station';
import type {
  Advertisement,
  BluetoothPort,
  DeviceSession,
  SerialPorts,
} from '../../../main/core/ports';
import type { SignedHeartbeat } from '../../../protocol/heartbeat';
import { buildImage } from '../../../protocol/image';
import type { LinkChannel } from '../../../protocol/link/channel';
import type { DeviceModel } from '../../../protocol/models';
import { encodeUfw, parseUfwHeader } from '../../../protocol/ufw';

/**
 * Small in-memory stand-ins for the pieces the station core composes, for the core's unit
 * tests (main/core/*.test.ts). Integration tests in tests/station/ use the real pieces.
 */

/** An error with a stable code, as LinkError and CloudApiError carry. */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message = code,
  ) {
    super(message);
  }
}

/** How a fake device behaves. */
export interface FakeDeviceOptions {
  model?: DeviceModel;
  serial?: string;
  firmwareVersion?: string;
  /** Refuse every transfer with this code. */
  refuse?: string;
  /** Drop the link after this many bytes of a transfer. */
  dropAt?: number;
  /** Fail verification with this code. */
  verifyFails?: string;
  /** Boot this version after apply, instead of the pushed one. */
  bootsVersion?: string;
  /** Pause a millisecond per chunk, so a test can act mid-transfer. */
  slow?: boolean;
}

/** A device behind a FakeSession: it keeps state across links, like a real one. */
export class FakeDevice {
  identity: DeviceIdentity;
  pushedVersion: string | null = null;
  applied = 0;
  provisioned: { deviceId: string; secret: string; cloudUrl: string } | null = null;

  constructor(readonly options: FakeDeviceOptions = {}) {
    this.identity = {
      model: options.model ?? 'bota-pin',
      serial: options.serial ?? 'PIN-00001',
      firmwareVersion: options.firmwareVersion ?? 'v1.0.0-001',
      recording: false,
      battery: 90,
      deviceId: null,
      canResume: true,
    };
  }
}

/** A LinkSession stand-in over a FakeDevice; `drop()` breaks the link. */
export class FakeSession implements DeviceSession {
  private closeListeners = new Set<(reason: string) => void>();
  private heartbeatListeners = new Set<(heartbeat: SignedHeartbeat) => void>();
  private statusListeners = new Set<(identity: DeviceIdentity) => void>();
  closed = false;

  constructor(readonly device: FakeDevice) {}

  async identify(): Promise<DeviceIdentity> {
    this.alive();
    return { ...this.device.identity };
  }

  async provision(p: { deviceId: string; secret: string; cloudUrl: string }): Promise<void> {
    this.alive();
    this.device.provisioned = p;
    this.device.identity.deviceId = p.deviceId;
  }

  async transfer(
    ufw: Uint8Array,
    progress: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    this.alive();
    const { refuse, dropAt, verifyFails } = this.device.options;
    if (refuse) throw new CodedError(refuse, `device refused: ${refuse}`);

    for (let done = 0; done < ufw.length;) {
      if (signal?.aborted) throw new CodedError('ABORTED');
      done = Math.min(ufw.length, done + 4096);
      if (dropAt !== undefined && done >= dropAt) {
        this.drop('link killed');
        throw new CodedError('LINK_LOST');
      }
      progress(done, ufw.length);
      if (this.device.options.slow) await new Promise((resolve) => setTimeout(resolve, 1));
      else await new Promise((resolve) => setImmediate(resolve));
    }
    if (verifyFails) throw new CodedError(verifyFails);
    this.device.pushedVersion = ufwVersion(ufw);
  }

  async apply(): Promise<void> {
    this.alive();
    this.device.applied += 1;
    const next = this.device.options.bootsVersion ?? this.device.pushedVersion;
    if (next) this.device.identity.firmwareVersion = next;
    this.drop('device rebooting');
  }

  onHeartbeat(listener: (heartbeat: SignedHeartbeat) => void): () => void {
    this.heartbeatListeners.add(listener);
    return () => this.heartbeatListeners.delete(listener);
  }

  onStatus(listener: (identity: DeviceIdentity) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.drop('closed by station');
  }

  /** Sends a heartbeat over the link, as the device does on its interval. */
  heartbeat(heartbeat: SignedHeartbeat): void {
    this.heartbeatListeners.forEach((listener) => listener(heartbeat));
  }

  /** Pushes a status change. */
  status(): void {
    this.statusListeners.forEach((listener) => listener({ ...this.device.identity }));
  }

  /** Breaks the link. */
  drop(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeListeners.forEach((listener) => listener(reason));
  }

  private alive(): void {
    if (this.closed) throw new CodedError('LINK_LOST');
  }
}

/** The version inside a `.ufw`. */
function ufwVersion(ufw: Uint8Array): string {
  return parseUfwHeader(ufw).version;
}

/** A real `.ufw` around a test image of `version` (`v1.1.0-001`). */
export function fakeUfw(model: DeviceModel, version: string, size = 64 * 1024): Buffer {
  return encodeUfw({ model, version }, buildImage({ model, version }, size));
}

/** A channel that carries nothing: FakeSessions do the talking. */
export function fakeChannel(kind: 'serial' | 'ble', address: string): LinkChannel {
  return {
    kind,
    maxMessageBytes: 244,
    send: async () => undefined,
    sendData: async () => undefined,
    onMessage: () => () => undefined,
    onClose: () => () => undefined,
    close: async () => undefined,
    address,
  } as LinkChannel;
}

/** Serial ports a test adds and removes by hand; each path maps to a FakeDevice. */
export class FakeSerial implements SerialPorts {
  readonly devices = new Map<string, FakeDevice>();
  private onAdd: ((path: string, label: string) => void) | null = null;
  private onRemove: ((path: string) => void) | null = null;

  async watch(
    _patterns: string[],
    onAdd: (path: string, label: string) => void,
    onRemove: (path: string) => void,
  ): Promise<() => Promise<void>> {
    this.onAdd = onAdd;
    this.onRemove = onRemove;
    return async () => undefined;
  }

  async open(path: string): Promise<LinkChannel> {
    if (!this.devices.has(path)) throw new CodedError('PORT_GONE', `${path} is gone`);
    return fakeChannel('serial', path);
  }

  /** Plugs a device in at `path`. */
  plug(path: string, device: FakeDevice): void {
    this.devices.set(path, device);
    this.onAdd?.(path, path);
  }

  /** Unplugs whatever is at `path`. */
  unplug(path: string): void {
    this.devices.delete(path);
    this.onRemove?.(path);
  }
}

/** Bluetooth in whatever state a test sets, with advertisements sent by hand. */
export class FakeBluetooth implements BluetoothPort {
  readonly devices = new Map<string, FakeDevice>();
  private current: BluetoothState;
  private stateListeners = new Set<(state: BluetoothState) => void>();
  private adListeners = new Set<(ad: Advertisement) => void>();
  scanning = false;

  constructor(state: BluetoothState = { state: 'virtual', reason: null }) {
    this.current = state;
  }

  state(): BluetoothState {
    return this.current;
  }

  onStateChange(listener: (state: BluetoothState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onAdvertisement(listener: (ad: Advertisement) => void): () => void {
    this.adListeners.add(listener);
    return () => this.adListeners.delete(listener);
  }

  async startScanning(): Promise<void> {
    this.scanning = true;
  }

  async stopScanning(): Promise<void> {
    this.scanning = false;
  }

  async connect(address: string): Promise<LinkChannel> {
    if (!this.devices.has(address)) throw new CodedError('LINK_LOST', `${address} not in range`);
    return fakeChannel('ble', address);
  }

  async close(): Promise<void> {}

  /** Changes the state and tells listeners. */
  setState(state: BluetoothState): void {
    this.current = state;
    this.stateListeners.forEach((listener) => listener(state));
  }

  /** A device at `address` advertises. */
  advertise(address: string, device: FakeDevice, rssi = -60): void {
    this.devices.set(address, device);
    const { model, serial } = device.identity;
    const ad = { address, name: `Bota ${serial}`, rssi, model, serial };
    this.adListeners.forEach((listener) => listener(ad));
  }
}

/** Opens FakeSessions over fake channels, remembering them for the test. */
export class SessionFactory {
  readonly sessions: FakeSession[] = [];

  constructor(
    private readonly serial: FakeSerial,
    private readonly bluetooth: FakeBluetooth,
  ) {}

  /** The StationDeps.openSession function. */
  open = (channel: LinkChannel, _label: string): DeviceSession => {
    const address = (channel as LinkChannel & { address: string }).address;
    const pool = channel.kind === 'serial' ? this.serial.devices : this.bluetooth.devices;
    const device = pool.get(address);
    if (!device) throw new CodedError('LINK_LOST');
    const session = new FakeSession(device);
    this.sessions.push(session);
    return session;
  };

  /** The newest session to the device at `address`. */
  latest(device: FakeDevice): FakeSession | undefined {
    return this.sessions.filter((session) => session.device === device).at(-1);
  }
}
