import { UFW_HEADER_BYTES } from '../ufw';
import { ByteReader, ByteWriter, LinkCodecError } from './bytes';
import { decodeIdentity, encodeIdentity } from './identity-codec';
import {
  DATA_OVERHEAD_BYTES,
  type DataMessage,
  type LinkIdentity,
  type LinkMessage,
} from './messages';

/**
 * The binary layout of every link message: one type byte, then its fields little-endian.
 * Requests and replies carry a 16-bit request id right after the type. Data messages are
 * `0x20, transfer u8, offset u32, bytes…` and are encoded without copying the fields twice.
 */
export const MESSAGE_CODES = {
  identify: 0x01,
  provision: 0x02,
  begin: 0x03,
  verify: 0x04,
  apply: 0x05,
  abort: 0x06,
  ping: 0x07,
  detach: 0x08,
  data: 0x20,
  ok: 0x80,
  identity: 0x81,
  ready: 0x82,
  error: 0x8f,
  ack: 0x90,
  nak: 0x91,
  'transfer-failed': 0x92,
  heartbeat: 0xa0,
  status: 0xa1,
} as const satisfies Record<LinkMessage['type'], number>;

type MessageOf<T extends LinkMessage['type']> = Extract<LinkMessage, { type: T }>;

const TYPE_BY_CODE = new Map<number, LinkMessage['type']>(
  Object.entries(MESSAGE_CODES).map(([type, code]) => [code, type as LinkMessage['type']]),
);

/** Encodes one message to bytes. */
export function encodeMessage(message: LinkMessage): Buffer {
  if (message.type === 'data') return encodeData(message);
  const out = new ByteWriter().u8(MESSAGE_CODES[message.type]);
  writeFields(out, message);
  return out.finish();
}

/** Encodes a data message: 6 header bytes then the chunk. */
export function encodeData(message: Omit<DataMessage, 'type'>): Buffer {
  const out = Buffer.allocUnsafe(DATA_OVERHEAD_BYTES + message.bytes.length);
  out.writeUInt8(MESSAGE_CODES.data, 0);
  out.writeUInt8(message.transfer, 1);
  out.writeUInt32LE(message.offset, 2);
  out.set(message.bytes, DATA_OVERHEAD_BYTES);
  return out;
}

/** Decodes one message; throws LinkCodecError for anything malformed. */
export function decodeMessage(bytes: Uint8Array): LinkMessage {
  const reader = new ByteReader(bytes);
  const code = reader.u8();
  const type = TYPE_BY_CODE.get(code);
  if (!type) throw new LinkCodecError(`unknown message type 0x${code.toString(16)}`);

  const message = readFields(reader, type);
  reader.end();
  return message;
}

function writeFields(out: ByteWriter, message: Exclude<LinkMessage, DataMessage>): void {
  switch (message.type) {
    case 'identify':
    case 'apply':
    case 'abort':
    case 'ping':
    case 'detach':
    case 'ok':
      out.u16(message.id);
      return;
    case 'provision':
      out.u16(message.id).text(message.deviceId).text(message.secret).text(message.cloudUrl);
      return;
    case 'begin':
      writeBegin(out, message);
      return;
    case 'verify':
      out.u16(message.id).u8(message.transfer);
      return;
    case 'identity':
      encodeIdentity(out.u16(message.id), message.identity);
      return;
    default:
      writeOtherFields(out, message);
  }
}

function writeBegin(out: ByteWriter, message: MessageOf<'begin'>): void {
  if (message.header.length !== UFW_HEADER_BYTES) {
    throw new RangeError(
      `a .ufw header is ${UFW_HEADER_BYTES} bytes, not ${message.header.length}`,
    );
  }
  out
    .u16(message.id)
    .u8(message.transfer)
    .u32(message.totalLength)
    .u8(message.resume ? 1 : 0);
  out.raw(message.header);
}

type OtherMessage = Exclude<
  LinkMessage,
  | DataMessage
  | MessageOf<'identify' | 'apply' | 'abort' | 'ping' | 'detach' | 'ok' | 'provision' | 'begin'>
>;

function writeOtherFields(
  out: ByteWriter,
  message: Exclude<OtherMessage, MessageOf<'verify' | 'identity'>>,
): void {
  switch (message.type) {
    case 'ready':
      out.u16(message.id).u8(message.transfer).u32(message.offset);
      out.u32(message.windowBytes).u32(message.maxChunk);
      return;
    case 'error':
      out.u16(message.id).text(message.code).text(message.message);
      return;
    case 'ack':
    case 'nak':
      out.u8(message.transfer).u32(message.offset);
      return;
    case 'transfer-failed':
      out.u8(message.transfer).text(message.code).text(message.message);
      return;
    case 'heartbeat': {
      const { deviceId, timestamp, signature, body } = message.heartbeat;
      out.text(deviceId).u64(timestamp).text(signature).text(body);
      return;
    }
    case 'status':
      encodeIdentity(out, message.identity);
      return;
  }
}

function readFields(reader: ByteReader, type: LinkMessage['type']): LinkMessage {
  switch (type) {
    case 'identify':
    case 'apply':
    case 'abort':
    case 'ping':
    case 'detach':
    case 'ok':
      return { type, id: reader.u16() };
    case 'provision':
      return readProvision(reader);
    case 'begin':
      return readBegin(reader);
    case 'verify':
      return { type, id: reader.u16(), transfer: reader.u8() };
    case 'identity':
      return { type, id: reader.u16(), identity: decodeIdentity(reader) };
    case 'data':
      return { type, transfer: reader.u8(), offset: reader.u32(), bytes: reader.rest() };
    default:
      return readOtherFields(reader, type);
  }
}

function readProvision(reader: ByteReader): MessageOf<'provision'> {
  const id = reader.u16();
  return {
    type: 'provision',
    id,
    deviceId: reader.text(),
    secret: reader.text(),
    cloudUrl: reader.text(),
  };
}

function readBegin(reader: ByteReader): MessageOf<'begin'> {
  const id = reader.u16();
  const transfer = reader.u8();
  const totalLength = reader.u32();
  const resume = readFlag(reader);
  return {
    type: 'begin',
    id,
    transfer,
    totalLength,
    resume,
    header: reader.bytes(UFW_HEADER_BYTES),
  };
}

function readOtherFields(reader: ByteReader, type: LinkMessage['type']): LinkMessage {
  switch (type) {
    case 'ready': {
      const id = reader.u16();
      const transfer = reader.u8();
      const offset = reader.u32();
      return { type, id, transfer, offset, windowBytes: reader.u32(), maxChunk: reader.u32() };
    }
    case 'error':
      return { type, id: reader.u16(), code: reader.text(), message: reader.text() };
    case 'ack':
    case 'nak':
      return { type, transfer: reader.u8(), offset: reader.u32() };
    case 'transfer-failed':
      return { type, transfer: reader.u8(), code: reader.text(), message: reader.text() };
    case 'heartbeat':
      return { type, heartbeat: readHeartbeat(reader) };
    default:
      return { type: 'status', identity: decodeIdentity(reader) };
  }
}

function readHeartbeat(reader: ByteReader): MessageOf<'heartbeat'>['heartbeat'] {
  const deviceId = reader.text();
  const timestamp = reader.u64();
  return { deviceId, timestamp, signature: reader.text(), body: reader.text() };
}

function readFlag(reader: ByteReader): boolean {
  const value = reader.u8();
  if (value > 1) throw new LinkCodecError(`flag byte is ${value}; expected 0 or 1`);
  return value === 1;
}

/** Re-exported so callers can name the identity shape from the codec. */
export type { LinkIdentity };
