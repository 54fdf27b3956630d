import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { decodeWire, type EventMessage } from '../../contract/ipc';
import type { ConnectedDevice } from '../../contract/station';
import { type BrowserStation, startBrowserStation, valueOf } from './support';

/**
 * Events over the browser-mode WebSocket, from a real device: a virtual Bota on a socat pty
 * (agent/serial-cli.ts in its own process) that the station finds, identifies and reports.
 */
describe('browser-mode events from a device on a pty serial port', () => {
  let station: BrowserStation;
  const children: ChildProcess[] = [];
  const messages: EventMessage[] = [];
  let socket: WebSocket;
  let ports: string;

  beforeAll(async () => {
    ports = await mkdtemp(join(tmpdir(), 'bota-ports-'));
    station = await startBrowserStation(['--serial', join(ports, 'station-*')]);
    socket = new WebSocket(
      `${station.server.url.replace('http', 'ws')}/events?token=${station.server.token}`,
    );
    socket.on('message', (data) => messages.push(decodeWire(String(data)) as EventMessage));
    await new Promise((done) => socket.once('open', done));
  }, 60_000);

  afterAll(async () => {
    socket?.close();
    for (const child of children.reverse()) await stop(child);
    await station?.close();
    await rm(ports, { recursive: true, force: true });
  });

  it('pushes device:changed as a device connects, and lists it', async () => {
    const stationEnd = join(ports, 'station-port');
    const deviceEnd = join(ports, 'device-port');
    children.push(
      spawn('/usr/bin/socat', [
        `pty,raw,echo=0,link=${stationEnd}`,
        `pty,raw,echo=0,link=${deviceEnd}`,
      ]),
    );
    await waitFor(() => existsSync(stationEnd) && existsSync(deviceEnd), 'socat ptys');
    children.push(
      spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'agent/serial-cli.ts',
          '--dir',
          join(ports, 'devices'),
          '--model',
          'bota-note',
          '--serial',
          'NOTE-00077',
          '--port',
          deviceEnd,
        ],
        { stdio: ['pipe', 'ignore', 'ignore'] },
      ),
    );

    await waitFor(() => identified(messages, 'NOTE-00077'), 'a device:changed for NOTE-00077');
    const listed = valueOf<ConnectedDevice[]>(await station.call('device:list', {}));
    expect(listed.some((device) => device.identity?.serial === 'NOTE-00077')).toBe(true);
  });
});

function identified(messages: EventMessage[], serial: string): boolean {
  return messages.some(
    (message) =>
      message.channel === 'device:changed' &&
      message.payload.status === 'connected' &&
      message.payload.identity?.serial === serial,
  );
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}
