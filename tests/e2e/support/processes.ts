import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository root (Playwright runs from it). */
export const ROOT = resolve('.');

/** Polls `condition` until it holds, failing after `timeoutMs` with what was awaited. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** A child process and the text it has written so far. */
export interface Child {
  /** The process. */
  process: ChildProcess;
  /** stdout so far. */
  stdout(): string;
  /** stderr so far. */
  stderr(): string;
  /** Writes one command line to its stdin. */
  send(line: string): void;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it exited. */
  stop(): Promise<void>;
}

/** Spawns a command from the repo root, collecting its output. */
export function startChild(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(command, args, {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    send: (line) => child.stdin.write(`${line}\n`),
    stop: () => stopChild(child),
  };
}

/** Runs a TypeScript entry point under tsx. */
export function startTsx(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  return startChild(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], env);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A socat pty pair with stable symlinks `<dir>/<station>` and `<dir>/<device>`. */
export async function startPtyPair(dir: string, name: string) {
  const station = join(dir, `station-${name}`);
  const device = join(dir, `device-${name}`);
  const socat = startChild('/usr/bin/socat', [
    '-d',
    '-d',
    `pty,raw,echo=0,link=${station}`,
    `pty,raw,echo=0,link=${device}`,
  ]);
  await waitFor(
    () =>
      socat.stderr().includes('starting data transfer loop') &&
      existsSync(station) &&
      existsSync(device),
    `socat to link ${station}`,
  );
  return { station, device, socat };
}

/** The first JSON line a child prints that has `field`. */
export async function firstJsonWith(child: Child, field: string): Promise<Record<string, unknown>> {
  const lines = createInterface({ input: child.process.stdout! });
  for await (const line of lines) {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (field in parsed) return parsed;
    } catch {
      // Not JSON: keep reading.
    }
  }
  throw new Error(`process exited before printing ${field}: ${child.stderr()}`);
}
