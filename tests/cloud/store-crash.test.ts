import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { afterEach, describe, expect, it } from 'vitest';

import { Store } from '../../cloud/store/database';

const WRITER = join(import.meta.dirname, 'fixtures', 'store-writer.ts');

/** Starts the writer and collects the ids it reports committed. */
function startWriter(dbPath: string): {
  child: ChildProcess;
  committed: string[];
  ready: Promise<void>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dbPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const committed: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') resolve();
      else committed.push(line);
    });
  });
  return { child, committed, ready };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 60_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('store survives kill -9 mid-write', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a live owner, then recovers the stale lock and keeps every commit', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bota-crash-'));
    const dbPath = join(dir, 'cloud.db');
    const writer = startWriter(dbPath);
    await writer.ready;
    await until(() => writer.committed.length >= 300, '300 commits');

    expect(() => Store.open(dbPath)).toThrow(expect.objectContaining({ code: 'STORE_LOCKED' }));

    const exited = new Promise((resolve) => writer.child.once('exit', resolve));
    writer.child.kill('SIGKILL');
    await exited;
    const reported = [...writer.committed];
    expect(existsSync(`${dbPath}.lock`)).toBe(true);

    const store = Store.open(dbPath);
    try {
      expect(store.report.recoveredStaleLock).toBe(true);
      const rows = store.all('SELECT id FROM devices').map((row) => String(row.id));
      const stored = new Set(rows);
      expect(reported.filter((id) => !stored.has(id))).toEqual([]);
      expect(rows.length).toBeGreaterThanOrEqual(reported.length);
      expect(store.get('SELECT COUNT(*) AS n FROM audit_log')?.n).toBe(rows.length);
      expect(store.get('PRAGMA integrity_check')?.integrity_check).toBe('ok');
    } finally {
      store.close();
    }
    expect(existsSync(`${dbPath}.lock`)).toBe(false);
  });
});
