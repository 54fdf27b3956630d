import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pino from 'pino';

import { decodeWire, encodeWire } from '../../contract/ipc';
import type { Result } from '../../contract/station';
import { startApp, type StationApp } from '../../main/app';
import { loadConfig } from '../../main/config';
import { startServer, type StationServer } from '../../main/server/http';

/** A real station (embedded cloud + core) in browser mode, in a temp data dir. */
export interface BrowserStation {
  /** The composition root's app. */
  app: StationApp;
  /** The browser-mode server. */
  server: StationServer;
  /** Where it keeps its data. */
  dataDir: string;
  /** POSTs one call the way the window does; `token: null` leaves the token off. */
  call(channel: string, args: unknown, token?: string | null): Promise<Reply>;
  /** Stops everything and removes the data dir. */
  close(): Promise<void>;
}

/** An HTTP status and the Result the server sent. */
export interface Reply {
  /** HTTP status. */
  status: number;
  /** The decoded body. */
  result: Result<unknown>;
}

/** Starts a station with extra flags (e.g. `--serial`, `--virtual-radio`). */
export async function startBrowserStation(
  flags: string[] = [],
  rendererDir?: string,
): Promise<BrowserStation> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bota-window-'));
  const config = await loadConfig(['--data-dir', dataDir, '--port', '0', ...flags], {});
  const logger = pino({ level: 'silent' });
  const app = await startApp(config, logger);
  const server = await startServer({
    dispatch: app.dispatch,
    subscribe: app.subscribe,
    rendererDir,
    port: 0,
    logger,
  });

  const call = async (channel: string, args: unknown, token: string | null = server.token) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${server.url}/rpc/${channel}`, {
      method: 'POST',
      headers,
      body: encodeWire(args),
    });
    return {
      status: response.status,
      result: decodeWire(await response.text()) as Result<unknown>,
    };
  };

  return {
    app,
    server,
    dataDir,
    call,
    close: async () => {
      await server.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The value of an ok reply; fails the test with the failure's words otherwise. */
export function valueOf<T>(reply: Reply): T {
  if (!reply.result.ok) {
    throw new Error(`expected ok, got ${reply.result.error.code}: ${reply.result.error.message}`);
  }
  return reply.result.value as T;
}
