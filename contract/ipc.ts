import { z } from 'zod';

import type {
  Assignment,
  AssignmentStatus,
  Device,
  FleetSummary,
  HeartbeatRecord,
  Release,
  ReleaseStatus,
} from '../protocol/cloud-api';
import { DEVICE_MODELS, type DeviceModel } from '../protocol/models';
import type {
  BluetoothState,
  ConnectedDevice,
  Failure,
  LogLine,
  Result,
  StationEvent,
  UpdateJob,
} from './station';

/**
 * The one IPC contract between the station's main process and its window. Every channel is
 * named `domain:action` and is a query (reads), a command (changes something) or an event
 * (pushed by main). Each query and command takes one argument object, checked at runtime by
 * its zod schema, and answers with a `Result<T>`: expected failures are values the window
 * shows in words. The Electron handler, the preload caller and the browser-mode HTTP/WebSocket
 * twin are all derived from this file.
 */

/** Whether a channel reads or changes. */
export type ChannelKind = 'query' | 'command';

/** One query or command: its kind, its argument schema and (as a type only) its result. */
export interface ChannelSpec<A extends z.ZodType, R> {
  /** Query or command. */
  readonly kind: ChannelKind;
  /** Validates the argument object before any handler sees it. */
  readonly args: A;
  /** Type-only marker of the value a successful call carries; always undefined at runtime. */
  readonly result?: R;
}

/** Declares a query returning `R`; curried so `R` is named and the schema type inferred. */
const query =
  <R>() =>
  <A extends z.ZodType>(args: A): ChannelSpec<A, R> => ({ kind: 'query', args });

/** Declares a command returning `R`. */
const command =
  <R>() =>
  <A extends z.ZodType>(args: A): ChannelSpec<A, R> => ({ kind: 'command', args });

const none = z.object({}).strict();
const id = z.string().trim().min(1, 'an id is required');
const model = z.enum(DEVICE_MODELS);
const releaseStatus = z.enum(['draft', 'released']);
const assignmentStatus = z.enum(['pending', 'delivered', 'applied', 'failed', 'cancelled']);
const version = z.string().regex(/^v\d{1,4}\.\d{1,4}\.\d{1,4}$/, 'use a version like v1.0.1');

/** How the station reaches its cloud: the one it runs itself, or a remote one. */
const cloudSettings = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('embedded') }),
  z.object({
    mode: z.literal('remote'),
    url: z.url({ protocol: /^https?$/, error: 'use an http:// or https:// address' }),
    token: z.string().trim().min(8, 'paste the API token the cloud admin gave you'),
  }),
]);

/** Where the embedded cloud keeps firmware files. */
const blobSettings = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({
    kind: z.literal('s3'),
    bucket: z.string().trim().min(3, 'name the S3 bucket'),
    endpoint: z.url().optional(),
    region: z.string().optional(),
    accessKeyId: z.string().optional(),
    secretAccessKey: z.string().optional(),
    forcePathStyle: z.boolean().optional(),
  }),
]);

/** Station settings as stored; changes take effect at the next start. */
export const settingsSchema = z.object({ cloud: cloudSettings, blob: blobSettings });

/** Station settings as stored; changes take effect at the next start. */
export type StationSettings = z.infer<typeof settingsSchema>;

/** What the settings screen shows: stored settings plus what is running now. */
export interface SettingsView {
  /** The stored settings (the remote token is masked). */
  settings: StationSettings;
  /** The cloud the station talks to right now. */
  activeCloudUrl: string;
  /** Where the station keeps its data. */
  dataDir: string;
  /** True when stored settings differ from the running ones until a restart. */
  restartNeeded: boolean;
  /** The station's API token for the cloud, masked but for its last 4 characters. */
  tokenHint: string;
}

/** Every query and command, by channel name. */
export const channels = {
  'device:list': query<ConnectedDevice[]>()(none),
  'device:connect': command<ConnectedDevice>()(z.object({ key: id })),
  'device:disconnect': command<null>()(z.object({ key: id })),
  'device:provision': command<ConnectedDevice>()(z.object({ key: id })),
  'bluetooth:state': query<BluetoothState>()(none),
  'log:recent': query<LogLine[]>()(none),

  'update:start': command<UpdateJob>()(
    z.object({
      key: id,
      request: z.union([
        z.object({ releaseId: id }).strict(),
        z.object({ assignmentId: id }).strict(),
      ]),
    }),
  ),
  'update:cancel': command<null>()(z.object({ jobId: id })),

  'release:list': query<Release[]>()(
    z.object({ model: model.optional(), status: releaseStatus.optional() }),
  ),
  'release:get': query<Release>()(z.object({ id })),
  'release:create': command<Release>()(
    z.object({ version, model, notes: z.string().max(4000).optional() }),
  ),
  'release:upload': command<Release>()(
    z.object({
      id,
      kind: z.enum(['bin', 'ufw']),
      bytes: z
        .custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected the file bytes')
        .refine((bytes) => bytes.length > 0, 'the file is empty'),
    }),
  ),
  'release:publish': command<Release>()(z.object({ id })),
  'release:delete': command<null>()(z.object({ id })),

  'cloud-device:list': query<{ devices: Device[]; total: number }>()(
    z.object({
      model: model.optional(),
      q: z.string().max(100).optional(),
      limit: z.number().int().min(1).max(500).optional(),
      offset: z.number().int().min(0).optional(),
    }),
  ),
  'cloud-device:get': query<Device>()(z.object({ id })),
  'cloud-device:heartbeats': query<HeartbeatRecord[]>()(
    z.object({ id, limit: z.number().int().min(1).max(500).optional() }),
  ),
  'cloud-device:assignments': query<Assignment[]>()(z.object({ id })),

  'assignment:list': query<Assignment[]>()(
    z.object({ status: assignmentStatus.optional(), deviceId: id.optional() }),
  ),
  'assignment:create': command<Assignment>()(z.object({ deviceId: id, releaseId: id })),
  'assignment:cancel': command<Assignment>()(z.object({ id })),

  'fleet:summary': query<FleetSummary>()(none),

  'settings:get': query<SettingsView>()(none),
  'settings:update': command<SettingsView>()(settingsSchema),
} as const;

/** The name of a query or command. */
export type Channel = keyof typeof channels;

/** The argument object a channel takes. */
export type ArgsOf<C extends Channel> = z.input<(typeof channels)[C]['args']>;

/** The value a channel's successful call carries. */
export type ValueOf<C extends Channel> = Exclude<(typeof channels)[C]['result'], undefined>;

/** What main implements: one async function per channel, already-validated arguments in. */
export type ChannelHandlers = {
  [C in Channel]: (args: z.output<(typeof channels)[C]['args']>) => Promise<Result<ValueOf<C>>>;
};

/** Events main pushes to the window, by channel name, with their payloads. */
export interface EventPayloads {
  /** A device appeared or changed on a link. */
  'device:changed': ConnectedDevice;
  /** A device left its link. */
  'device:removed': { key: string };
  /** An update job moved on. */
  'update:changed': UpdateJob;
  /** Bluetooth's state changed. */
  'bluetooth:changed': BluetoothState;
  /** A new line in the station's log. */
  'log:line': LogLine;
}

/** The name of an event channel. */
export type EventChannel = keyof EventPayloads;

/** One pushed event as it travels: its channel and payload. */
export type EventMessage = {
  [E in EventChannel]: { channel: E; payload: EventPayloads[E] };
}[EventChannel];

/** Maps a station core event to the IPC event that carries it. */
export function toEventMessage(event: StationEvent): EventMessage {
  switch (event.type) {
    case 'device':
      return { channel: 'device:changed', payload: event.device };
    case 'device-removed':
      return { channel: 'device:removed', payload: { key: event.key } };
    case 'update':
      return { channel: 'update:changed', payload: event.job };
    case 'bluetooth':
      return { channel: 'bluetooth:changed', payload: event.bluetooth };
    case 'log':
      return { channel: 'log:line', payload: event.line };
  }
}

/**
 * The window's whole view of main: call a channel, or subscribe to events. Implemented by
 * the preload script (Electron) and by the HTTP/WebSocket client (browser mode).
 */
export interface BotaApi {
  /** Calls a query or command; never rejects for expected failures. */
  call<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<Result<ValueOf<C>>>;
  /**
   * Subscribes to every pushed event; returns the function that unsubscribes. `onOpen` runs
   * whenever the event stream (re)opens, the moment to re-read state so no event is missed.
   */
  subscribe(listener: (message: EventMessage) => void, onOpen?: () => void): () => void;
}

/** A failure for arguments that broke a channel's schema, naming each bad field. */
export function invalidArguments(channel: string, error: z.ZodError): Failure {
  const problems = error.issues.map((issue) => {
    const field = issue.path.join('.') || 'argument';
    return `${field}: ${issue.message}`;
  });
  return {
    code: 'INVALID_ARGUMENT',
    message: `${channel} was called with bad arguments — ${problems.join('; ')}`,
    hint: 'Correct the highlighted values and try again.',
  };
}

/** A failure for a channel name that does not exist. */
export function unknownChannel(channel: string): Failure {
  return {
    code: 'UNKNOWN_CHANNEL',
    message: `There is no channel called "${channel}".`,
    hint: 'The window and the station may be different versions: restart the station.',
  };
}

/** True when `name` is a query or command channel. */
export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channels, name);
}

/** Re-exported so callers that only import the contract can name these shapes. */
export type { AssignmentStatus, DeviceModel, ReleaseStatus };

const BYTES_TAG = '$bytes';
const BASE64_CHUNK = 0x8000;

/** Base64 of `bytes`, chunked so large files do not overflow the argument stack. */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let start = 0; start < bytes.length; start += BASE64_CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(start, start + BASE64_CHUNK));
  }
  return btoa(binary);
}

/** The bytes a base64 string holds. */
function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * JSON for the browser-mode wire: like JSON.stringify, but a Uint8Array (a firmware file)
 * travels as `{ "$bytes": "<base64>" }` so uploads survive the trip.
 */
export function encodeWire(value: unknown): string {
  // The holder's own value, not `item`: a Node Buffer's toJSON() runs before the replacer.
  return JSON.stringify(value, function (this: Record<string, unknown>, key, item: unknown) {
    const original = this[key];
    return original instanceof Uint8Array ? { [BYTES_TAG]: toBase64(original) } : item;
  });
}

/** Reads what encodeWire wrote, turning `{ "$bytes": ... }` back into a Uint8Array. */
export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object') return item;
    const tagged = (item as Record<string, unknown>)[BYTES_TAG];
    return typeof tagged === 'string' ? fromBase64(tagged) : item;
  });
}

/** The Electron IPC channel every pushed event travels on (the payload names its channel). */
export const EVENT_IPC_CHANNEL = 'station:event';

/** Every query and command channel name, for callers that build their API from the list. */
export const CHANNEL_NAMES = Object.keys(channels) as Channel[];
