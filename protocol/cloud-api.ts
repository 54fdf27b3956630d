import type { DeviceModel } from './models';

/**
 * The JSON shapes of the cloud's HTTP API (`/api/v1`), shared by the cloud that serves them,
 * the station that calls them and the window that shows them. Pure types: no runtime code,
 * so the renderer can import them too. Field names are snake_case as on the wire.
 */

/** A release's life: files are added while draft; once released it never changes. */
export type ReleaseStatus = 'draft' | 'released';

/** The two files of a release. */
export type ReleaseFileKind = 'bin' | 'ufw';

/** One stored firmware file. */
export interface ReleaseFile {
  /** `bin` for HTTP OTA, `ufw` for Bluetooth and USB OTA. */
  kind: ReleaseFileKind;
  /** Bytes. */
  size: number;
  /** CRC32, unsigned. */
  crc32: number;
  /** SHA-256, hex. */
  sha256: string;
  /** When it was uploaded (ISO 8601). */
  uploaded_at: string;
}

/** A firmware release for one device model. */
export interface Release {
  /** Globally unique id. */
  id: string;
  /** Release version, `v1.0.1`. */
  version: string;
  /** The model it is for. */
  model: DeviceModel;
  /** Release notes. */
  notes: string;
  /** Draft or released. */
  status: ReleaseStatus;
  /** The `.bin`, once uploaded. */
  bin: ReleaseFile | null;
  /** The `.ufw`, once uploaded. */
  ufw: ReleaseFile | null;
  /** The full version inside the `.ufw` (`v1.0.1-001`), once uploaded. */
  build_version: string | null;
  /** ISO 8601. */
  created_at: string;
  /** ISO 8601; when it was released. */
  released_at: string | null;
  /** Bumped on every change. */
  revision: number;
}

/** A device known to the cloud. */
export interface Device {
  /** Globally unique id; the id a device signs its heartbeats with. */
  id: string;
  /** Printed serial number (`PIN-00042`). */
  serial: string;
  /** Its model. */
  model: DeviceModel;
  /** Firmware from its latest heartbeat, or null before the first. */
  firmware_version: string | null;
  /** Battery from its latest heartbeat. */
  battery: number | null;
  /** Recording flag from its latest heartbeat. */
  recording: boolean | null;
  /** Latest heartbeat time (ISO 8601), or null. */
  last_seen_at: string | null;
  /** Whether the latest heartbeat came through a station. */
  last_relayed: boolean | null;
  /** ISO 8601. */
  created_at: string;
  /** Bumped on every change. */
  revision: number;
}

/** A registered device and its secret; the secret is shown this once only. */
export interface ProvisionedDevice {
  /** The device record. */
  device: Device;
  /** The heartbeat-signing secret to store on the device. */
  secret: string;
}

/** Where an HTTP OTA assignment stands. */
export type AssignmentStatus = 'pending' | 'delivered' | 'applied' | 'failed' | 'cancelled';

/** One step in an assignment's life. */
export interface AssignmentEvent {
  /** The status entered. */
  status: AssignmentStatus;
  /** Why, for failed and cancelled. */
  reason: string | null;
  /** Who or what caused it: a token name, `device`, `station`, `timer`. */
  actor: string;
  /** ISO 8601. */
  at: string;
}

/** An HTTP OTA assignment of a release to a device. */
export interface Assignment {
  /** Globally unique id. */
  id: string;
  /** The device. */
  device_id: string;
  /** The release. */
  release_id: string;
  /** The release's version, for display. */
  version: string;
  /** Current status. */
  status: AssignmentStatus;
  /** The failure or cancel reason, when there is one. */
  reason: string | null;
  /** ISO 8601. */
  created_at: string;
  /** ISO 8601. */
  updated_at: string;
  /** Bumped on every change. */
  revision: number;
  /** Every status it has had, oldest first (on single reads). */
  history?: AssignmentEvent[];
}

/** One stored heartbeat. */
export interface HeartbeatRecord {
  /** ISO 8601, as received. */
  at: string;
  /** Firmware reported. */
  firmware_version: string;
  /** Battery reported. */
  battery: number;
  /** Recording flag reported. */
  recording: boolean;
  /** True when relayed by a station. */
  relayed: boolean;
}

/** What an API token may do. */
export type Role = 'admin' | 'operator' | 'viewer';

/** An API token as listed (never its secret). */
export interface ApiToken {
  /** Globally unique id. */
  id: string;
  /** A name a person gave it. */
  name: string;
  /** Its role. */
  role: Role;
  /** ISO 8601. */
  created_at: string;
}

/** A new token; `token` is shown this once only. */
export interface CreatedToken extends ApiToken {
  /** The bearer token. */
  token: string;
}

/** A time-limited download link for one release file. */
export interface FileLink {
  /** Presigned or signed URL; supports HTTP Range. */
  url: string;
  /** Bytes. */
  size: number;
  /** CRC32, unsigned. */
  crc32: number;
  /** SHA-256, hex. */
  sha256: string;
  /** ISO 8601. */
  expires_at: string;
}

/** One audit log entry. */
export interface AuditEntry {
  /** Globally unique id. */
  id: string;
  /** Who: a token name, `device:<id>`, `station`, `timer`. */
  actor: string;
  /** What, as `domain.action` (`release.create`, `assignment.cancel`). */
  action: string;
  /** The id acted on. */
  subject: string;
  /** Extra detail. */
  detail: Record<string, unknown>;
  /** ISO 8601. */
  at: string;
}

/** Counts for the fleet view. */
export interface FleetSummary {
  /** Devices per model and firmware version. */
  by_version: { model: DeviceModel; firmware_version: string | null; count: number }[];
  /** Assignments per status. */
  by_status: { status: AssignmentStatus; count: number }[];
}

/** Every error reply: a stable code and words a person can act on. */
export interface ApiError {
  /** Stable, SCREAMING_SNAKE code (`ASSIGNMENT_ACTIVE`, `UFW_CRC_MISMATCH`). */
  code: string;
  /** What went wrong and what to do. */
  message: string;
  /** Extra facts, e.g. `{ assignment_id }` for ASSIGNMENT_ACTIVE. */
  details?: Record<string, unknown>;
}
