import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

import { CloudError } from '../errors';

/**
 * node-sqlite3-wasm locks a database by creating the directory `<db>.lock` and removes it on
 * close. A process killed while holding it leaves the directory behind, and every later open
 * fails with "database is locked". To tell a crash from a live owner, the owner writes its
 * pid to `<db>.owner` once it holds the lock; at open a lock whose owner is gone is removed.
 */

/** A lock directory without an owner file younger than this may be an open in progress. */
const ORPHAN_GRACE_MS = 10_000;

/** Paths of the lock directory and its owner file for the database at `dbPath`. */
export function lockPaths(dbPath: string): { lockDir: string; ownerFile: string } {
  return { lockDir: `${dbPath}.lock`, ownerFile: `${dbPath}.owner` };
}

/** Removes a stale lock; throws STORE_LOCKED when a live process owns the database. */
export function clearStaleLock(dbPath: string): 'none' | 'recovered' {
  const { lockDir, ownerFile } = lockPaths(dbPath);
  if (!existsSync(lockDir)) return 'none';

  const owner = readOwner(ownerFile);
  if (owner === null) {
    // Shortcoming: a lock with no owner file is only judged by its age — better: an OS
    // advisory lock (flock) that the kernel releases with the process.
    if (Date.now() - statSync(lockDir).mtimeMs < ORPHAN_GRACE_MS) throw lockedBy(dbPath, null);
  } else if (isAlive(owner)) {
    throw lockedBy(dbPath, owner);
  }

  rmSync(lockDir, { recursive: true, force: true });
  return 'recovered';
}

/** Records this process as the owner; call only while holding the lock. */
export function claimOwnership(dbPath: string): void {
  writeFileSync(lockPaths(dbPath).ownerFile, String(process.pid));
}

/** Forgets the owner after a clean close. */
export function releaseOwnership(dbPath: string): void {
  rmSync(lockPaths(dbPath).ownerFile, { force: true });
}

/** The STORE_LOCKED error for a database another process (or this one) has open. */
export function lockedBy(dbPath: string, pid: number | null): CloudError {
  const who = pid === null ? 'another process' : `process ${pid}`;
  return new CloudError(
    409,
    'STORE_LOCKED',
    `${dbPath} is open in ${who}; one cloud owns a store at a time — stop it or use ` +
      'another data dir',
  );
}

function readOwner(ownerFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(ownerFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
