import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createCloud } from '../../cloud';
import { CloudClient } from '../../cloud/client';
import { deviceHeartbeat, postHeartbeat, startTestCloud } from '../support/cloud';

const BODY = {
  firmware_version: 'v1.0.0-001',
  model: 'bota-pin' as const,
  recording: false,
  battery: 60,
};

describe('cloud lifecycle', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps releases, devices and secrets across a restart on the same data dir', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bota-life-'));
    const first = await startTestCloud({ dataDir: dir, adminToken: 'restart-admin' });
    const release = await first.makeRelease('bota-pin', 'v1.0.1');
    const { device, secret } = await first.provision('bota-pin');
    expect((await postHeartbeat(first.url, deviceHeartbeat(device.id, secret, BODY))).status).toBe(
      200,
    );
    await first.cloud.close();

    const second = await createCloud({
      dataDir: dir,
      adminToken: 'restart-admin',
      logLevel: 'silent',
    });
    try {
      const client = new CloudClient({ baseUrl: second.url, token: 'restart-admin' });
      expect((await client.getRelease(release.id)).status).toBe('released');
      const again = await postHeartbeat(second.url, deviceHeartbeat(device.id, secret, BODY));
      expect(again.status).toBe(200);
      expect(await client.deviceHeartbeats(device.id)).toHaveLength(2);
    } finally {
      await second.close();
    }
  });

  it('refuses a second cloud on a data dir in use, and frees it when start-up fails', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bota-life-'));
    const running = await createCloud({ dataDir: dir, adminToken: 'a', logLevel: 'silent' });
    await expect(createCloud({ dataDir: dir, logLevel: 'silent' })).rejects.toMatchObject({
      code: 'STORE_LOCKED',
    });
    expect((await new CloudClient({ baseUrl: running.url }).health()).ok).toBe(true);
    await running.close();

    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    await expect(createCloud({ dataDir: dir, port, logLevel: 'silent' })).rejects.toThrow();
    await new Promise((resolve) => taken.close(resolve));

    const retry = await createCloud({ dataDir: dir, adminToken: 'a', logLevel: 'silent' });
    await retry.close();
  });

  it('makes a first admin token when none exists and none is given', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bota-life-'));
    const cloud = await createCloud({ dataDir: dir, logLevel: 'silent' });
    try {
      expect(cloud.createdAdminToken).toMatch(/^bota_/);
      const client = new CloudClient({ baseUrl: cloud.url, token: cloud.createdAdminToken ?? '' });
      expect((await client.listTokens()).map((token) => token.role)).toEqual(['admin']);
    } finally {
      await cloud.close();
    }
    const reopened = await createCloud({ dataDir: dir, logLevel: 'silent' });
    expect(reopened.createdAdminToken).toBeNull();
    await reopened.close();
  });
});
