/**
 * The timing model of one Bluetooth LE connection, as the virtual radio applies it.
 *
 * A connection meets once per connection interval (a "connection event"). In each event the
 * central and the peripheral take turns: the central sends one link-layer packet, the
 * peripheral answers 150 µs (T_IFS) later with one packet of its own (empty when it has
 * nothing to say), and after another T_IFS the next exchange starts. The event ends when
 * neither side has more to send, when the next exchange would not fit before the next
 * event, or when a packet is lost (the side that missed it stops; the packet is sent again
 * in a later event, as the link layer does).
 *
 * Air time of one packet: preamble (1 byte on the 1M PHY, 2 on 2M) + access address (4) +
 * header (2) + payload + CRC (3), at 1 or 2 Mbit/s. One ATT PDU travels in an L2CAP frame
 * (4-byte header) cut into link-layer payloads of at most the data length (251 with the
 * data length extension).
 *
 * Worked figures for the benchmark link (2M PHY, ATT MTU 247, data length 251, 7.5 ms):
 * - a full packet is 2 + 4 + 2 + 251 + 3 = 262 bytes = 1048 µs; an empty reply 11 bytes =
 *   44 µs; one exchange with both gaps 1048 + 150 + 44 + 150 = 1392 µs;
 * - 7500 µs / 1392 µs = 5.4, so 5 full packets per event (a 6th would end at 8352 µs);
 * - each carries a 244-byte write (MTU 247 less the 3-byte ATT header): 5 × 244 bytes per
 *   7.5 ms = 162,667 B/s = 158.9 KiB/s, so 1 MiB needs 6.4 s.
 * On the 1M PHY the same link fits 3 packets per event (2468 µs each): 95.3 KiB/s.
 * These are one link's figures with the central's radio to itself; links of one central
 * share its air time (link-scheduler.ts, SharedAir), so N busy links get about 1/N each.
 */

/** The radio's physical layer rate. */
export type Phy = '1M' | '2M';

/** Everything that shapes a link's timing. */
export interface LinkParameters {
  /** The ATT MTU both ends agreed on (23 to 517). */
  attMtu: number;
  /** The physical layer rate. */
  phy: Phy;
  /** Time between connection events, in ms (7.5 to 4000, in steps of 1.25). */
  connectionIntervalMs: number;
  /** Largest link-layer payload (27 to 251; 251 with the data length extension). */
  dataLength: number;
  /** Chance, 0 to 1, that any one packet is lost on the air. */
  loss: number;
  /**
   * ATT PDUs the sender's host stack and controller hold before a writer must wait. 32 is
   * six full events: enough to ride out a busy event loop without idling the air.
   */
  txBufferPackets: number;
}

/** A modern phone-class link: 2M PHY, 247-byte MTU, 7.5 ms interval, no loss. */
export const DEFAULT_LINK: LinkParameters = {
  attMtu: 247,
  phy: '2M',
  connectionIntervalMs: 7.5,
  dataLength: 251,
  loss: 0,
  txBufferPackets: 32,
};

/** The gap between two packets of an exchange, in µs. */
export const T_IFS_US = 150;
/** Bytes of L2CAP header in front of every ATT PDU. */
export const L2CAP_HEADER_BYTES = 4;
/** Bytes of ATT header in front of a write or notification value. */
export const ATT_HEADER_BYTES = 3;
/** The ATT MTU every link starts with, before an exchange. */
export const ATT_DEFAULT_MTU = 23;
/** The largest ATT MTU the spec allows. */
export const ATT_MAX_MTU = 517;

const PACKET_OVERHEAD_BYTES = 4 + 2 + 3; // access address, header, CRC

/** µs one packet with `payloadBytes` of link-layer payload is on the air. */
export function packetAirtimeUs(phy: Phy, payloadBytes: number): number {
  const preamble = phy === '2M' ? 2 : 1;
  const bitsPerUs = phy === '2M' ? 2 : 1;
  return ((preamble + PACKET_OVERHEAD_BYTES + payloadBytes) * 8) / bitsPerUs;
}

/** µs one exchange takes: the central's packet, its reply and the two gaps. */
export function exchangeTimeUs(phy: Phy, centralBytes: number, peripheralBytes: number): number {
  return packetAirtimeUs(phy, centralBytes) + packetAirtimeUs(phy, peripheralBytes) + 2 * T_IFS_US;
}

/** The link-layer payload sizes one ATT PDU of `attBytes` is cut into. */
export function linkLayerFragments(attBytes: number, dataLength: number): number[] {
  const fragments: number[] = [];
  for (let left = attBytes + L2CAP_HEADER_BYTES; left > 0; left -= dataLength) {
    fragments.push(Math.min(left, dataLength));
  }
  return fragments;
}

/** Bytes of data one write without response carries: the MTU less the ATT header. */
export function chunkBytes(params: Pick<LinkParameters, 'attMtu'>): number {
  return params.attMtu - ATT_HEADER_BYTES;
}

/** Full-size packets that fit in one connection event when only the central sends. */
export function packetsPerEvent(params: LinkParameters): number {
  const full = Math.min(params.dataLength, params.attMtu + L2CAP_HEADER_BYTES);
  const perExchange = exchangeTimeUs(params.phy, full, 0);
  return Math.max(1, Math.floor((params.connectionIntervalMs * 1000) / perExchange));
}

/**
 * Packets expected to get through per event under loss p. Exchange i happens only when
 * every packet before it arrived (q = (1 − p)² per exchange) and its central packet arrives
 * with 1 − p, so E = (1 − p)(1 − q^K) / (1 − q) for K slots; with no loss, E = K.
 */
export function deliveredPerEvent(params: LinkParameters): number {
  const slots = packetsPerEvent(params);
  const p = params.loss;
  if (p <= 0) return slots;
  if (p >= 1) return 0;

  const q = (1 - p) * (1 - p);
  return ((1 - p) * (1 - q ** slots)) / (1 - q);
}

/** The most write-without-response data the link can carry one way, in bytes per second. */
export function capacityBytesPerSecond(params: LinkParameters): number {
  const fragmentsPerChunk = linkLayerFragments(params.attMtu, params.dataLength).length;
  const chunksPerEvent = deliveredPerEvent(params) / fragmentsPerChunk;
  return (chunksPerEvent * chunkBytes(params)) / (params.connectionIntervalMs / 1000);
}

/** Checks parameters are within the spec's ranges; returns a message naming the bad one. */
export function checkLinkParameters(params: LinkParameters): string | null {
  if (!(params.attMtu >= ATT_DEFAULT_MTU && params.attMtu <= ATT_MAX_MTU)) {
    return `ATT MTU ${params.attMtu} is outside 23 to 517`;
  }
  if (!(params.connectionIntervalMs >= 7.5 && params.connectionIntervalMs <= 4000)) {
    return `connection interval ${params.connectionIntervalMs} ms is outside 7.5 to 4000 ms`;
  }
  if (!(params.dataLength >= 27 && params.dataLength <= 251)) {
    return `data length ${params.dataLength} is outside 27 to 251`;
  }
  if (!(params.loss >= 0 && params.loss < 1)) return `loss ${params.loss} is outside 0 to <1`;
  if (!(params.txBufferPackets >= 1)) return 'the TX buffer must hold at least one packet';
  return null;
}
