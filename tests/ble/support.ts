import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import type { Advertisement, Bluetooth } from '../../main/link/ble/index';

const CLI = join(import.meta.dirname, '..', '..', 'agent', 'ble-cli.ts');

/** A radio with devices in another process (agent/ble-cli.ts). */
export interface RadioProcess {
  /** The radio's address, for openBluetooth({ virtualRadio }). */
  radio: string;
  /** The devices it runs. */
  devices: Array<{ serial: string; address: string }>;
  /** The child process. */
  child: ChildProcessWithoutNullStreams;
  /** Sends a command line (agent/ble/commands.ts) and waits for its reply. */
  command(command: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Stops the process and removes its state folder. */
  close(): Promise<void>;
}

/** Starts agent/ble-cli.ts with `args` and waits for its radio address. */
export async function startRadioProcess(args: string[]): Promise<RadioProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'ble-test-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--dir', dir, '--log-level', 'warn', ...args],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const lines = createInterface({ input: child.stdout });
  const replies: Array<(line: string) => void> = [];
  let stderr = '';
  child.stderr.on('data', (piece: Buffer) => (stderr += piece.toString()));
  child.stdin.on('error', () => undefined); // a killed child closes its stdin under us

  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`ble-cli exited ${code}: ${stderr}`)));
  });
  lines.on('line', (line) => replies.shift()?.(line));
  const { radio, devices } = JSON.parse(first) as Pick<RadioProcess, 'radio' | 'devices'>;

  return {
    radio,
    devices,
    child,
    command: (command) =>
      new Promise((resolve) => {
        replies.push((line) => resolve(JSON.parse(line) as Record<string, unknown>));
        child.stdin.write(`${JSON.stringify(command)}\n`);
      }),
    close: async () => {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Polls `condition` until it holds; fails after `timeoutMs` with `what`. */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Scans until an advertisement from `serial` arrives, and returns it. */
export async function heard(bluetooth: Bluetooth, serial: string): Promise<Advertisement> {
  let found: Advertisement | null = null;
  const stop = bluetooth.onAdvertisement((ad) => {
    if (ad.serial === serial) found = ad;
  });
  await bluetooth.startScanning();
  try {
    await waitFor(() => found !== null, `an advertisement from ${serial}`);
  } finally {
    stop();
  }
  return found!;
}

/** Bytes 0..n with a recognisable pattern; `first` sets the first byte. */
export function pattern(length: number, first: number, seed = 1): Uint8Array {
  const out = Uint8Array.from({ length }, (_, i) => (i * 13 + seed) & 0xff);
  if (length > 0) out[0] = first;
  return out;
}
