import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { until } from './wait';

/**
 * Child processes the station's integration tests run: socat pty pairs (real serial ports),
 * devices on them (agent/serial-cli.ts) and devices on the virtual radio (agent/ble-cli.ts).
 * Every process is killed by `stopAll()`, which each test file calls in afterAll/afterEach.
 */

const running = new Set<ChildProcess>();
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

/** Starts a process and tracks it for stopAll; stderr is kept for failure messages. */
export function start(command: string, args: string[]): ChildProcess & { errText: () => string } {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let errText = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errText = (errText + chunk.toString()).slice(-4000);
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return Object.assign(child, { errText: () => errText });
}

/** Kills one process (SIGKILL when `hard`) and waits for it to go. */
export async function stop(child: ChildProcess, hard = false): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill(hard ? 'SIGKILL' : 'SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

/** Kills every process started here. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stop(child)));
}

/** JSON lines a child prints on stdout, as they come. */
export function jsonLines(child: ChildProcess): { lines: unknown[]; next: () => Promise<unknown> } {
  const lines: unknown[] = [];
  const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  reader.on('line', (line) => {
    try {
      lines.push(JSON.parse(line));
    } catch {
      // not a JSON line: ignore
    }
  });
  let seen = 0;
  const next = () => until(() => (lines.length > seen ? lines[seen++] : undefined), 'a JSON line');
  return { lines, next };
}

/** A socat pty pair: `device` for the device process, `station` for the station. */
export interface PtyPair {
  device: string;
  station: string;
  process: ChildProcess;
}

/** Creates a pty pair with stable names under `dir`. */
export async function ptyPair(dir: string, name: string): Promise<PtyPair> {
  const device = join(dir, `${name}-device`);
  const station = join(dir, `${name}-station`);
  const socat = start('socat', [`pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${station}`]);
  await until(() => existsSync(device) && existsSync(station), `socat ptys ${name}`);
  return { device, station, process: socat };
}

/** A virtual device serving a serial port in its own process. */
export interface SerialDevice {
  process: ChildProcess;
  /** Its JSON event lines (ready, change, identity). */
  events: unknown[];
  /** Sends a command line (`recording on`, `battery 10`, `identity`, `exit`). */
  command(line: string): void;
}

/** Runs agent/serial-cli.ts on `port` and waits for it to be ready. */
export async function serialDevice(options: {
  dir: string;
  port: string;
  serial: string;
  model?: string;
  firmware?: string;
  rebootMs?: number;
  heartbeatMs?: number;
}): Promise<SerialDevice> {
  const args = ['agent/serial-cli.ts', '--dir', options.dir, '--port', options.port];
  args.push('--serial', options.serial, '--model', options.model ?? 'bota-pin');
  if (options.firmware) args.push('--firmware', options.firmware);
  args.push('--reboot-ms', String(options.rebootMs ?? 300));
  if (options.heartbeatMs) args.push('--heartbeat-ms', String(options.heartbeatMs));

  const child = start(TSX, args);
  const { lines } = jsonLines(child);
  await until(
    () => lines.some((line) => (line as { event?: string }).event === 'ready'),
    `${options.serial} ready (${child.errText()})`,
  );
  return { process: child, events: lines, command: (line) => child.stdin?.write(`${line}\n`) };
}

/** Devices on a virtual radio in their own process. */
export interface BleDevices {
  process: ChildProcess;
  /** The radio address to hand the station. */
  radio: string;
  /** Serial and Bluetooth address of each device. */
  devices: { serial: string; address: string }[];
  /** Sends one JSON command line. */
  command(command: object): void;
}

/** Runs agent/ble-cli.ts with `count` devices and waits for the radio address. */
export async function bleDevices(options: {
  dir: string;
  count: number;
  model?: string;
  first?: number;
  rebootMs?: number;
}): Promise<BleDevices> {
  const args = ['agent/ble-cli.ts', '--dir', options.dir, '--devices', String(options.count)];
  args.push('--model', options.model ?? 'bota-pin', '--first', String(options.first ?? 1));
  args.push('--reboot-ms', String(options.rebootMs ?? 300), '--log-level', 'warn');

  const child = start(TSX, args);
  const { next } = jsonLines(child);
  const hello = (await next()) as { radio: string; devices: BleDevices['devices'] };
  return {
    process: child,
    radio: hello.radio,
    devices: hello.devices,
    command: (command) => child.stdin?.write(`${JSON.stringify(command)}\n`),
  };
}
