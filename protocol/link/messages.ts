import type { SignedHeartbeat } from '../heartbeat';
import type { DeviceIdentity } from '../identity';

/**
 * The messages of the Bota link protocol, spoken between a station and one device over a
 * LinkChannel (serial or Bluetooth). The station sends requests carrying a request id; the
 * device answers each with a reply carrying the same id. Image bytes travel as `data`
 * messages tagged with their transfer and offset, acknowledged cumulatively. The device
 * also pushes heartbeats and status changes on its own. docs/link-protocol.md tells the
 * whole story; codec.ts holds the byte layout.
 */

/** What a device says about itself, in identity replies and status pushes. */
export interface LinkIdentity extends DeviceIdentity {
  /** The largest data chunk the device takes, in bytes. */
  maxChunk: number;
}

/** Station → device: asks the device to describe itself. */
export interface IdentifyRequest {
  /** The message type. */
  type: 'identify';
  /** Request id; the reply carries the same one. */
  id: number;
}

/** Station → device: stores the cloud identity and secret on the device. */
export interface ProvisionRequest {
  /** The message type. */
  type: 'provision';
  /** Request id; the reply carries the same one. */
  id: number;
  /** The cloud device id. */
  deviceId: string;
  /** The heartbeat signing secret. */
  secret: string;
  /** The cloud the device heartbeats to. */
  cloudUrl: string;
}

/** Station → device: opens a transfer of one image, described by its `.ufw` header. */
export interface BeginRequest {
  /** The message type. */
  type: 'begin';
  /** Request id; the reply carries the same one. */
  id: number;
  /** Tag the station puts on this transfer's data, acks and naks (0 to 255). */
  transfer: number;
  /** The 128-byte `.ufw` header. */
  header: Uint8Array;
  /** Bytes in the whole `.ufw` (header plus image); must agree with the header. */
  totalLength: number;
  /** True when the station accepts resuming from bytes the device already holds. */
  resume: boolean;
}

/** Station → device: image bytes at `offset` (image offset, after the header). */
export interface DataMessage {
  /** The message type. */
  type: 'data';
  /** The station's tag for the transfer. */
  transfer: number;
  /** Image offset (after the `.ufw` header). */
  offset: number;
  /** The image bytes. */
  bytes: Uint8Array;
}

/** Station → device: every byte is acknowledged; check the whole image. */
export interface VerifyRequest {
  /** The message type. */
  type: 'verify';
  /** Request id; the reply carries the same one. */
  id: number;
  /** The station's tag for the transfer. */
  transfer: number;
}

/** Station → device: reboot into the verified image (acknowledged before the reboot). */
export interface ApplyRequest {
  /** The message type. */
  type: 'apply';
  /** Request id; the reply carries the same one. */
  id: number;
}

/** Station → device: stop the open transfer; the running firmware stays. */
export interface AbortRequest {
  /** The message type. */
  type: 'abort';
  /** Request id; the reply carries the same one. */
  id: number;
}

/** Station → device: "still here"; keeps the link attached while nothing else is said. */
export interface PingRequest {
  /** The message type. */
  type: 'ping';
  /** Request id; the reply carries the same one. */
  id: number;
}

/**
 * Station → device: "I am letting go"; the device detaches at once and resumes its own
 * heartbeats, rather than after its idle time-out (a closed serial port is invisible to it).
 */
export interface DetachRequest {
  /** The message type. */
  type: 'detach';
  /** Request id; the reply carries the same one. */
  id: number;
}

/** Device → station: the request with this id succeeded. */
export interface OkReply {
  /** The message type. */
  type: 'ok';
  /** Request id; the reply carries the same one. */
  id: number;
}

/** Device → station: the answer to an identify request. */
export interface IdentityReply {
  /** The message type. */
  type: 'identity';
  /** Request id; the reply carries the same one. */
  id: number;
  /** The device as it describes itself. */
  identity: LinkIdentity;
}

/** Device → station: the transfer is open; send from `offset`. */
export interface ReadyReply {
  /** The message type. */
  type: 'ready';
  /** Request id; the reply carries the same one. */
  id: number;
  /** The station's tag for the transfer. */
  transfer: number;
  /** First image byte to send: 0, or where a resumed transfer left off. */
  offset: number;
  /** Bytes the station may have in flight beyond the last acknowledged offset. */
  windowBytes: number;
  /** The largest data chunk the device takes. */
  maxChunk: number;
}

/** Device → station: the request with this id failed, with a stable code. */
export interface ErrorReply {
  /** The message type. */
  type: 'error';
  /** Request id; the reply carries the same one. */
  id: number;
  /** Stable SCREAMING_SNAKE code. */
  code: string;
  /** What happened, in words. */
  message: string;
}

/** Device → station: every image byte before `offset` is written (cumulative). */
export interface AckMessage {
  /** The message type. */
  type: 'ack';
  /** The station's tag for the transfer. */
  transfer: number;
  /** Image offset (after the `.ufw` header). */
  offset: number;
}

/** Device → station: data arrived out of order; resend from `offset`. */
export interface NakMessage {
  /** The message type. */
  type: 'nak';
  /** The station's tag for the transfer. */
  transfer: number;
  /** Image offset (after the `.ufw` header). */
  offset: number;
}

/** Device → station: the transfer stopped on the device's side (recording, battery...). */
export interface TransferFailedMessage {
  /** The message type. */
  type: 'transfer-failed';
  /** The station's tag for the transfer. */
  transfer: number;
  /** Stable SCREAMING_SNAKE code. */
  code: string;
  /** What happened, in words. */
  message: string;
}

/** Device → station: a heartbeat signed by the device, for the station to relay. */
export interface HeartbeatMessage {
  /** The message type. */
  type: 'heartbeat';
  /** The heartbeat exactly as the device signed it. */
  heartbeat: SignedHeartbeat;
}

/** Device → station: something in its identity changed (recording, battery, version). */
export interface StatusMessage {
  /** The message type. */
  type: 'status';
  /** The device as it describes itself. */
  identity: LinkIdentity;
}

/** A request the station sends; each gets exactly one reply with the same id. */
export type LinkRequest =
  | IdentifyRequest
  | ProvisionRequest
  | BeginRequest
  | VerifyRequest
  | ApplyRequest
  | AbortRequest
  | PingRequest
  | DetachRequest;

/** A reply the device sends to a request. */
export type LinkReply = OkReply | IdentityReply | ReadyReply | ErrorReply;

/** Every message of the link protocol. */
export type LinkMessage =
  | LinkRequest
  | LinkReply
  | DataMessage
  | AckMessage
  | NakMessage
  | TransferFailedMessage
  | HeartbeatMessage
  | StatusMessage;

/** Bytes a data message spends before its image bytes: type, transfer tag, offset. */
export const DATA_OVERHEAD_BYTES = 6;

/** The stable codes a device or station gives for a failed link step. */
export const LINK_ERROR_CODES = [
  'RECORDING_ACTIVE',
  'MODEL_MISMATCH',
  'CRC_MISMATCH',
  'IMAGE_TOO_LARGE',
  'IMAGE_INVALID',
  'LOW_BATTERY',
  'OUT_OF_ORDER',
  'BUSY',
  'BAD_HEADER',
  'BAD_SIGNATURE',
  'FLASH_WRITE_ERROR',
  'NO_TRANSFER',
  'NOT_VERIFIED',
  'OFFLINE',
  'BAD_REQUEST',
  'LINK_LOST',
  'TIMEOUT',
  'ABORTED',
] as const;

/** One stable link error code. */
export type LinkErrorCode = (typeof LINK_ERROR_CODES)[number];

/** True when the message is a reply the station matches to a request by id. */
export function isReply(message: LinkMessage): message is LinkReply {
  return (
    message.type === 'ok' ||
    message.type === 'identity' ||
    message.type === 'ready' ||
    message.type === 'error'
  );
}
