import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';

import { type BlobStore, createBlobStore } from './blob';
import type { CloudSettings } from './domain/context';
import { loadKeys } from './domain/keys';
import { type CloudServices, createServices } from './domain/services';
import { buildServer } from './http/server';
import { Store } from './store/database';
import { reposFor } from './store/repos';

/** S3 (or S3-compatible) storage for firmware files. */
export interface S3BlobOptions {
  /** Backend kind. */
  kind: 's3';
  /** The bucket; it must exist. */
  bucket: string;
  /** Server URL for S3-compatible servers; AWS when absent. */
  endpoint?: string;
  /** Region; default us-east-1. */
  region?: string;
  /** Access key. */
  accessKeyId?: string;
  /** Secret key. */
  secretAccessKey?: string;
  /** Path-style URLs, needed by most S3-compatible servers. */
  forcePathStyle?: boolean;
}

/** How to run a cloud. */
export interface CloudOptions {
  /** Holds cloud.db, cloud.key, tmp/ and blobs/ (local backend). */
  dataDir: string;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** Base for signed URLs when behind a proxy. */
  publicUrl?: string;
  /** Where firmware files live; default local disk under dataDir/blobs. */
  blob?: { kind: 'local' } | S3BlobOptions;
  /** Ensures an admin token with this value exists (bootstrap). */
  adminToken?: string;
  /** Delivered but not applied for this long → failed "timed out"; default 30 min. */
  deliveryTimeoutMs?: number;
  /** Told to devices in every reply; default 60. */
  heartbeatIntervalS?: number;
  /** Largest upload; default 16 MiB. */
  maxUploadBytes?: number;
  /** Presigned URL life in seconds; default 3600. */
  urlTtlS?: number;
  /** pino level; default 'info'. */
  logLevel?: string;
  /** A logger to use instead of a new one (logLevel is then ignored). */
  logger?: Logger;
}

/** A running cloud. */
export interface Cloud {
  /** Base URL it listens on, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The admin token made at first start when none existed and none was given, else null. */
  createdAdminToken: string | null;
  /** The fastify server, e.g. to write the OpenAPI document. */
  server: FastifyInstance;
  /** Stops the server, the sweeper, the blob store and closes the database. */
  close(): Promise<void>;
}

/** Opens the store and blob storage and starts the HTTP API. */
export async function createCloud(options: CloudOptions): Promise<Cloud> {
  const log = options.logger ?? pino({ level: options.logLevel ?? 'info' });
  const tmpDir = join(options.dataDir, 'tmp');
  await mkdir(options.dataDir, { recursive: true });
  // Uploads cut off by a crash are never resumed; start with an empty tmp folder.
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir);

  const store = Store.open(join(options.dataDir, 'cloud.db'));
  if (store.report.recoveredStaleLock) log.warn(`store: removed a stale lock left by a crash`);
  try {
    return await start(options, store, log, tmpDir);
  } catch (error) {
    store.close();
    throw error;
  }
}

async function start(
  options: CloudOptions,
  store: Store,
  log: Logger,
  tmpDir: string,
): Promise<Cloud> {
  const keys = loadKeys(options.dataDir);
  let url = '';
  const blob = await openBlobStore(options, keys.blobSecret, () => options.publicUrl ?? url, log);
  const repos = reposFor(store);
  const settings = settingsOf(options, tmpDir);
  const services = createServices({ repos, blob, keys, log, settings });

  try {
    const createdAdminToken = services.auth.ensureAdmin(options.adminToken);
    const server = await buildServer(services, blob, log);
    url = await listen(server, options);
    services.assignments.startSweeper();
    log.info(`cloud: listening on ${url} (${blob.kind} blobs, data in ${options.dataDir})`);
    return { url, createdAdminToken, server, close: () => stop(services, server, blob, store) };
  } catch (error) {
    await blob.close();
    throw error;
  }
}

async function stop(
  services: CloudServices,
  server: FastifyInstance,
  blob: BlobStore,
  store: Store,
): Promise<void> {
  services.assignments.stopSweeper();
  await server.close();
  await blob.close();
  store.close();
  services.context.log.info('cloud: stopped');
}

function settingsOf(options: CloudOptions, tmpDir: string): CloudSettings {
  return {
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? 30 * 60 * 1000,
    heartbeatIntervalS: options.heartbeatIntervalS ?? 60,
    maxUploadBytes: options.maxUploadBytes ?? 16 * 1024 * 1024,
    urlTtlS: options.urlTtlS ?? 3600,
    tmpDir,
  };
}

function openBlobStore(
  options: CloudOptions,
  secret: string,
  baseUrl: () => string,
  logger: Logger,
): Promise<BlobStore> {
  const blob = options.blob ?? { kind: 'local' };
  if (blob.kind === 's3') return createBlobStore({ ...blob, logger });
  return createBlobStore({
    kind: 'local',
    dir: join(options.dataDir, 'blobs'),
    secret,
    baseUrl,
    logger,
  });
}

async function listen(server: FastifyInstance, options: CloudOptions): Promise<string> {
  const host = options.host ?? '127.0.0.1';
  await server.listen({ host, port: options.port ?? 0 });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return `http://${shownHost}:${port}`;
}
