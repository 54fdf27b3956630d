import type { ConnectedDevice, DeviceIdentity, Result } from '../../contract/station';
import type { ProvisionedDevice } from '../../protocol/cloud-api';
import { errorCode, fail, failFrom, ok } from './failures';
import { jobActive, label, type LinkManager } from './links';
import type { StationLog } from './log';
import type { StationCloud } from './ports';
import { type DeviceEntry, snapshot } from './registry';

/**
 * Registers a linked device with the cloud and stores its identity, secret and the cloud's
 * URL on it. A device the cloud already knows (DEVICE_EXISTS) gets a fresh secret, since
 * the old one is shown only once and the device may have lost it.
 */
export class Provisioner {
  constructor(
    private readonly cloud: StationCloud,
    private readonly links: LinkManager,
    private readonly log: StationLog,
    private readonly deviceCloudUrl: string,
  ) {}

  /** Provisions `entry`; the device identifies again so its deviceId shows. */
  async provision(entry: DeviceEntry): Promise<Result<ConnectedDevice>> {
    const session = entry.session;
    const identity = entry.device.identity;
    if (!session) return fail('NOT_CONNECTED');
    if (!identity) return fail('NOT_IDENTIFIED');
    if (jobActive(entry)) return fail('UPDATE_RUNNING');

    try {
      const registered = await this.register(identity);
      await session.provision({
        deviceId: registered.device.id,
        secret: registered.secret,
        cloudUrl: this.deviceCloudUrl,
      });
      await this.links.reidentify(entry);
      this.log.info('cloud', `(${label(entry)}) provisioned as ${registered.device.id}`);
      return ok(snapshot(entry));
    } catch (error) {
      this.log.warn('cloud', `(${label(entry)}) provisioning failed: ${String(error)}`);
      return failFrom(error);
    }
  }

  private async register(identity: DeviceIdentity): Promise<ProvisionedDevice> {
    try {
      return await this.cloud.provisionDevice({
        serial: identity.serial,
        model: identity.model,
        firmware_version: identity.firmwareVersion,
      });
    } catch (error) {
      if (errorCode(error) !== 'DEVICE_EXISTS') throw error;
      const known = await this.cloud.getDeviceBySerial(identity.serial);
      return this.cloud.rotateDeviceSecret(known.id);
    }
  }
}
