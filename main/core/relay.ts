import type { ConnectedDevice } from '../../contract/station';
import type { Assignment } from '../../protocol/cloud-api';
import type { SignedHeartbeat } from '../../protocol/heartbeat';
import { isVersion, runsRelease } from '../../protocol/version';
import { errorCode } from './failures';
import { label } from './links';
import type { StationLog } from './log';
import type { StationCloud } from './ports';
import type { DeviceEntry, DeviceRegistry } from './registry';

interface Lane {
  running: boolean;
  next: SignedHeartbeat | null;
  failing: boolean;
}

/**
 * Relays heartbeats that arrive over a device's link to the cloud, unchanged and still
 * signed by the device, with the station's token. Per device, relays go one at a time in
 * order (the cloud refuses a timestamp older than the last it accepted); when several queue
 * up only the newest is kept, since each carries the device's whole state. A failed relay is
 * logged once and simply retried with the next heartbeat. After each relay the device's
 * pending HTTP OTA assignment is looked up, so the window can offer to install it here.
 */
export class HeartbeatRelay {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly cloud: StationCloud,
    private readonly registry: DeviceRegistry,
    private readonly log: StationLog,
  ) {}

  /** Queues `heartbeat` from `entry`'s link for relay. */
  relay(entry: DeviceEntry, heartbeat: SignedHeartbeat): void {
    const lane = this.laneFor(entry.device.key);
    lane.next = heartbeat;
    if (!lane.running) void this.drain(entry, lane);
  }

  /** Looks up the device's pending or delivered assignment and shows it. */
  async refreshAssignment(entry: DeviceEntry, deviceId: string): Promise<void> {
    const assignments = await this.cloud.listAssignments({ device_id: deviceId });
    const running = entry.device.identity?.firmwareVersion;
    // One the device already runs only waits for its next heartbeat to read applied.
    const active = assignments.find(
      (a) => isActive(a) && !(running && isVersion(running) && runsRelease(running, a.version)),
    );
    const next = active ? offer(active) : null;

    const current = entry.device.pendingAssignment;
    if (current?.assignmentId === next?.assignmentId) return;
    this.registry.update(entry, { pendingAssignment: next });
    if (next) {
      this.log.info('cloud', `(${label(entry)}) assignment of ${next.version} can install here`);
    }
  }

  private laneFor(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { running: false, next: null, failing: false };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private async drain(entry: DeviceEntry, lane: Lane): Promise<void> {
    lane.running = true;
    while (lane.next) {
      const heartbeat = lane.next;
      lane.next = null;
      await this.relayOne(entry, lane, heartbeat);
    }
    lane.running = false;
  }

  private async relayOne(entry: DeviceEntry, lane: Lane, heartbeat: SignedHeartbeat) {
    try {
      await this.cloud.relayHeartbeat(heartbeat);
      if (lane.failing) this.log.info('cloud', `(${label(entry)}) heartbeat relay works again`);
      lane.failing = false;
      this.log.debug('cloud', `(${label(entry)}) heartbeat relayed`);
      await this.refreshAssignment(entry, heartbeat.deviceId);
    } catch (error) {
      if (!lane.failing) {
        const code = errorCode(error) ?? 'ERROR';
        const why = error instanceof Error ? error.message : String(error);
        this.log.warn('cloud', `(${label(entry)}) heartbeat relay failed (${code}): ${why}`);
      }
      lane.failing = true;
    }
  }
}

function isActive(assignment: Assignment): boolean {
  return assignment.status === 'pending' || assignment.status === 'delivered';
}

function offer(assignment: Assignment): ConnectedDevice['pendingAssignment'] {
  return {
    assignmentId: assignment.id,
    releaseId: assignment.release_id,
    version: assignment.version,
  };
}
