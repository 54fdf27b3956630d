import type { ConnectedDevice } from '../../contract/station';
import type { Release } from '../../protocol/cloud-api';
import type { DeviceModel } from '../../protocol/models';
import { isNewerThanDevice, isVersion } from '../../protocol/version';
import { errorCode } from './failures';
import type { StationLog } from './log';
import type { StationCloud } from './ports';
import type { DeviceEntry, DeviceRegistry } from './registry';

/**
 * Knows, per connected device, whether the cloud has a released firmware newer than the one
 * it runs (protocol/version.ts isNewerThanDevice, the one definition of "an update"). The
 * newest release per model is fetched on identify, after an update, and on a timer.
 */
export class AvailableUpdates {
  private readonly latest = new Map<DeviceModel, Release | null>();
  private readonly inFlight = new Map<DeviceModel, Promise<void>>();
  private failing = false;

  constructor(
    private readonly cloud: StationCloud,
    private readonly registry: DeviceRegistry,
    private readonly log: StationLog,
  ) {}

  /** Fetches the newest release of the device's model, then re-checks the device. */
  async refreshFor(entry: DeviceEntry): Promise<void> {
    const model = entry.device.identity?.model;
    if (!model) return;
    await this.fetchLatest(model);
    this.apply(entry);
  }

  /** Refreshes every model on the bench and re-checks every device. */
  async refreshAll(): Promise<void> {
    const models = new Set<DeviceModel>();
    for (const entry of this.registry.all()) {
      const model = entry.device.identity?.model;
      if (model) models.add(model);
    }
    await Promise.all([...models].map((model) => this.fetchLatest(model)));
    for (const entry of this.registry.all()) this.apply(entry);
  }

  /** Re-checks one device against what is known, without asking the cloud. */
  apply(entry: DeviceEntry): void {
    const next = offerFor(entry.device, this.latest);
    const current = entry.device.availableUpdate;
    if (current?.releaseId === next?.releaseId && current?.version === next?.version) return;
    this.registry.update(entry, { availableUpdate: next });
  }

  private fetchLatest(model: DeviceModel): Promise<void> {
    const running = this.inFlight.get(model);
    if (running) return running;

    const task = this.cloud
      .latestRelease(model)
      .then((release) => this.recorded(model, release))
      .catch((error: unknown) => this.failed(model, error))
      .finally(() => this.inFlight.delete(model));
    this.inFlight.set(model, task);
    return task;
  }

  private recorded(model: DeviceModel, release: Release | null): void {
    if (this.failing) this.log.info('cloud', 'release check works again');
    this.failing = false;
    this.latest.set(model, release);
  }

  private failed(model: DeviceModel, error: unknown): void {
    // One warning per outage, not one per device per refresh.
    if (!this.failing) {
      const code = errorCode(error) ?? 'ERROR';
      this.log.warn('cloud', `cannot check for ${model} releases (${code}): ${String(error)}`);
    }
    this.failing = true;
  }
}

function offerFor(
  device: ConnectedDevice,
  latest: Map<DeviceModel, Release | null>,
): ConnectedDevice['availableUpdate'] {
  const identity = device.identity;
  if (!identity) return null;
  const release = latest.get(identity.model);
  if (!release?.ufw || !isVersion(identity.firmwareVersion)) return null;
  if (!isNewerThanDevice(release.version, identity.firmwareVersion)) return null;
  return { releaseId: release.id, version: release.version };
}
