import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startApp } from './app';
import { loadConfig } from './config';
import { startDemoDevices } from './demo';
import { consoleLogger } from './server/console-log';
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
  // Logs go to stderr; stdout carries only the one line saying where the UI is.
  const logger = consoleLogger(config.logLevel);
  // Whatever started is stopped again, newest first, also when a later step fails.
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };

  try {
    const demo = config.demo ? await startDemoDevices(config.dataDir, logger) : undefined;
    if (demo) stops.push(() => demo.close());
    if (demo) config = { ...config, ...demo.stationOptions(config) };

    const app = await startApp(config, logger, { onCloudReady: demo?.seed });
    stops.push(() => app.close());

    const server = await startServer({
      dispatch: app.dispatch,
      subscribe: app.subscribe,
      rendererDir: RENDERER_DIR,
      port: config.port,
      logger,
    }).catch((error: unknown) => {
      throw explainListenError(error, config.port);
    });
    stops.push(() => server.close());
    console.log(`station: ${reason}; UI at ${server.openUrl}`);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

/** A busy port in words, with the flag that avoids it. */
function explainListenError(error: unknown, port: number): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return error;
  return new Error(
    `port ${port} is already in use (another station?): stop it, or start with ` +
      '`npm start -- --port 0` for any free port',
  );
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
