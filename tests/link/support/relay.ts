import type { SerialPortStream } from '@serialport/stream';

import { closeSerialPort, openSerialPort } from '../../../protocol/link/serial-port';
import { type PtyPair, startPtyPair } from './socat';

/** Which way bytes travel through the relay. */
export type Direction = 'to-device' | 'to-station';

/**
 * A faulty serial line: station ⇄ pty pair ⇄ this relay ⇄ pty pair ⇄ device. Bytes are
 * forwarded as they are, except where a test injects noise or damages a passing chunk.
 */
export interface FaultyLine {
  /** The port the station opens. */
  stationPath: string;
  /** The port the device serves. */
  devicePath: string;
  /** Bytes forwarded so far in each direction. */
  forwarded: Record<Direction, number>;
  /** Writes random bytes into the stream going one way, between whatever else passes. */
  injectNoise(direction: Direction, length: number): void;
  /** Flips one byte in the middle of the next chunk of at least `minBytes` going one way. */
  corruptNext(direction: Direction, minBytes?: number): void;
  /** Holds bytes going one way (they queue in the relay) until release(). */
  hold(direction: Direction): void;
  /** Sends on everything held, in order, and forwards as before. */
  release(direction: Direction): void;
  /** Stops the relay and both socat pairs. */
  stop(): Promise<void>;
}

/** Starts two socat pairs in `dir` and relays between them. */
export async function startFaultyLine(dir: string): Promise<FaultyLine> {
  const stationSide = await startPtyPair(dir, 'station', 'relay-station');
  const deviceSide = await startPtyPair(dir, 'relay-device', 'device');
  const toStation = await openPort(stationSide.b);
  const toDevice = await openPort(deviceSide.a);
  const forwarded: Record<Direction, number> = { 'to-device': 0, 'to-station': 0 };
  const corruption: Partial<Record<Direction, number>> = {};
  const held: Partial<Record<Direction, Buffer[]>> = {};

  const forward = (direction: Direction, target: SerialPortStream) => (chunk: Buffer) => {
    const minBytes = corruption[direction];
    if (minBytes !== undefined && chunk.length >= minBytes) {
      delete corruption[direction];
      const middle = Math.floor(chunk.length / 2);
      chunk[middle] = (chunk[middle] ?? 0) ^ 0x5a;
    }
    const queue = held[direction];
    if (queue) return void queue.push(chunk);
    forwarded[direction] += chunk.length;
    target.write(chunk);
  };
  const targets: Record<Direction, SerialPortStream> = {
    'to-device': toDevice,
    'to-station': toStation,
  };
  toStation.on('data', forward('to-device', toDevice));
  toDevice.on('data', forward('to-station', toStation));

  return {
    stationPath: stationSide.a,
    devicePath: deviceSide.b,
    forwarded,
    injectNoise: (direction, length) => {
      const noise = Buffer.from(Array.from({ length }, () => Math.floor(Math.random() * 256)));
      (direction === 'to-device' ? toDevice : toStation).write(noise);
    },
    corruptNext: (direction, minBytes = 1024) => (corruption[direction] = minBytes),
    hold: (direction) => (held[direction] ??= []),
    release: (direction) => {
      const queue = held[direction] ?? [];
      delete held[direction];
      for (const chunk of queue) {
        forwarded[direction] += chunk.length;
        targets[direction].write(chunk);
      }
    },
    stop: () => stopAll([toStation, toDevice], [stationSide, deviceSide]),
  };
}

async function openPort(path: string): Promise<SerialPortStream> {
  const port = await openSerialPort(path);
  port.on('error', () => undefined); // the far end going away is part of the tests
  return port;
}

async function stopAll(ports: SerialPortStream[], pairs: PtyPair[]): Promise<void> {
  await Promise.all(ports.map((port) => closeSerialPort(port)));
  await Promise.all(pairs.map((pair) => pair.stop()));
}
