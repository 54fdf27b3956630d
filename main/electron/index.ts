import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { app, BrowserWindow, session } from 'electron';

import { startApp, type StationApp } from '../app';
import { loadConfig } from '../config';
import { type DemoDevices, startDemoDevices } from '../demo';
import { consoleLogger } from '../server/console-log';
import { CONTENT_SECURITY_POLICY } from '../server/http';
import { registerIpcHandlers, sendEvent } from './ipc';

/**
 * The Electron main process: starts the station through the composition root and shows it
 * in one locked-down window (context isolation, sandbox, no Node in the page, strict CSP,
 * no navigation, no new windows). The page reaches main only through preload/.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const RENDERER_INDEX = join(HERE, '../renderer/index.html');
const PRELOAD = join(HERE, '../preload/index.cjs');
/** Set by `electron-vite dev` to the renderer's dev server. */
const DEV_URL = process.env.ELECTRON_RENDERER_URL;

let station: StationApp | undefined;
let demo: DemoDevices | undefined;

async function start(): Promise<void> {
  let config = await loadConfig(process.argv.slice(1));
  const logger = consoleLogger(config.logLevel);

  demo = config.demo ? await startDemoDevices(config.dataDir, logger) : undefined;
  if (demo) config = { ...config, ...demo.stationOptions(config) };
  station = await startApp(config, logger, { onCloudReady: demo?.seed });

  lockDownSession();
  registerIpcHandlers(station.dispatch, isOwnPage);
  openWindow(station);
}

function openWindow(running: StationApp): void {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    title: 'Bota Station',
    backgroundColor: '#0f1720',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));

  const unsubscribe = running.subscribe((message) => sendEvent(window.webContents, message));
  window.on('closed', unsubscribe);
  window.once('ready-to-show', () => window.show());

  if (DEV_URL) void window.loadURL(DEV_URL);
  else void window.loadFile(RENDERER_INDEX);
}

/** Every response gets the CSP; the page may ask for no permissions (camera, etc.). */
function lockDownSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
}

/** True for the page this process loaded itself. */
function isOwnPage(url: string): boolean {
  if (DEV_URL) return url.startsWith(DEV_URL);
  return url.startsWith(pathToFileURL(RENDERER_INDEX).href);
}

app.whenReady().then(start, (error: unknown) => {
  console.error('station: could not start', error);
  app.quit();
});

app.on('window-all-closed', () => app.quit());

// Quitting waits for the station and demo devices to stop, so the cloud's store closes
// cleanly and no device process outlives the window.
let quitting = false;
app.on('before-quit', (event) => {
  if (quitting) return;
  quitting = true;
  event.preventDefault();
  void stopAll().finally(() => app.quit());
});

async function stopAll(): Promise<void> {
  await station?.close();
  await demo?.close();
}
