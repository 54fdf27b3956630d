import type { DeviceIdentity } from '../protocol/identity';

/**
 * What the station core offers, in plain data: the devices on its links, their update jobs
 * and the events that change them. main/ implements it; the window reaches it through the
 * IPC contract (Electron) or its HTTP/WebSocket twin (browser mode). Pure types.
 */

/** How a device is attached to the station. */
export type LinkKind = 'serial' | 'ble';

/** A failure a person can act on. */
export interface Failure {
  /** Stable code (`RECORDING_ACTIVE`, `CRC_MISMATCH`, `LINK_LOST`, `CLOUD_UNREACHABLE`...). */
  code: string;
  /** What happened, in words. */
  message: string;
  /** What to try next, in words. */
  hint: string;
}

/** An expected outcome: a value or a failure to show; thrown errors are for bugs. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

/** What a device says about itself when it identifies (protocol/identity.ts). */
export type { DeviceIdentity };

/** Where a device stands on its link. */
export type LinkStatus = 'discovered' | 'connecting' | 'connected' | 'updating' | 'lost';

/** The steps of an update job. */
export type UpdatePhase =
  'queued' | 'downloading' | 'transferring' | 'verifying' | 'rebooting' | 'done' | 'failed';

/** One firmware push to one device. */
export interface UpdateJob {
  /** Unique id. */
  id: string;
  /** The device's key (see ConnectedDevice.key). */
  deviceKey: string;
  /** The release being installed. */
  releaseId: string;
  /** Its version (`v1.0.2`). */
  version: string;
  /** The HTTP OTA assignment it fulfils, when started from one. */
  assignmentId: string | null;
  /** Current step. */
  phase: UpdatePhase;
  /** Bytes done in the current step (download or transfer). */
  bytesDone: number;
  /** Bytes in the current step. */
  bytesTotal: number;
  /** Recent rate in the current step. */
  bytesPerSecond: number;
  /** ms since the epoch. */
  startedAt: number;
  /** ms since the epoch, once done or failed. */
  finishedAt: number | null;
  /** Why it failed. */
  failure: Failure | null;
}

/** A device on one of the station's links. */
export interface ConnectedDevice {
  /** Stable key for this link: `serial:<path>` or `ble:<address>`. */
  key: string;
  /** USB serial or Bluetooth LE. */
  link: LinkKind;
  /** Port path or Bluetooth address. */
  address: string;
  /** Advertised name or port label. */
  name: string;
  /** Link state. */
  status: LinkStatus;
  /** Bluetooth RSSI in dBm; null on serial. */
  signal: number | null;
  /** What the device said when it identified; null until then. */
  identity: DeviceIdentity | null;
  /** The running or most recent update job. */
  update: UpdateJob | null;
  /** A released firmware newer than the device's, when one exists. */
  availableUpdate: { releaseId: string; version: string } | null;
  /** A pending or delivered HTTP OTA assignment the station can install over the link. */
  pendingAssignment: { assignmentId: string; releaseId: string; version: string } | null;
}

/** Whether Bluetooth can be used, and why not. */
export interface BluetoothState {
  /** `virtual` when the built-in virtual radio stands in for an adapter. */
  state: 'ready' | 'virtual' | 'powered-off' | 'unavailable';
  /** Why, when not ready (`Bluetooth unavailable: no adapter found`). */
  reason: string | null;
}

/** One line of the station's log, for the log panel. */
export interface LogLine {
  /** ms since the epoch. */
  at: number;
  /** Severity. */
  level: 'debug' | 'info' | 'warn' | 'error';
  /** Subsystem (`link`, `cloud`, `ble`, `serial`). */
  scope: string;
  /** The line. */
  message: string;
}

/** Everything that can change on the station, as pushed to the window. */
export type StationEvent =
  | { type: 'device'; device: ConnectedDevice }
  | { type: 'device-removed'; key: string }
  | { type: 'update'; job: UpdateJob }
  | { type: 'bluetooth'; bluetooth: BluetoothState }
  | { type: 'log'; line: LogLine };

/** How to start an update: a release by id, or a pending HTTP OTA assignment. */
export type UpdateRequest = { releaseId: string } | { assignmentId: string };

/** The station core, as main/ implements it and the IPC layer exposes it. */
export interface StationCoreApi {
  /** Devices on every link now. */
  devices(): ConnectedDevice[];
  /** Bluetooth's state. */
  bluetooth(): BluetoothState;
  /** Recent log lines, oldest first. */
  recentLog(): LogLine[];
  /** Connects a discovered device and asks it to identify. */
  connect(key: string): Promise<Result<ConnectedDevice>>;
  /** Drops a device's link; it resumes its own heartbeats. */
  disconnect(key: string): Promise<Result<null>>;
  /** Registers the device with the cloud and stores its identity and secret on it. */
  provision(key: string): Promise<Result<ConnectedDevice>>;
  /** Starts an update job on a connected device. */
  startUpdate(key: string, request: UpdateRequest): Promise<Result<UpdateJob>>;
  /** Aborts a running job; the device stays on its running firmware. */
  cancelUpdate(jobId: string): Promise<Result<null>>;
  /** Subscribes to events; call the returned function to stop. */
  subscribe(listener: (event: StationEvent) => void): () => void;
}
