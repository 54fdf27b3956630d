import type { ChannelHandlers } from '../../contract/ipc';
import type {
  Assignment,
  AssignmentStatus,
  Device,
  FleetSummary,
  HeartbeatRecord,
  Release,
  ReleaseFileKind,
  ReleaseStatus,
} from '../../protocol/cloud-api';
import type { DeviceModel } from '../../protocol/models';
import { fromCloud } from './failures';

/**
 * The cloud calls the window needs, as cloud/client.ts's CloudClient offers them. Declared
 * here by shape so this layer can be exercised against any object with these methods.
 */
export interface CloudCalls {
  /** Releases, newest version first. */
  listReleases(query: { model?: DeviceModel; status?: ReleaseStatus }): Promise<Release[]>;
  /** One release. */
  getRelease(id: string): Promise<Release>;
  /** A new draft release. */
  createRelease(input: { version: string; model: DeviceModel; notes?: string }): Promise<Release>;
  /** Uploads a release file. */
  uploadReleaseFile(id: string, kind: ReleaseFileKind, body: Uint8Array): Promise<Release>;
  /** Marks a release released. */
  publishRelease(id: string): Promise<Release>;
  /** Deletes a draft. */
  deleteRelease(id: string): Promise<unknown>;
  /** Devices known to the cloud. */
  listDevices(query?: {
    model?: DeviceModel;
    q?: string;
    limit?: number;
    offset?: number;
  }): Promise<{ devices: Device[]; total: number }>;
  /** One device. */
  getDevice(id: string): Promise<Device>;
  /** A device's heartbeats, newest first. */
  deviceHeartbeats(id: string, limit?: number): Promise<HeartbeatRecord[]>;
  /** A device's assignments, newest first. */
  deviceAssignments(id: string): Promise<Assignment[]>;
  /** Assignments by status and device. */
  listAssignments(query: { status?: AssignmentStatus; device_id?: string }): Promise<Assignment[]>;
  /** Assigns a release to a device for HTTP OTA. */
  createAssignment(input: { device_id: string; release_id: string }): Promise<Assignment>;
  /** Cancels an assignment. */
  cancelAssignment(id: string): Promise<Assignment>;
  /** Counts for the fleet view. */
  fleet(): Promise<FleetSummary>;
}

/** The channels the cloud answers. */
export type CloudChannels =
  | 'release:list'
  | 'release:get'
  | 'release:create'
  | 'release:upload'
  | 'release:publish'
  | 'release:delete'
  | 'cloud-device:list'
  | 'cloud-device:get'
  | 'cloud-device:heartbeats'
  | 'cloud-device:assignments'
  | 'assignment:list'
  | 'assignment:create'
  | 'assignment:cancel'
  | 'fleet:summary';

/** What the rest of the station wants to hear about cloud changes made from the window. */
export interface CloudChangeHooks {
  /** A release was published: connected devices may now have an update. */
  released?: () => Promise<void>;
}

/** Maps each cloud channel onto the client; cloud errors become failure values. */
export function cloudHandlers(
  cloud: () => CloudCalls,
  hooks: CloudChangeHooks = {},
): Pick<ChannelHandlers, CloudChannels> {
  return {
    'release:list': (query) => fromCloud(() => cloud().listReleases(dropUndefined(query))),
    'release:get': ({ id }) => fromCloud(() => cloud().getRelease(id)),
    'release:create': (input) => fromCloud(() => cloud().createRelease(dropUndefined(input))),
    'release:upload': ({ id, kind, bytes }) =>
      fromCloud(() => cloud().uploadReleaseFile(id, kind, bytes)),
    'release:publish': ({ id }) =>
      fromCloud(async () => {
        const release = await cloud().publishRelease(id);
        await hooks.released?.();
        return release;
      }),
    'release:delete': ({ id }) => fromCloud(async () => (await cloud().deleteRelease(id), null)),
    'cloud-device:list': (query) => fromCloud(() => cloud().listDevices(dropUndefined(query))),
    'cloud-device:get': ({ id }) => fromCloud(() => cloud().getDevice(id)),
    'cloud-device:heartbeats': ({ id, limit }) =>
      fromCloud(() => cloud().deviceHeartbeats(id, limit)),
    'cloud-device:assignments': ({ id }) => fromCloud(() => cloud().deviceAssignments(id)),
    'assignment:list': ({ status, deviceId }) =>
      fromCloud(() => cloud().listAssignments(dropUndefined({ status, device_id: deviceId }))),
    'assignment:create': ({ deviceId, releaseId }) =>
      fromCloud(() => cloud().createAssignment({ device_id: deviceId, release_id: releaseId })),
    'assignment:cancel': ({ id }) => fromCloud(() => cloud().cancelAssignment(id)),
    'fleet:summary': () => fromCloud(() => cloud().fleet()),
  };
}

/** Leaves out absent fields so the client never sends `?model=undefined`. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
