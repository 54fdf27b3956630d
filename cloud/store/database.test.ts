import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { uuidv7 } from '../ids';
import { Store } from './database';
import { LATEST_SCHEMA_VERSION } from './migrations';
import { reposFor } from './repos';

describe('Store', () => {
  let dir: string;
  let dbPath: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bota-store-'));
    dbPath = join(dir, 'cloud.db');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('migrates once and records the schema version', () => {
    const first = Store.open(dbPath);
    expect(first.report.migrationsApplied).toBe(LATEST_SCHEMA_VERSION);
    expect(first.get('SELECT COUNT(*) AS n FROM device_models')?.n).toBe(3);
    first.close();

    const again = Store.open(dbPath);
    expect(again.report.migrationsApplied).toBe(0);
    expect(again.get('SELECT MAX(version) AS v FROM schema_migrations')?.v).toBe(
      LATEST_SCHEMA_VERSION,
    );
    again.close();
  });

  it('uses exclusive locking with WAL and refuses a second open', () => {
    const store = Store.open(dbPath);
    try {
      expect(store.get('PRAGMA journal_mode')?.journal_mode).toBe('wal');
      expect(() => Store.open(dbPath)).toThrow(expect.objectContaining({ code: 'STORE_LOCKED' }));
    } finally {
      store.close();
    }
    Store.open(dbPath).close();
  });

  it('removes a lock whose owner is gone, but not a fresh lock without an owner', () => {
    Store.open(dbPath).close();
    mkdirSync(`${dbPath}.lock`);
    expect(() => Store.open(dbPath)).toThrow(expect.objectContaining({ code: 'STORE_LOCKED' }));

    const old = new Date(Date.now() - 60_000);
    utimesSync(`${dbPath}.lock`, old, old);
    const recovered = Store.open(dbPath);
    expect(recovered.report.recoveredStaleLock).toBe(true);
    recovered.close();

    mkdirSync(`${dbPath}.lock`);
    writeFileSync(`${dbPath}.owner`, '2147483646');
    const dead = Store.open(dbPath);
    expect(dead.report.recoveredStaleLock).toBe(true);
    dead.close();
  });

  it('rolls back a transaction that throws: nothing of it is kept', () => {
    const store = Store.open(dbPath);
    const repos = reposFor(store);
    expect(() =>
      store.transaction(() => {
        repos.audit.add('test', 'thing.do', 'x');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(repos.audit.latest(10)).toEqual([]);
    store.close();
  });

  it('enforces one active assignment per device in the database itself', () => {
    const store = Store.open(dbPath);
    const repos = reposFor(store);
    const deviceId = uuidv7();
    const releaseId = uuidv7();
    repos.devices.insert({
      id: deviceId,
      serial: 'PIN-1',
      model: 'bota-pin',
      secretBox: 's',
      firmwareVersion: null,
    });
    repos.releases.insert({ id: releaseId, version: 'v1.0.1', model: 'bota-pin', notes: '' });

    const first = uuidv7();
    repos.assignments.insert({ id: first, deviceId, releaseId, actor: 't' });
    expect(() =>
      repos.assignments.insert({ id: uuidv7(), deviceId, releaseId, actor: 't' }),
    ).toThrow(/UNIQUE/);

    expect(
      repos.assignments.transition(first, ['pending'], {
        status: 'failed',
        reason: 'r',
        actor: 't',
      }),
    ).toBe(true);
    expect(
      repos.assignments.transition(first, ['pending'], {
        status: 'applied',
        reason: null,
        actor: 't',
      }),
    ).toBe(false);
    repos.assignments.insert({ id: uuidv7(), deviceId, releaseId, actor: 't' });
    expect(repos.assignments.byId(first)?.history?.map((event) => event.status)).toEqual([
      'pending',
      'failed',
    ]);
    store.close();
  });

  it('keeps at most 100 heartbeats per device', () => {
    const store = Store.open(dbPath);
    const repos = reposFor(store);
    const id = uuidv7();
    repos.devices.insert({
      id,
      serial: 'PIN-2',
      model: 'bota-pin',
      secretBox: 's',
      firmwareVersion: null,
    });
    for (let i = 0; i < 130; i += 1) {
      const state = {
        id: uuidv7(),
        firmwareVersion: 'v1.0.0-001',
        battery: i % 101,
        recording: false,
        relayed: false,
        timestampMs: i + 1,
      };
      repos.devices.recordHeartbeat(id, state, new Date().toISOString());
    }
    expect(store.get('SELECT COUNT(*) AS n FROM heartbeats')?.n).toBe(100);
    expect(repos.devices.heartbeats(id, 1)[0]?.battery).toBe(129 % 101);
    store.close();
  });
});
