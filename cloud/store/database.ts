import { createRequire } from 'node:module';

import type * as Sqlite from 'node-sqlite3-wasm';
import type { BindValues, Database as SqliteDatabase, Statement } from 'node-sqlite3-wasm';

import { migrate } from './migrations';
import { claimOwnership, clearStaleLock, lockedBy, releaseOwnership } from './owner-lock';

const require = createRequire(import.meta.url);
const sqlite = require('node-sqlite3-wasm') as typeof Sqlite;

/** One row as SQLite returns it. */
export type Row = Record<string, number | bigint | string | Uint8Array | null>;

/** What happened while opening the store, for the log. */
export interface OpenReport {
  /** True when a lock left by a crashed owner was removed. */
  recoveredStaleLock: boolean;
  /** Migrations applied by this open. */
  migrationsApplied: number;
}

/**
 * The cloud's SQLite file, opened by this process alone: exclusive locking with WAL (no
 * shared memory needed, and commits survive a killed process). All access is synchronous,
 * so a transaction never interleaves with another request's work.
 */
export class Store {
  private readonly statements = new Map<string, Statement>();

  private constructor(
    /** Path of the database file. */
    readonly path: string,
    private readonly db: SqliteDatabase,
    /** What the open did. */
    readonly report: OpenReport,
  ) {}

  /** Opens (creating and migrating as needed) the store at `path`; see owner-lock.ts. */
  static open(path: string): Store {
    const recovered = clearStaleLock(path) === 'recovered';
    const db = new sqlite.Database(path);
    try {
      takeExclusiveLock(db, path);
      claimOwnership(path);
      const migrationsApplied = migrate(db);
      return new Store(path, db, { recoveredStaleLock: recovered, migrationsApplied });
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Runs a statement (cached) and returns how many rows it changed. */
  run(sql: string, values?: BindValues): number {
    return this.use(sql, (statement) => statement.run(values).changes);
  }

  /** The first row, or null. */
  get(sql: string, values?: BindValues): Row | null {
    // Stepped to the end (all, not get): a statement left mid-way keeps its read open and
    // blocks RELEASE of a savepoint, and an UPDATE ... RETURNING would not finish.
    return this.use(sql, (statement) => (statement.all(values)[0] as Row | undefined) ?? null);
  }

  /** Every row. */
  all(sql: string, values?: BindValues): Row[] {
    return this.use(sql, (statement) => statement.all(values) as Row[]);
  }

  /** True while a write transaction is open. */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /** Runs `work` in one write transaction: all of it is committed, or none of it. */
  transaction<T>(work: () => T): T {
    if (this.db.inTransaction) return work();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * Runs `work` inside the open transaction as a savepoint: when it throws, only its own
   * changes are undone and the transaction goes on.
   */
  savepoint<T>(work: () => T): T {
    this.run('SAVEPOINT unit');
    try {
      const result = work();
      this.run('RELEASE unit');
      return result;
    } catch (error) {
      this.run('ROLLBACK TO unit');
      this.run('RELEASE unit');
      throw error;
    }
  }

  /** Closes the database and releases the lock. */
  close(): void {
    if (!this.db.isOpen) return;
    for (const statement of this.statements.values()) statement.finalize();
    this.statements.clear();
    this.db.close();
    releaseOwnership(this.path);
  }

  /**
   * Runs a cached statement. One that failed (a constraint, say) is dropped from the cache:
   * node-sqlite3-wasm refuses to rebind a statement whose last step errored.
   */
  private use<T>(sql: string, work: (statement: Statement) => T): T {
    const statement = this.statement(sql);
    try {
      return work(statement);
    } catch (error) {
      this.statements.delete(sql);
      statement.finalize();
      throw error;
    }
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function takeExclusiveLock(db: SqliteDatabase, path: string): void {
  try {
    db.get('PRAGMA locking_mode=EXCLUSIVE');
    db.get('PRAGMA journal_mode=WAL');
    // NORMAL in WAL mode loses nothing when the process dies; only an OS crash or power loss
    // may drop the last commits, which a station tolerates for speed on every heartbeat.
    db.exec('PRAGMA synchronous=NORMAL');
    // Heartbeats rewrite the same few pages over and over; checkpointing every 10,000 WAL
    // pages (up to ~40 MB of WAL) instead of 1,000 copies each page far less often and
    // takes most fsyncs off the heartbeat path (measured in npm run bench:heartbeat).
    db.exec('PRAGMA wal_autocheckpoint=10000');
    db.exec('PRAGMA foreign_keys=ON');
    // A write transaction is the moment exclusive mode takes (and then keeps) the lock.
    db.exec('BEGIN IMMEDIATE');
    db.exec('COMMIT');
  } catch (error) {
    if (/locked|busy/i.test(String(error))) throw lockedBy(path, null);
    throw error;
  }
}
