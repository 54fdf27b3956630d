import type { Device, HeartbeatRecord, ProvisionedDevice } from '../../protocol/cloud-api';
import type { DeviceModel } from '../../protocol/models';
import { isVersion } from '../../protocol/version';
import { CloudError, notFound } from '../errors';
import { uuidv7 } from '../ids';
import type { CloudContext } from './context';
import { randomSecret } from './keys';

/** What heartbeat checks need about a device, kept in memory after first use. */
export interface DeviceCredentials {
  /** The plain heartbeat secret. */
  secret: string;
  /** The device's model. */
  model: DeviceModel;
  /** The newest heartbeat timestamp accepted; anything not newer is a replay. */
  lastMs: number;
}

const SERIAL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Devices: provisioning, secrets and reads. */
export class DeviceService {
  // Decrypting a secret on every heartbeat would be wasted work: they change only on rotation.
  // Shortcoming: the cache grows with the fleet (~200 bytes a device) — better: an LRU bound
  // once fleets reach hundreds of thousands.
  private readonly credentialsCache = new Map<string, DeviceCredentials>();

  constructor(private readonly context: CloudContext) {}

  /** Registers a device; its secret is returned this once. 409 DEVICE_EXISTS. */
  provision(
    actor: string,
    input: { serial: string; model: DeviceModel; firmware_version?: string },
  ): ProvisionedDevice {
    checkInput(input);
    const { devices, audit, store } = this.context.repos;
    const existing = devices.bySerial(input.serial);
    if (existing) {
      throw new CloudError(
        409,
        'DEVICE_EXISTS',
        `a device with serial ${input.serial} is already registered; re-provision it with ` +
          'POST /api/v1/devices/:id/secret',
        { device_id: existing.id },
      );
    }

    const id = uuidv7();
    const secret = randomSecret();
    store.transaction(() => {
      devices.insert({
        id,
        serial: input.serial,
        model: input.model,
        secretBox: this.context.keys.secretBox.seal(secret),
        firmwareVersion: input.firmware_version ?? null,
      });
      audit.add(actor, 'device.provision', id, { serial: input.serial, model: input.model });
    });
    this.context.log.info(`device: (${id}) ${input.serial} provisioned as ${input.model}`);
    return { device: this.get(id), secret };
  }

  /** Gives a device a new secret; the old one stops working at once. */
  rotateSecret(actor: string, id: string): ProvisionedDevice {
    this.get(id);
    const secret = randomSecret();
    this.context.repos.store.transaction(() => {
      this.context.repos.devices.setSecret(id, this.context.keys.secretBox.seal(secret));
      this.context.repos.audit.add(actor, 'device.rotate_secret', id);
    });
    this.credentialsCache.delete(id);
    this.context.log.info(`device: (${id}) secret rotated`);
    return { device: this.get(id), secret };
  }

  /** One device; 404 DEVICE_NOT_FOUND. */
  get(id: string): Device {
    const device = this.context.repos.devices.byId(id);
    if (!device) throw notFound('device', id);
    return device;
  }

  /** One device by serial; 404 DEVICE_NOT_FOUND. */
  bySerial(serial: string): Device {
    const device = this.context.repos.devices.bySerial(serial);
    if (!device) throw notFound('device', serial);
    return device;
  }

  /** A page of devices. */
  list(query: { model?: DeviceModel; q?: string; limit?: number; offset?: number }): {
    devices: Device[];
    total: number;
  } {
    return this.context.repos.devices.list({
      ...query,
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
    });
  }

  /** A device's recent heartbeats, newest first. */
  heartbeats(id: string, limit = 20): HeartbeatRecord[] {
    this.get(id);
    return this.context.repos.devices.heartbeats(id, limit);
  }

  /** The device's secret and replay guard, or null for an unknown device. */
  credentials(id: string): DeviceCredentials | null {
    const cached = this.credentialsCache.get(id);
    if (cached) return cached;

    const row = this.context.repos.devices.credentials(id);
    if (!row) return null;
    const credentials = {
      secret: this.context.keys.secretBox.open(row.secretBox),
      model: row.model,
      lastMs: row.lastMs,
    };
    this.credentialsCache.set(id, credentials);
    return credentials;
  }

  /** Forgets every cached credential (after a failed commit, the store is the truth). */
  forgetAllCredentials(): void {
    this.credentialsCache.clear();
  }

  /** Forgets cached credentials (after a rolled-back write, the store is the truth). */
  forgetCredentials(id: string): void {
    this.credentialsCache.delete(id);
  }
}

function checkInput(input: { serial: string; firmware_version?: string }): void {
  if (!SERIAL_PATTERN.test(input.serial)) {
    throw new CloudError(
      400,
      'SERIAL_FORMAT',
      `"${input.serial}" is not a serial number: use letters, digits, - and _ (e.g. PIN-00042)`,
    );
  }
  if (input.firmware_version !== undefined && !isVersion(input.firmware_version)) {
    throw new CloudError(
      400,
      'VERSION_FORMAT',
      `"${input.firmware_version}" is not a firmware version: use the v1.0.1-001 form`,
    );
  }
}
