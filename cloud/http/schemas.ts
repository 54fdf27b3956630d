import { type TSchema, Type } from 'typebox';

import { DEVICE_MODELS } from '../../protocol/models';

/**
 * JSON schemas of the API, written with typebox: fastify validates requests and serializes
 * replies with them, and @fastify/swagger turns them into the OpenAPI document.
 */

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values] });

/** A device model id. */
export const Model = literals(DEVICE_MODELS);
/** A role. */
export const RoleSchema = literals(['admin', 'operator', 'viewer']);
/** An assignment status. */
export const AssignmentStatusSchema = literals([
  'pending',
  'delivered',
  'applied',
  'failed',
  'cancelled',
]);
/** A release status. */
export const ReleaseStatusSchema = literals(['draft', 'released']);
/** A file kind. */
export const FileKind = literals(['bin', 'ufw']);

/** Every error reply. */
export const ApiErrorSchema = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'ApiError' },
);

const ReleaseFileSchema = Type.Object({
  kind: FileKind,
  size: Type.Integer(),
  crc32: Type.Integer(),
  sha256: Type.String(),
  uploaded_at: Type.String(),
});

/** A release. */
export const ReleaseSchema = Type.Object({
  id: Type.String(),
  version: Type.String(),
  model: Model,
  notes: Type.String(),
  status: ReleaseStatusSchema,
  bin: nullable(ReleaseFileSchema),
  ufw: nullable(ReleaseFileSchema),
  build_version: nullable(Type.String()),
  created_at: Type.String(),
  released_at: nullable(Type.String()),
  revision: Type.Integer(),
});

/** A device. */
export const DeviceSchema = Type.Object({
  id: Type.String(),
  serial: Type.String(),
  model: Model,
  firmware_version: nullable(Type.String()),
  battery: nullable(Type.Number()),
  recording: nullable(Type.Boolean()),
  last_seen_at: nullable(Type.String()),
  last_relayed: nullable(Type.Boolean()),
  created_at: Type.String(),
  revision: Type.Integer(),
});

/** A device and its one-time secret. */
export const ProvisionedDeviceSchema = Type.Object({ device: DeviceSchema, secret: Type.String() });

/** One heartbeat as stored. */
export const HeartbeatRecordSchema = Type.Object({
  at: Type.String(),
  firmware_version: Type.String(),
  battery: Type.Number(),
  recording: Type.Boolean(),
  relayed: Type.Boolean(),
});

const AssignmentEventSchema = Type.Object({
  status: AssignmentStatusSchema,
  reason: nullable(Type.String()),
  actor: Type.String(),
  at: Type.String(),
});

/** An assignment; `history` on single reads. */
export const AssignmentSchema = Type.Object({
  id: Type.String(),
  device_id: Type.String(),
  release_id: Type.String(),
  version: Type.String(),
  status: AssignmentStatusSchema,
  reason: nullable(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
  revision: Type.Integer(),
  history: Type.Optional(Type.Array(AssignmentEventSchema)),
});

/** A token as listed. */
export const ApiTokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  created_at: Type.String(),
});

/** A new token with its one-time value. */
export const CreatedTokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  created_at: Type.String(),
  token: Type.String(),
});

/** A download link. */
export const FileLinkSchema = Type.Object({
  url: Type.String(),
  size: Type.Integer(),
  crc32: Type.Integer(),
  sha256: Type.String(),
  expires_at: Type.String(),
});

/** The OTA manifest in a heartbeat reply. */
export const HeartbeatReplySchema = Type.Object({
  server_time: Type.String(),
  heartbeat_interval_s: Type.Number(),
  ota: nullable(
    Type.Object({
      assignment_id: Type.String(),
      version: Type.String(),
      url: Type.String(),
      size: Type.Integer(),
      crc32: Type.Integer(),
      expires_at: Type.String(),
    }),
  ),
});

/** Counts for the fleet view. */
export const FleetSummarySchema = Type.Object({
  by_version: Type.Array(
    Type.Object({ model: Model, firmware_version: nullable(Type.String()), count: Type.Integer() }),
  ),
  by_status: Type.Array(Type.Object({ status: AssignmentStatusSchema, count: Type.Integer() })),
});

/** One audit entry. */
export const AuditEntrySchema = Type.Object({
  id: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  subject: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  at: Type.String(),
});

/** `:id` in a path. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
