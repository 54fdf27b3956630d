import type { SignedHeartbeat } from '../heartbeat';
import type { DeviceModel } from '../models';

/**
 * The messages of the Bota link protocol, spoken between a station and one device over a
 * LinkChannel (serial or Bluetooth). The station sends requests carrying a request id; the
 * device answers each with a reply carrying the same id. Image bytes travel as `data`
 * messages tagged with their transfer and offset, acknowledged cumulatively. The device
 * also pushes heartbeats and status changes on its own. docs/link-protocol.md tells the
 * whole story; codec.ts holds the byte layout.
 */

/** What a device says about itself, in identity replies and status pushes. */
export interface LinkIdentity {
  /** Its model. */
  model: DeviceModel;
  /** Printed serial number. */
  serial: string;
  /** Running firmware (`v1.0.1-001`). */
  firmwareVersion: string;
  /** True while recording. */
  recording: boolean;
  /** Battery, 0 to 100. */
  battery: number;
  /** The cloud device id once provisioned, else null. */
  deviceId: string | null;
  /** True when the device can resume a broken transfer of the same image. */
  canResume: boolean;
  /** The largest data chunk the device takes, in bytes. */
  maxChunk: number;
}

/** Station → device: asks the device to describe itself. */
export interface IdentifyRequest {
  type: 'identify';
  id: number;
}

/** Station → device: stores the cloud identity and secret on the device. */
export interface ProvisionRequest {
  type: 'provision';
  id: number;
  deviceId: string;
  secret: string;
  cloudUrl: string;
}

/** Station → device: opens a transfer of one image, described by its `.ufw` header. */
export interface BeginRequest {
  type: 'begin';
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
  type: 'data';
  transfer: number;
  offset: number;
  bytes: Uint8Array;
}

/** Station → device: every byte is acknowledged; check the whole image. */
export interface VerifyRequest {
  type: 'verify';
  id: number;
  transfer: number;
}

/** Station → device: reboot into the verified image (acknowledged before the reboot). */
export interface ApplyRequest {
  type: 'apply';
  id: number;
}

/** Station → device: stop the open transfer; the running firmware stays. */
export interface AbortRequest {
  type: 'abort';
  id: number;
}

/** Station → device: "still here"; keeps the link attached while nothing else is said. */
export interface PingRequest {
  type: 'ping';
  id: number;
}

/** Device → station: the request with this id succeeded. */
export interface OkReply {
  type: 'ok';
  id: number;
}

/** Device → station: the answer to an identify request. */
export interface IdentityReply {
  type: 'identity';
  id: number;
  identity: LinkIdentity;
}

/** Device → station: the transfer is open; send from `offset`. */
export interface ReadyReply {
  type: 'ready';
  id: number;
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
  type: 'error';
  id: number;
  code: string;
  message: string;
}

/** Device → station: every image byte before `offset` is written (cumulative). */
export interface AckMessage {
  type: 'ack';
  transfer: number;
  offset: number;
}

/** Device → station: data arrived out of order; resend from `offset`. */
export interface NakMessage {
  type: 'nak';
  transfer: number;
  offset: number;
}

/** Device → station: the transfer stopped on the device's side (recording, battery...). */
export interface TransferFailedMessage {
  type: 'transfer-failed';
  transfer: number;
  code: string;
  message: string;
}

/** Device → station: a heartbeat signed by the device, for the station to relay. */
export interface HeartbeatMessage {
  type: 'heartbeat';
  heartbeat: SignedHeartbeat;
}

/** Device → station: something in its identity changed (recording, battery, version). */
export interface StatusMessage {
  type: 'status';
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
  | PingRequest;

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
