import { randomBytes } from 'node:crypto';

import type { SerialPortStream } from '@serialport/stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { closeSerialPort, openSerialPort } from '../../protocol/link/serial-port';
import { tempDir, waitFor } from './support/fixtures';
import { type PtyPair, startPtyPair } from './support/socat';

let temp: { dir: string; remove: () => Promise<void> };
let pty: PtyPair;
const ports: SerialPortStream[] = [];

beforeEach(async () => {
  temp = await tempDir('bota-serial-port-');
  pty = await startPtyPair(temp.dir);
});

afterEach(async () => {
  await Promise.all(ports.splice(0).map((port) => closeSerialPort(port)));
  await pty.stop();
  await temp.remove();
});

async function open(path: string): Promise<SerialPortStream> {
  const port = await openSerialPort(path);
  ports.push(port);
  return port;
}

/** Collects what a port reads until `bytes` have arrived. */
function readAll(port: SerialPortStream, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  return new Promise((resolve) => {
    port.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= bytes) resolve(Buffer.concat(chunks));
    });
  });
}

/** Writes `data` in pieces, waiting for 'drain' whenever the port's buffer is full. */
async function writeAll(port: SerialPortStream, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length; at += 16 * 1024) {
    if (!port.write(data.subarray(at, at + 16 * 1024))) {
      await new Promise((resolve) => port.once('drain', resolve));
    }
  }
}

describe('openSerialPort (direct reads and writes) over a socat pty pair', () => {
  it('carries megabytes both ways at once, in order, with both ends backed up', async () => {
    const station = await open(pty.a);
    const device = await open(pty.b);
    const down = randomBytes(2 * 1024 * 1024);
    const up = randomBytes(2 * 1024 * 1024);

    // Both ends read while their own writes wait for room: a poll that asked for only the
    // newest event would leave one of the two waiting for good.
    const atDevice = readAll(device, down.length);
    const atStation = readAll(station, up.length);
    await Promise.all([writeAll(station, down), writeAll(device, up)]);

    expect((await atDevice).equals(down)).toBe(true);
    expect((await atStation).equals(up)).toBe(true);
  });

  it('closes a port while a read is waiting, and reports the far end going away', async () => {
    const station = await open(pty.a);
    const device = await open(pty.b);
    device.on('data', () => undefined);
    station.on('data', () => undefined);
    const closed = new Promise((resolve) => station.once('close', resolve));

    await closeSerialPort(device);
    expect(device.isOpen).toBe(false);

    station.on('error', () => undefined);
    await pty.stop('SIGKILL');
    await closed;
    await waitFor(() => !station.isOpen, 'the station port to close');
  });
});
