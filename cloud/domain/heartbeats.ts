import type { Assignment } from '../../protocol/cloud-api';
import type { HeartbeatBody, HeartbeatReply, OtaManifest } from '../../protocol/heartbeat';
import { runsRelease } from '../../protocol/version';
import { CloudError } from '../errors';
import { uuidv7 } from '../ids';
import { WriteBatcher } from '../store/write-batcher';
import type { AssignmentService } from './assignments';
import type { CloudContext } from './context';
import type { DeviceService } from './devices';
import { checkFresh, checkSignature, type IncomingHeartbeat, parseBody } from './heartbeat-check';

/** A manifest prepared before the write, tied to the assignment it was made for. */
interface PreparedManifest {
  assignmentId: string;
  manifest: OtaManifest;
}

/** Signed device heartbeats: check, record, settle the assignment, maybe hand out an update. */
export class HeartbeatService {
  private readonly batcher: WriteBatcher;

  constructor(
    private readonly context: CloudContext,
    private readonly devices: DeviceService,
    private readonly assignments: AssignmentService,
  ) {
    this.batcher = new WriteBatcher(context.repos.store, () => devices.forgetAllCredentials());
  }

  /** Handles one heartbeat; `relayed` when a station forwarded it (never gets a manifest). */
  async receive(input: IncomingHeartbeat, relayed: boolean): Promise<HeartbeatReply> {
    const { deviceId, timestamp, body } = this.verify(input);
    const active = this.context.repos.assignments.activeFor(deviceId);
    const prepared = offersUpdate(active, body, relayed) ? await this.prepare(active) : null;

    const manifest = await this.commit(deviceId, timestamp, body, relayed, prepared);
    return {
      server_time: new Date().toISOString(),
      heartbeat_interval_s: this.context.settings.heartbeatIntervalS,
      ota: manifest,
    };
  }

  private verify(input: IncomingHeartbeat): {
    deviceId: string;
    timestamp: number;
    body: HeartbeatBody;
  } {
    const deviceId = input.deviceId ?? '';
    const credentials = deviceId ? this.devices.credentials(deviceId) : null;
    if (!credentials || !input.timestamp || !input.signature) {
      throw new CloudError(
        401,
        'SIGNATURE_INVALID',
        'the heartbeat is unsigned or from an unknown device; provision the device first',
      );
    }

    const timestamp = checkSignature(input, credentials.secret, Date.now());
    checkFresh(timestamp, credentials.lastMs);
    const body = parseBody(input.body);
    if (body.model !== credentials.model) {
      throw new CloudError(
        422,
        'MODEL_MISMATCH',
        `the heartbeat says ${body.model}, but the device is registered as ${credentials.model}`,
      );
    }
    return { deviceId, timestamp, body };
  }

  /** The heartbeat's writes: one savepoint in the next group-commit batch. */
  private async commit(
    deviceId: string,
    timestamp: number,
    body: HeartbeatBody,
    relayed: boolean,
    prepared: PreparedManifest | null,
  ): Promise<OtaManifest | null> {
    try {
      return await this.batcher.submit(() => {
        // Checked again at write time: another heartbeat of this device may have landed.
        const credentials = this.devices.credentials(deviceId);
        checkFresh(timestamp, credentials?.lastMs ?? Number.MAX_SAFE_INTEGER);
        this.record(deviceId, timestamp, body, relayed);
        if (credentials) credentials.lastMs = timestamp;
        return this.settle(deviceId, body, relayed, prepared);
      });
    } catch (error) {
      // The cached replay guard may be ahead of a rolled-back write; reload it next time.
      this.devices.forgetCredentials(deviceId);
      throw error;
    }
  }

  private record(deviceId: string, timestamp: number, body: HeartbeatBody, relayed: boolean): void {
    this.context.repos.devices.recordHeartbeat(
      deviceId,
      {
        id: uuidv7(),
        firmwareVersion: body.firmware_version,
        battery: body.battery,
        recording: body.recording,
        relayed,
        timestampMs: timestamp,
      },
      new Date().toISOString(),
    );
    if (this.context.log.isLevelEnabled('debug')) {
      this.context.log.debug(
        `heartbeat: (${deviceId}) ${body.firmware_version}${relayed ? ' relayed' : ''}`,
      );
    }
  }

  /** Applies what the heartbeat says to the active assignment; returns the manifest to send. */
  private settle(
    deviceId: string,
    body: HeartbeatBody,
    relayed: boolean,
    prepared: PreparedManifest | null,
  ): OtaManifest | null {
    const active = this.context.repos.assignments.activeFor(deviceId);
    if (!active) return null;
    const actor = relayed ? 'station' : `device:${deviceId}`;

    if (body.update && body.update.assignment_id === active.id) {
      this.assignments.change(active, { status: 'failed', reason: body.update.reason, actor });
      return null;
    }
    if (runsRelease(body.firmware_version, active.version)) {
      this.assignments.change(active, { status: 'applied', reason: null, actor });
      return null;
    }
    if (!prepared || prepared.assignmentId !== active.id) return null;

    if (active.status === 'pending') {
      this.assignments.change(active, { status: 'delivered', reason: null, actor });
    }
    return prepared.manifest;
  }

  private async prepare(active: Assignment): Promise<PreparedManifest | null> {
    const bin = this.context.repos.releases.file(active.release_id, 'bin');
    if (!bin) return null;

    const { url, expiresAt } = await this.context.blob.presign(
      bin.blobKey,
      this.context.settings.urlTtlS,
    );
    const manifest: OtaManifest = {
      assignment_id: active.id,
      version: active.version,
      url,
      size: bin.size,
      crc32: bin.crc32,
      expires_at: expiresAt.toISOString(),
    };
    return { assignmentId: active.id, manifest };
  }
}

/** Whether this heartbeat may receive the active assignment's manifest. */
function offersUpdate(
  active: Assignment | null,
  body: HeartbeatBody,
  relayed: boolean,
): active is Assignment {
  if (!active || relayed || body.recording) return false;
  if (body.update?.assignment_id === active.id) return false;
  return !runsRelease(body.firmware_version, active.version);
}
