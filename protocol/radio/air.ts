import type { CharacteristicInfo } from './gatt';

/**
 * The virtual radio's "air": messages between a radio host (the agent process, which holds
 * the peripherals and the link timing) and centrals (the station's noble bindings), over TCP
 * on loopback or a Unix socket. One socket is one central. Every message about a connection
 * names its handle; the host answers requests about one connection in the order it got
 * them, after the link model carried them across.
 *
 * Frame: u32 big-endian byte count of the rest, u16 big-endian byte count of the JSON header,
 * the JSON header (the message without `data`), then `data` as raw bytes (possibly empty).
 */

/** What a central asks of the radio host. */
export type CentralMessage =
  | { type: 'scan'; on: boolean }
  | { type: 'connect'; address: string }
  | { type: 'disconnect'; handle: number }
  | { type: 'exchange-mtu'; handle: number; mtu: number }
  | { type: 'discover-services'; handle: number }
  | { type: 'discover-characteristics'; handle: number; service: string }
  | { type: 'subscribe'; handle: number; service: string; characteristic: string; on: boolean }
  | { type: 'read'; handle: number; service: string; characteristic: string }
  | {
      type: 'write';
      handle: number;
      service: string;
      characteristic: string;
      withoutResponse: boolean;
      data: Uint8Array;
    };

/** One advertisement a scanning central hears. */
export interface AirAdvertisement {
  /** Message type. */
  type: 'advertisement';
  /** The peripheral's address (`c3:5a:...`). */
  address: string;
  /** Its local name. */
  name: string;
  /** Service UUIDs it lists. */
  serviceUuids: string[];
  /** Received signal strength, dBm. */
  rssi: number;
  /** True when it accepts connections. */
  connectable: boolean;
  /** Its manufacturer-specific data. */
  data: Uint8Array;
}

/** What the radio host tells a central. */
export type HostMessage =
  | AirAdvertisement
  | { type: 'connected'; address: string; handle: number; txBufferPackets: number }
  | { type: 'connect-failed'; address: string; reason: string }
  | { type: 'disconnected'; handle: number; reason: string }
  | { type: 'mtu'; handle: number; mtu: number }
  | { type: 'services'; handle: number; services: string[] }
  | {
      type: 'characteristics';
      handle: number;
      service: string;
      characteristics: CharacteristicInfo[];
    }
  | { type: 'subscribed'; handle: number; service: string; characteristic: string; on: boolean }
  | { type: 'written'; handle: number; service: string; characteristic: string }
  | { type: 'value'; handle: number; service: string; characteristic: string; data: Uint8Array }
  | {
      type: 'notification';
      handle: number;
      service: string;
      characteristic: string;
      data: Uint8Array;
    }
  | { type: 'completed'; handle: number; packets: number };

/** Any message on the air. */
export type AirMessage = CentralMessage | HostMessage;

/** Bytes of frame header before the JSON. */
const LENGTH_BYTES = 4;
const HEADER_LENGTH_BYTES = 2;
/** No air message comes near this; a larger length means the stream is garbage. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** A frame that cannot be read. */
export class AirFrameError extends Error {
  /** Stable code. */
  readonly code = 'AIR_BAD_FRAME';
}

/** Encodes one message as a frame. */
export function encodeAirFrame(message: AirMessage): Buffer {
  const { data, ...rest } = message as AirMessage & { data?: Uint8Array };
  const header = Buffer.from(JSON.stringify(rest), 'utf8');
  const payload = data ?? new Uint8Array(0);

  const out = Buffer.alloc(LENGTH_BYTES + HEADER_LENGTH_BYTES + header.length + payload.length);
  out.writeUInt32BE(out.length - LENGTH_BYTES, 0);
  out.writeUInt16BE(header.length, LENGTH_BYTES);
  header.copy(out, LENGTH_BYTES + HEADER_LENGTH_BYTES);
  out.set(payload, LENGTH_BYTES + HEADER_LENGTH_BYTES + header.length);
  return out;
}

/** Reads frames out of a byte stream that arrives in arbitrary pieces. */
export class AirFrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** Takes the next piece of the stream; returns the whole messages it completes. */
  push(piece: Buffer): AirMessage[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, piece]) : piece;
    const messages: AirMessage[] = [];

    while (this.buffered.length >= LENGTH_BYTES) {
      const length = this.buffered.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES || length < HEADER_LENGTH_BYTES) {
        throw new AirFrameError(`air frame of ${length} bytes: the stream is not the radio's`);
      }
      if (this.buffered.length < LENGTH_BYTES + length) break;

      messages.push(decodeFrame(this.buffered.subarray(LENGTH_BYTES, LENGTH_BYTES + length)));
      this.buffered = this.buffered.subarray(LENGTH_BYTES + length);
    }
    return messages;
  }
}

// Shortcoming: only the JSON syntax and the `type` field are checked, not each message's
// fields — better: a schema per message type, so a foreign peer gets a precise error.
function decodeFrame(frame: Buffer): AirMessage {
  const headerLength = frame.readUInt16BE(0);
  const headerEnd = HEADER_LENGTH_BYTES + headerLength;
  if (headerEnd > frame.length) throw new AirFrameError('air frame header overruns the frame');

  let header: unknown;
  try {
    header = JSON.parse(frame.toString('utf8', HEADER_LENGTH_BYTES, headerEnd));
  } catch {
    throw new AirFrameError('air frame header is not JSON');
  }
  if (typeof header !== 'object' || header === null || !('type' in header)) {
    throw new AirFrameError('air frame header has no message type');
  }

  // Copied out so the payload does not pin the socket's read buffer.
  const data = Buffer.from(frame.subarray(headerEnd));
  return { ...header, data } as unknown as AirMessage;
}
