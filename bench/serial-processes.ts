// Child processes the serial bench runs: the socat pty pair, the device process
// (agent/serial-cli.ts) and the raw-capacity sink (bench/serial-sink.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A running child whose stdout lines the bench waits on. */
export interface BenchChild {
  /** Resolves with the first stdout line that starts with `prefix`. */
  line(prefix: string): Promise<string>;
  /** SIGTERM, then waits until it is gone (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/** Starts a TypeScript entry under tsx in its own process. */
export function spawnTs(args: string[]): BenchChild {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    lines.push(text);
    for (const waiter of waiters.filter((w) => text.startsWith(w.prefix))) waiter.resolve(text);
  });

  return {
    line: (prefix) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((text) => text.startsWith(prefix));
        if (seen !== undefined) return resolve(seen);
        waiters.push({ prefix, resolve });
        child.once('exit', (code) =>
          reject(new Error(`${args[0]} exited ${code} before "${prefix}": ${stderr}`)),
        );
      }),
    stop: () => stopChild(child),
  };
}

/** Starts `socat pty pty` linked as `<dir>/station` and `<dir>/device`. */
export async function startSocat(dir: string): Promise<{ a: string; b: string; stop: () => void }> {
  const a = join(dir, 'station');
  const b = join(dir, 'device');
  const child = spawn('/usr/bin/socat', [
    '-d',
    '-d',
    `pty,raw,echo=0,link=${a}`,
    `pty,raw,echo=0,link=${b}`,
  ]);
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const deadline = Date.now() + 10_000;
  while (!log.includes('starting data transfer loop') || !existsSync(a) || !existsSync(b)) {
    if (Date.now() > deadline) throw new Error('socat did not make its pty pair');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { a, b, stop: () => child.kill() };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
