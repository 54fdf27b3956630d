import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DEFAULT_PORT, loadConfig, saveSettings, stationFilePath } from './config';

describe('station config', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bota-config-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts embedded with a generated admin token it keeps across restarts', async () => {
    const first = await loadConfig(['--data-dir', dataDir], {});
    const second = await loadConfig(['--data-dir', dataDir], {});

    expect(first.settings).toEqual({ cloud: { mode: 'embedded' }, blob: { kind: 'local' } });
    expect(first.adminToken).toMatch(/^bota_admin_[0-9a-f]{48}$/);
    expect(second.adminToken).toBe(first.adminToken);
    expect(first.port).toBe(DEFAULT_PORT);
  });

  it('takes the data dir, serial patterns and port from the environment', async () => {
    const config = await loadConfig([], {
      BOTA_DATA_DIR: dataDir,
      BOTA_SERIAL_PATTERNS: '/tmp/a*, /tmp/b',
      BOTA_PORT: '0',
    });

    expect(config.dataDir).toBe(dataDir);
    expect(config.serialPatterns).toEqual(['/tmp/a*', '/tmp/b']);
    expect(config.port).toBe(0);
  });

  it('uses saved settings at the next start', async () => {
    await loadConfig(['--data-dir', dataDir], {});
    await saveSettings(dataDir, {
      cloud: { mode: 'remote', url: 'https://cloud.example.com', token: 'tok_12345678' },
      blob: { kind: 'local' },
    });

    const config = await loadConfig(['--data-dir', dataDir], {});
    expect(config.settings.cloud).toEqual({
      mode: 'remote',
      url: 'https://cloud.example.com',
      token: 'tok_12345678',
    });
  });

  it('refuses a port that is not one, saying which', async () => {
    await expect(loadConfig(['--data-dir', dataDir, '--port', 'eighty'], {})).rejects.toThrow(
      'port "eighty" is not a TCP port',
    );
  });

  it('says which file is broken when station.json is not JSON', async () => {
    await writeFile(stationFilePath(dataDir), '{ nope');
    await expect(loadConfig(['--data-dir', dataDir], {})).rejects.toThrow('station.json');
    expect(await readFile(stationFilePath(dataDir), 'utf8')).toBe('{ nope');
  });
});
