import { createHmac, timingSafeEqual } from 'node:crypto';

import type { DeviceModel } from './models';

/**
 * The HTTP heartbeat, as a device sends it and the cloud answers it.
 *
 * A device POSTs its state as JSON to `HEARTBEAT_PATH` with three headers that sign the exact
 * body bytes with its provisioned secret. A station relays a connected device's heartbeat,
 * unchanged and still signed by the device, to `RELAYED_HEARTBEAT_PATH` with its own
 * bearer token beside the device headers.
 */
export const HEARTBEAT_PATH = '/api/v1/heartbeats';
/** Where a station relays a connected device's signed heartbeat. */
export const RELAYED_HEARTBEAT_PATH = '/api/v1/heartbeats/relayed';

/** Header naming the device's id. */
export const DEVICE_HEADER = 'x-bota-device';
/** Header with the signing time, milliseconds since the epoch. */
export const TIMESTAMP_HEADER = 'x-bota-timestamp';
/** Header with the hex HMAC-SHA256 signature. */
export const SIGNATURE_HEADER = 'x-bota-signature';

/** How far a heartbeat's timestamp may be from the cloud's clock. */
export const SIGNATURE_WINDOW_MS = 5 * 60 * 1000;

/** How an update the device tried ended, reported on its next heartbeat. */
export interface UpdateReport {
  /** The assignment the update belonged to. */
  assignment_id: string;
  /** Only failures are reported this way; success shows as the new firmware version. */
  status: 'failed';
  /** Why, in words a person can act on (`CRC mismatch`, `gave up after 10 tries`). */
  reason: string;
}

/** The JSON body of a heartbeat. */
export interface HeartbeatBody {
  /** The running firmware, as the device reports it (`v1.0.1-001`). */
  firmware_version: string;
  /** The device's model. */
  model: DeviceModel;
  /** True while the device is recording; no update is delivered then. */
  recording: boolean;
  /** Battery charge, 0 to 100. */
  battery: number;
  /** The outcome of an update the device tried, when it failed. */
  update?: UpdateReport;
}

/** The OTA manifest a heartbeat reply carries when an update is waiting for the device. */
export interface OtaManifest {
  /** The assignment being delivered. */
  assignment_id: string;
  /** The release version (`v1.0.1`). */
  version: string;
  /** Presigned URL of the `.bin`; supports HTTP Range requests. */
  url: string;
  /** Size of the `.bin` in bytes. */
  size: number;
  /** CRC32 of the `.bin`, unsigned. */
  crc32: number;
  /** When the URL stops working (ISO 8601). */
  expires_at: string;
}

/** The cloud's reply to a heartbeat. */
export interface HeartbeatReply {
  /** The cloud's clock, ISO 8601. */
  server_time: string;
  /** How long the device should wait before its next heartbeat. */
  heartbeat_interval_s: number;
  /** The update to fetch, or null. Always null on a relayed heartbeat. */
  ota: OtaManifest | null;
}

/** A heartbeat signed by its device, ready to send directly or to hand to a station. */
export interface SignedHeartbeat {
  /** The device's id. */
  deviceId: string;
  /** Signing time, ms since the epoch. */
  timestamp: number;
  /** Hex HMAC-SHA256 over `timestamp.deviceId.body`. */
  signature: string;
  /** The exact JSON body that was signed. */
  body: string;
}

/** Signs `body` (already JSON) as `deviceId` with its secret at `timestamp`. */
export function signHeartbeat(
  deviceId: string,
  secret: string,
  body: string,
  timestamp: number,
): SignedHeartbeat {
  return { deviceId, timestamp, signature: heartbeatMac(secret, deviceId, timestamp, body), body };
}

/** True when `signature` is the device's own over this body and timestamp. */
export function verifyHeartbeatSignature(secret: string, heartbeat: SignedHeartbeat): boolean {
  const expected = Buffer.from(
    heartbeatMac(secret, heartbeat.deviceId, heartbeat.timestamp, heartbeat.body),
    'hex',
  );
  const given = Buffer.from(heartbeat.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The headers that carry a signed heartbeat over HTTP. */
export function heartbeatHeaders(heartbeat: SignedHeartbeat): Record<string, string> {
  return {
    'content-type': 'application/json',
    [DEVICE_HEADER]: heartbeat.deviceId,
    [TIMESTAMP_HEADER]: String(heartbeat.timestamp),
    [SIGNATURE_HEADER]: heartbeat.signature,
  };
}

function heartbeatMac(secret: string, deviceId: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${deviceId}.${body}`).digest('hex');
}
