// One virtual device serving one serial port, for tests and demos:
//   tsx agent/serial-cli.ts --dir D --model bota-pin --serial PIN-00001 --port /dev/pts/N
// stdout carries one JSON line per event (`ready`, `change`, `identity`); stdin takes one
// command per line: `recording on|off`, `battery <0-100>`, `reboot`, `corrupt-next-write`,
// `identity`, `exit`. Logs go to stderr.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { isDeviceModel } from '../protocol/models';
import { VirtualDevice } from './device/device';
import type { SlotWriteHook } from './device/hooks';
import { serveSerial } from './link/serial';
import { stderrLogger } from './log';

const USAGE =
  'usage: tsx agent/serial-cli.ts --dir DIR --model MODEL --serial SERIAL --port PATH ' +
  '[--firmware v1.0.0-001] [--battery 100] [--reboot-ms 2000] [--heartbeat-ms 60000] ' +
  '[--idle-ms 15000] ' +
  '[--log-level info]';

function readOptions() {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      model: { type: 'string' },
      serial: { type: 'string' },
      port: { type: 'string' },
      firmware: { type: 'string' },
      battery: { type: 'string' },
      'reboot-ms': { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      'idle-ms': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
    },
  });
  const { dir, model, serial, port } = values;
  if (!dir || !serial || !port || !isDeviceModel(model)) {
    console.error(USAGE);
    process.exit(2);
  }
  return { ...values, dir, model, serial, port };
}

/** A fault seam the test arms from stdin: the next slot write gets one byte flipped. */
function corruptionHook(): { hook: SlotWriteHook; arm: () => void } {
  let armed = false;
  return {
    arm: () => (armed = true),
    hook: ({ chunk }) => {
      if (!armed || chunk.length === 0) return undefined;
      armed = false;
      const damaged = Uint8Array.from(chunk);
      damaged[0] = (damaged[0] ?? 0) ^ 0xff;
      return damaged;
    },
  };
}

function numberOrUndefined(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

function print(event: string, device: VirtualDevice): void {
  const line = {
    event,
    ...device.identity(),
    online: device.online,
    attached: device.linkAttached,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const options = readOptions();
  const logger = stderrLogger(options['log-level']);
  const corruption = corruptionHook();
  const device = await VirtualDevice.open({
    dir: options.dir,
    model: options.model,
    serial: options.serial,
    firmwareVersion: options.firmware,
    battery: numberOrUndefined(options.battery),
    rebootMs: numberOrUndefined(options['reboot-ms']),
    hooks: { beforeSlotWrite: corruption.hook },
    logger,
  });
  const link = await serveSerial(device, options.port, {
    logger,
    heartbeatIntervalMs: numberOrUndefined(options['heartbeat-ms']),
    idleTimeoutMs: numberOrUndefined(options['idle-ms']),
  });

  const shutdown = async (): Promise<void> => {
    await link.close();
    await device.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  device.on('change', () => print('change', device));
  createInterface({ input: process.stdin }).on('line', (line) => {
    void command(line.trim(), device, corruption.arm, shutdown);
  });
  print('ready', device);
}

async function command(
  line: string,
  device: VirtualDevice,
  armCorruption: () => void,
  shutdown: () => Promise<void>,
): Promise<void> {
  const [verb, argument] = line.split(/\s+/);
  if (verb === 'recording') device.setRecording(argument === 'on');
  else if (verb === 'battery') device.setBattery(Number(argument));
  else if (verb === 'reboot') await device.reboot();
  else if (verb === 'corrupt-next-write') armCorruption();
  else if (verb === 'exit') await shutdown();
  else if (verb !== 'identity') return void console.error(`unknown command: ${line}`);
  print('identity', device);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
