import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import pino from 'pino';

import { startApp } from './app';
import { loadConfig } from './config';
import { startDemoDevices } from './demo';
import { startServer } from './server/http';

/**
 * The station without Electron: core + embedded cloud under plain Node, the window served
 * to a browser on 127.0.0.1. `npm start` lands here when Electron's binary is missing; the
 * end-to-end tests start it directly: `tsx main/headless.ts --data-dir D --port 0`.
 */

const RENDERER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../out/renderer');

/** Starts the station in browser mode; resolves to the function that stops it. */
export async function runHeadless(argv: string[], reason: string): Promise<() => Promise<void>> {
  let config = await loadConfig(argv);
  // Structured logs go to stderr; stdout carries only the one line saying where the UI is.
  const logger = pino({ level: config.logLevel }, pino.destination(2));

  const demo = config.demo ? await startDemoDevices(config.dataDir, logger) : undefined;
  if (demo) config = { ...config, ...demo.stationOptions(config) };

  const app = await startApp(config, logger, { onCloudReady: demo?.seed });

  const server = await startServer({
    dispatch: app.dispatch,
    subscribe: app.subscribe,
    rendererDir: RENDERER_DIR,
    port: config.port,
    logger,
  });
  console.log(`station: ${reason}; UI at ${server.openUrl}`);

  return async () => {
    await server.close();
    await app.close();
    await demo?.close();
  };
}

async function main(): Promise<void> {
  const reason = process.env.BOTA_HEADLESS_REASON ?? 'browser mode';
  const stop = await runHeadless(process.argv.slice(2), reason);

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('station: could not stop cleanly', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`station: could not start: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}
