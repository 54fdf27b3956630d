import type { ProvisionedDevice } from '../../protocol/cloud-api';
import type { VirtualDevice } from '../device/device';

/** A device the cloud would not register, with the cloud's code and words. */
export class ProvisionError extends Error {
  constructor(
    /** The cloud's error code, or CLOUD_UNREACHABLE. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProvisionError';
  }
}

/** Where and as whom to register devices. */
export interface ProvisionTarget {
  /** The cloud's base URL. */
  cloudUrl: string;
  /** An operator (or admin) token. */
  token: string;
}

/**
 * Registers the device with the cloud and stores the identity on it. A serial the cloud
 * already knows (from an earlier run whose state was lost) gets a fresh secret instead.
 */
export async function provisionDevice(
  device: VirtualDevice,
  target: ProvisionTarget,
): Promise<void> {
  const created = await call(target, 'POST', '/api/v1/devices', {
    serial: device.serial,
    model: device.model,
    firmware_version: device.firmwareVersion,
  });
  const provisioned =
    created.status === 409 ? await rotateSecret(device.serial, target) : expectOk(created);

  await device.provision({
    deviceId: provisioned.device.id,
    secret: provisioned.secret,
    cloudUrl: target.cloudUrl,
  });
}

async function rotateSecret(serial: string, target: ProvisionTarget): Promise<ProvisionedDevice> {
  const found = await call(
    target,
    'GET',
    `/api/v1/devices/by-serial/${encodeURIComponent(serial)}`,
  );
  const { id } = expectOk(found) as unknown as { id: string };
  return expectOk(await call(target, 'POST', `/api/v1/devices/${id}/secret`));
}

interface CallResult {
  status: number;
  body: unknown;
}

async function call(
  target: ProvisionTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<CallResult> {
  let response: Response;
  try {
    response = await fetch(`${target.cloudUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${target.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ProvisionError('CLOUD_UNREACHABLE', `cannot reach ${target.cloudUrl}: ${error}`);
  }
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

function expectOk(result: CallResult): ProvisionedDevice {
  if (result.status >= 200 && result.status < 300) return result.body as ProvisionedDevice;
  const error = (result.body ?? {}) as { code?: string; message?: string };
  throw new ProvisionError(
    error.code ?? `HTTP_${result.status}`,
    error.message ?? `the cloud answered HTTP ${result.status}`,
  );
}
