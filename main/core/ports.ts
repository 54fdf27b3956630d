import type { DeviceIdentity } from '../../contract/station';
import type {
  Assignment,
  AssignmentStatus,
  Device,
  FileLink,
  ProvisionedDevice,
  Release,
} from '../../protocol/cloud-api';
import type { HeartbeatReply, SignedHeartbeat } from '../../protocol/heartbeat';
import type { LinkChannel } from '../../protocol/link/channel';
import type { DeviceModel } from '../../protocol/models';
import type { Bluetooth } from '../link/ble/types';

/**
 * The pieces the station core composes, as the narrow surfaces it uses. The real ones are
 * the cloud client (cloud/client.ts), the link session (main/link/session.ts), the serial
 * transport (main/link/serial/) and Bluetooth (main/link/ble/); real-deps.ts plugs them in.
 * Keeping the surfaces here lets unit tests drive the core with small in-memory stand-ins.
 */

/** The cloud calls the core makes; CloudClient satisfies it. */
export interface StationCloud {
  /** Registers a device; rejects with code DEVICE_EXISTS for a known serial. */
  provisionDevice(input: {
    serial: string;
    model: DeviceModel;
    firmware_version?: string;
  }): Promise<ProvisionedDevice>;
  /** Looks a device up by its printed serial. */
  getDeviceBySerial(serial: string): Promise<Device>;
  /** Issues a new secret for a known device. */
  rotateDeviceSecret(id: string): Promise<ProvisionedDevice>;
  /** The newest released release of a model, or null. */
  latestRelease(model: DeviceModel): Promise<Release | null>;
  /** One release. */
  getRelease(id: string): Promise<Release>;
  /** A time-limited download link for a release file. */
  fileLink(id: string, kind: 'bin' | 'ufw'): Promise<FileLink>;
  /** Assignments, newest first. */
  listAssignments(query: { status?: AssignmentStatus; device_id?: string }): Promise<Assignment[]>;
  /** One assignment. */
  getAssignment(id: string): Promise<Assignment>;
  /** Relays a device-signed heartbeat with the station's token. */
  relayHeartbeat(heartbeat: SignedHeartbeat): Promise<HeartbeatReply>;
}

/** The station end of one device link; LinkSession satisfies it. */
export interface DeviceSession {
  /** Asks the device who it is. */
  identify(): Promise<DeviceIdentity>;
  /** Stores identity, secret and cloud URL on the device. */
  provision(p: { deviceId: string; secret: string; cloudUrl: string }): Promise<void>;
  /** Pushes a `.ufw` (begin or resume, chunks, verify). */
  transfer(
    ufw: Uint8Array,
    progress: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Tells the device to apply the verified image; it acks, then reboots. */
  apply(): Promise<void>;
  /** Heartbeats the device sends over the link. */
  onHeartbeat(listener: (heartbeat: SignedHeartbeat) => void): () => void;
  /** Identity changes the device pushes (recording, battery). */
  onStatus(listener: (identity: DeviceIdentity) => void): () => void;
  /** Called once when the link closes. */
  onClose(listener: (reason: string) => void): () => void;
  /** Closes the link. */
  close(): Promise<void>;
}

/** Serial ports: discovery and opening. */
export interface SerialPorts {
  /** Watches for ports (listed ones plus `patterns`); returns a stop function. */
  watch(
    patterns: string[],
    onAdd: (path: string, label: string) => void,
    onRemove: (path: string) => void,
  ): Promise<() => Promise<void>>;
  /** Opens a port as a link channel. */
  open(path: string): Promise<LinkChannel>;
}

/** A Bota advertisement heard over Bluetooth (main/link/ble's own type). */
export type { Advertisement } from '../link/ble/types';

/** Bluetooth LE, as main/link/ble/ offers it. */
export type BluetoothPort = Bluetooth;

/** Everything the core composes. */
export interface StationDeps {
  /** The cloud client. */
  cloud: StationCloud;
  /** Serial discovery and ports. */
  serial: SerialPorts;
  /** Bluetooth, already opened. */
  bluetooth: BluetoothPort;
  /** Starts a link session over an open channel; `label` names the device in log lines. */
  openSession(channel: LinkChannel, label: string): DeviceSession;
}
