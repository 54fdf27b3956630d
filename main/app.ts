import { join } from 'node:path';

import type { Logger } from 'pino';

import { createCloud } from '../cloud';
import { CloudClient } from '../cloud/client';
import { type EventMessage, toEventMessage } from '../contract/ipc';
import type { StationConfig } from './config';
import { createStation } from './core';
import { cloudHandlers } from './server/cloud-handlers';
import { createDispatcher, type Dispatch } from './server/dispatch';
import { settingsHandlers } from './server/settings-handlers';
import { stationHandlers } from './server/station-handlers';

/**
 * The composition root: starts the embedded cloud (unless a remote one is configured), the
 * station core, and the contract's handlers. Electron (main/electron) and browser mode
 * (main/headless.ts) both start the station through here and differ only in transport.
 */

/** A running station, ready for a transport to carry its calls and events. */
export interface StationApp {
  /** The configuration it started with. */
  config: StationConfig;
  /** The cloud it talks to. */
  cloudUrl: string;
  /** The token it uses with that cloud. */
  cloudToken: string;
  /** Runs one call from the window. */
  dispatch: Dispatch;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  subscribe(listener: (message: EventMessage) => void): () => void;
  /** Stops the station core and the embedded cloud. */
  close(): Promise<void>;
}

/** Where the station's cloud is and the token it uses there. */
export interface CloudAccess {
  /** Base URL. */
  url: string;
  /** Bearer token (the embedded cloud's admin token, or the configured remote one). */
  token: string;
}

/** Hooks into the start. */
export interface StartHooks {
  /** Runs once the cloud is up and before the station core starts (demo data, fixtures). */
  onCloudReady?: (cloud: CloudAccess) => Promise<void>;
}

/** Starts everything the window talks to. */
export async function startApp(
  config: StationConfig,
  logger: Logger,
  hooks: StartHooks = {},
): Promise<StationApp> {
  const cloud = await startCloud(config, logger);
  await hooks.onCloudReady?.(cloud);
  const client = new CloudClient({ baseUrl: cloud.url, token: cloud.token });

  const station = await createStation({
    cloudUrl: cloud.url,
    cloudToken: cloud.token,
    serialPatterns: config.serialPatterns,
    virtualRadio: config.virtualRadio,
    workDir: join(config.dataDir, 'work'),
    logger,
    timing: config.timing,
  });

  const handlers = {
    ...stationHandlers(station),
    ...cloudHandlers(() => client, { released: () => station.refreshReleases() }),
    ...settingsHandlers({
      dataDir: config.dataDir,
      running: config.settings,
      activeCloudUrl: cloud.url,
      activeToken: cloud.token,
    }),
  };

  return {
    config,
    cloudUrl: cloud.url,
    cloudToken: cloud.token,
    dispatch: createDispatcher(handlers, logger),
    subscribe: (listener) => station.subscribe((event) => listener(toEventMessage(event))),
    close: async () => {
      await station.close();
      await cloud.close();
    },
  };
}

/** The cloud in use: the embedded one started here, or the configured remote one. */
async function startCloud(
  config: StationConfig,
  logger: Logger,
): Promise<{ url: string; token: string; close(): Promise<void> }> {
  const { cloud, blob } = config.settings;
  if (cloud.mode === 'remote') {
    logger.info({ scope: 'cloud' }, `cloud: using the remote cloud at ${cloud.url}`);
    return { url: cloud.url, token: cloud.token, close: async () => {} };
  }

  const embedded = await createCloud({
    dataDir: join(config.dataDir, 'cloud'),
    adminToken: config.adminToken,
    blob,
    logLevel: logger.level === 'silent' ? 'silent' : 'warn',
  });
  logger.info({ scope: 'cloud' }, `cloud: embedded cloud at ${embedded.url} (${blob.kind} blobs)`);
  return { url: embedded.url, token: config.adminToken, close: () => embedded.close() };
}
