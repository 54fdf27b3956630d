import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { waitFor } from './fixtures';

/** A socat pty pair: two linked pseudo-terminals, real serial ports to serialport. */
export interface PtyPair {
  /** The first end's stable path (a symlink socat makes). */
  a: string;
  /** The second end's stable path. */
  b: string;
  /** Kills socat (both ends close) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `socat pty pty` with links `<dir>/<a>` and `<dir>/<b>`. */
export async function startPtyPair(dir: string, a = 'station', b = 'device'): Promise<PtyPair> {
  const paths = { a: join(dir, a), b: join(dir, b) };
  const child = spawn('/usr/bin/socat', [
    '-d',
    '-d',
    `pty,raw,echo=0,link=${paths.a}`,
    `pty,raw,echo=0,link=${paths.b}`,
  ]);
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));

  await waitFor(
    () => log.includes('starting data transfer loop') && existsSync(paths.a) && existsSync(paths.b),
    `socat to link ${paths.a} and ${paths.b}`,
  );
  return { ...paths, stop: (signal) => stopChild(child, signal) };
}

/** Sends `signal` (default SIGTERM) and waits for the child to be gone. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
