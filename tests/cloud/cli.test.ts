import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { afterEach, describe, expect, it } from 'vitest';

import { CloudClient } from '../../cloud/client';

const CLI = join(import.meta.dirname, '..', '..', 'cloud', 'cli.ts');

/** Starts `npm run cloud`'s entry as its own process and waits for its URL and token. */
async function startCli(
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0'], {
    env: { ...process.env, BOTA_CLOUD_DATA_DIR: dataDir, BOTA_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let token = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`cloud exited early (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      token ||= /First admin token .*: (\S+)$/.exec(line)?.[1] ?? '';
      const listening = /cloud: listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (listening) resolve(listening);
    });
  });
  return { child, url, token };
}

describe('npm run cloud', () => {
  let dir: string | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the API, prints a first admin token once, and stops cleanly on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bota-cli-'));
    const started = await startCli(dir);
    child = started.child;
    expect(started.token).toMatch(/^bota_/);

    const client = new CloudClient({ baseUrl: started.url, token: started.token });
    expect(await client.health()).toEqual({ ok: true });
    expect((await client.listTokens())[0]?.role).toBe('admin');

    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dir, 'cloud.db.lock'))).toBe(false);
  });
});
