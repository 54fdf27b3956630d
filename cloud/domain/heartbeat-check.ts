import { createHmac, timingSafeEqual } from 'node:crypto';

import { type HeartbeatBody, SIGNATURE_WINDOW_MS } from '../../protocol/heartbeat';
import { isDeviceModel } from '../../protocol/models';
import { isVersion } from '../../protocol/version';
import { CloudError } from '../errors';

/** A heartbeat as it arrived: the three signing headers and the raw body bytes. */
export interface IncomingHeartbeat {
  /** `x-bota-device`. */
  deviceId: string | undefined;
  /** `x-bota-timestamp`. */
  timestamp: string | undefined;
  /** `x-bota-signature`. */
  signature: string | undefined;
  /** The body exactly as received. */
  body: Buffer;
}

/**
 * 401 SIGNATURE_INVALID unless the signature is the device's HMAC over the RAW bytes (so a
 * body re-encoded on the way can never pass), then 401 SIGNATURE_STALE outside the window.
 */
export function checkSignature(input: IncomingHeartbeat, secret: string, now: number): number {
  const timestamp = Number(input.timestamp);
  const expected = createHmac('sha256', secret)
    .update(`${input.timestamp}.${input.deviceId}.`)
    .update(input.body)
    .digest();
  const given = Buffer.from(input.signature ?? '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new CloudError(
      401,
      'SIGNATURE_INVALID',
      'the heartbeat signature does not match the device secret; re-provision the device',
    );
  }

  if (!Number.isSafeInteger(timestamp) || Math.abs(now - timestamp) > SIGNATURE_WINDOW_MS) {
    throw new CloudError(
      401,
      'SIGNATURE_STALE',
      `the heartbeat was signed at ${input.timestamp}, more than ${SIGNATURE_WINDOW_MS / 1000} s ` +
        "from the cloud's clock; check the device clock",
    );
  }
  return timestamp;
}

/** 401 SIGNATURE_REPLAYED unless `timestamp` is newer than the last accepted one. */
export function checkFresh(timestamp: number, lastMs: number): void {
  if (timestamp > lastMs) return;
  throw new CloudError(
    401,
    'SIGNATURE_REPLAYED',
    `a heartbeat signed at ${timestamp} is not newer than the last accepted (${lastMs}); ` +
      'each heartbeat needs a new timestamp',
  );
}

/** The parsed, checked heartbeat body; 400 HEARTBEAT_INVALID when it is malformed. */
export function parseBody(raw: Buffer): HeartbeatBody {
  let body: Partial<HeartbeatBody>;
  try {
    body = JSON.parse(raw.toString('utf8')) as Partial<HeartbeatBody>;
  } catch {
    throw invalid('the body is not JSON');
  }

  if (typeof body !== 'object' || body === null) throw invalid('the body is not an object');
  if (typeof body.firmware_version !== 'string' || !isVersion(body.firmware_version)) {
    throw invalid('firmware_version must be a version like v1.0.1-001');
  }
  if (!isDeviceModel(body.model)) throw invalid('model must be a known device model');
  if (typeof body.recording !== 'boolean') throw invalid('recording must be true or false');
  if (typeof body.battery !== 'number' || body.battery < 0 || body.battery > 100) {
    throw invalid('battery must be a number from 0 to 100');
  }
  checkUpdate(body.update);
  return body as HeartbeatBody;
}

function checkUpdate(update: HeartbeatBody['update']): void {
  if (update === undefined) return;
  const ok =
    typeof update === 'object' &&
    update !== null &&
    typeof update.assignment_id === 'string' &&
    update.status === 'failed' &&
    typeof update.reason === 'string';
  if (!ok) throw invalid('update must be { assignment_id, status: "failed", reason }');
}

function invalid(what: string): CloudError {
  return new CloudError(400, 'HEARTBEAT_INVALID', `malformed heartbeat: ${what}`);
}
