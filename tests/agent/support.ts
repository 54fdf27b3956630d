import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { CloudClient } from '../../cloud/client';
import type { Assignment, AssignmentStatus } from '../../protocol/cloud-api';

/** Polls `check` until it returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}

/** Waits until the assignment reaches one of the final statuses and returns it. */
export function settledAssignment(
  client: CloudClient,
  id: string,
  statuses: AssignmentStatus[] = ['applied', 'failed', 'cancelled'],
): Promise<Assignment> {
  return waitFor(`assignment ${id} to settle`, async () => {
    const assignment = await client.getAssignment(id);
    return statuses.includes(assignment.status) ? assignment : undefined;
  });
}

/** A fresh temp folder and its removal. */
export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A child process running the agent CLI, with its output collected. */
export interface AgentProcess {
  /** The child. */
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code or signal once it ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const REPO = resolve(import.meta.dirname, '../..');

/**
 * Starts the agent CLI in another process (stdout not a TTY: log mode). Node loads tsx as a
 * hook rather than through the tsx wrapper, so signals and exit status are the agent's own.
 */
export function spawnAgent(args: string[]): AgentProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'agent/cli.ts', ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.on('exit', (code, signal) => done({ code, signal }));
  });
  return { child, stderr: () => stderr, exited };
}
