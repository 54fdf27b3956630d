import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import type { DeviceModel } from '../../../protocol/models';
import { waitFor } from './fixtures';
import { stopChild } from './socat';

/** One line the device process printed. */
export interface DeviceEvent {
  event: string;
  model: DeviceModel;
  serial: string;
  firmwareVersion: string;
  recording: boolean;
  battery: number;
  deviceId: string | null;
  online: boolean;
  attached: boolean;
}

/** A virtual device running `agent/serial-cli.ts` in its own process. */
export interface DeviceProcess {
  /** Every event line so far, oldest first. */
  events: DeviceEvent[];
  /** The most recent event. */
  latest(): DeviceEvent;
  /** Writes one command line to its stdin. */
  command(line: string): void;
  /** Waits until an event satisfies `check`. */
  waitFor(check: (event: DeviceEvent) => boolean, what: string): Promise<DeviceEvent>;
  /** Writes a command and waits for the first event after it that satisfies `check`. */
  commandAndWait(
    line: string,
    check: (event: DeviceEvent) => boolean,
    what: string,
  ): Promise<DeviceEvent>;
  /** Stops it (SIGTERM, or SIGKILL to simulate a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a device process serving `port`, and waits for its `ready` line. */
export async function startDeviceProcess(options: {
  dir: string;
  port: string;
  serial?: string;
  model?: DeviceModel;
  rebootMs?: number;
  heartbeatMs?: number;
  idleMs?: number;
}): Promise<DeviceProcess> {
  const args = [
    'agent/serial-cli.ts',
    ...['--dir', options.dir, '--port', options.port],
    ...['--serial', options.serial ?? 'PIN-00001', '--model', options.model ?? 'bota-pin'],
    ...['--reboot-ms', String(options.rebootMs ?? 100)],
    ...['--heartbeat-ms', String(options.heartbeatMs ?? 60_000)],
    ...['--idle-ms', String(options.idleMs ?? 1500)],
  ];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: DeviceEvent[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as DeviceEvent);
  });

  const process_ = wrap(child, events);
  await waitFor(
    () => events.some((event) => event.event === 'ready') || child.exitCode !== null,
    'the device process to start',
    60_000,
  );
  if (child.exitCode !== null) throw new Error(`device process failed: ${stderr}`);
  return process_;
}

function wrap(child: ChildProcess, events: DeviceEvent[]): DeviceProcess {
  return {
    events,
    latest: () => events.at(-1) as DeviceEvent,
    command: (line) => void child.stdin?.write(`${line}\n`),
    waitFor: (check, what) => waitFor(() => [...events].reverse().find(check), what),
    commandAndWait: (line, check, what) => {
      const from = events.length;
      child.stdin?.write(`${line}\n`);
      return waitFor(() => events.slice(from).find(check), what);
    },
    stop: (signal) => stopChild(child, signal),
  };
}
