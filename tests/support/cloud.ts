import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Cloud, type CloudOptions, createCloud } from '../../cloud';
import { CloudClient } from '../../cloud/client';
import type { Device, Release } from '../../protocol/cloud-api';
import {
  HEARTBEAT_PATH,
  type HeartbeatBody,
  heartbeatHeaders,
  type SignedHeartbeat,
  signHeartbeat,
} from '../../protocol/heartbeat';
import { buildImage } from '../../protocol/image';
import { type DeviceModel, modelInfo } from '../../protocol/models';
import { encodeUfw } from '../../protocol/ufw';

/** The two files of a release, built the way Bota builds them. */
export interface ReleaseFiles {
  /** The raw image, for HTTP OTA. */
  bin: Buffer;
  /** The same image in a `.ufw` container, for link OTA. */
  ufw: Buffer;
  /** The build version inside (`v1.0.1-001`). */
  buildVersion: string;
}

/** Options for a test release. */
export interface MakeReleaseOptions {
  /** Image bytes; default 64 KiB. */
  size?: number;
  /** Build number inside the files; default 1. */
  build?: number;
  /** Release notes. */
  notes?: string;
}

/** A running cloud for a test, with an admin client and helpers. */
export interface TestCloud {
  /** The cloud itself. */
  cloud: Cloud;
  /** Its base URL. */
  url: string;
  /** An admin bearer token. */
  adminToken: string;
  /** A client holding the admin token. */
  client: CloudClient;
  /** The cloud's data folder (removed by close). */
  dataDir: string;
  /** Creates, uploads (.bin + .ufw) and publishes a release. */
  makeRelease(model: DeviceModel, version: string, options?: MakeReleaseOptions): Promise<Release>;
  /** Provisions a device; serial defaults to a fresh one with the model's prefix. */
  provision(model: DeviceModel, serial?: string): Promise<{ device: Device; secret: string }>;
  /** Stops the cloud and removes its data folder. */
  close(): Promise<void>;
}

/** Builds a release's `.bin` and `.ufw` for `model` at `version` (`v1.0.1`). */
export function buildReleaseFiles(
  model: DeviceModel,
  version: string,
  options: { size?: number; build?: number } = {},
): ReleaseFiles {
  const buildVersion = `${version}-${String(options.build ?? 1).padStart(3, '0')}`;
  const bin = buildImage({ model, version: buildVersion }, options.size ?? 64 * 1024);
  return { bin, ufw: encodeUfw({ model, version: buildVersion }, bin), buildVersion };
}

/** Starts a cloud on 127.0.0.1 port 0 in a fresh temp folder; logs silent by default. */
export async function startTestCloud(overrides: Partial<CloudOptions> = {}): Promise<TestCloud> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'bota-cloud-')));
  const adminToken = overrides.adminToken ?? `test-admin-${randomBytes(16).toString('hex')}`;
  const cloud = await createCloud({
    logLevel: process.env.BOTA_TEST_LOG ?? 'silent',
    ...overrides,
    dataDir,
    adminToken,
  });
  const client = new CloudClient({ baseUrl: cloud.url, token: adminToken });

  return {
    cloud,
    url: cloud.url,
    adminToken,
    client,
    dataDir,
    makeRelease: (model, version, options) => makeRelease(client, model, version, options),
    provision: (model, serial) =>
      client.provisionDevice({ serial: serial ?? freshSerial(model), model }),
    close: async () => {
      await cloud.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function makeRelease(
  client: CloudClient,
  model: DeviceModel,
  version: string,
  options: MakeReleaseOptions = {},
): Promise<Release> {
  const files = buildReleaseFiles(model, version, options);
  const release = await client.createRelease({ version, model, notes: options.notes });
  await client.uploadReleaseFile(release.id, 'bin', files.bin);
  await client.uploadReleaseFile(release.id, 'ufw', files.ufw);
  return client.publishRelease(release.id);
}

let serialCounter = 0;

/** A serial no other test device has, e.g. `PIN-T1a2b3c-00001`. */
export function freshSerial(model: DeviceModel): string {
  serialCounter += 1;
  const run = randomBytes(3).toString('hex');
  return `${modelInfo(model).serialPrefix}-T${run}-${String(serialCounter).padStart(5, '0')}`;
}

let lastTimestamp = 0;

/** Signs a heartbeat as a device would; timestamps strictly increase across calls. */
export function deviceHeartbeat(
  deviceId: string,
  secret: string,
  body: HeartbeatBody,
  timestamp?: number,
): SignedHeartbeat {
  lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
  return signHeartbeat(deviceId, secret, JSON.stringify(body), timestamp ?? lastTimestamp);
}

/** POSTs a signed heartbeat straight to the cloud, as a device does. */
export async function postHeartbeat(
  url: string,
  heartbeat: SignedHeartbeat,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}${HEARTBEAT_PATH}`, {
    method: 'POST',
    headers: heartbeatHeaders(heartbeat),
    body: heartbeat.body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
