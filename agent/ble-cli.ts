// Devices on the virtual Bluetooth radio, in their own process, for tests, demos and benches:
//
//   tsx agent/ble-cli.ts --dir D --devices N --model bota-pin [--listen 127.0.0.1:0]
//     [--mtu 247 --phy 2M --interval-ms 7.5 --loss 0] [--reboot-ms 2000] [--first 1]
//     [--heartbeat-ms 60000]
//     [--serve link|echo] [--log-level info]
//
// Prints one JSON line on stdout once the radio is up:
//   {"radio":"127.0.0.1:41234","devices":[{"serial":"PIN-00001","address":"c3:..."}]}
// then answers JSON command lines from stdin (agent/ble/commands.ts), one JSON line each.
// Logs go to stderr. SIGTERM or SIGINT closes the radio and the devices.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { isDeviceModel, modelInfo } from '../protocol/models';
import type { Phy } from '../protocol/radio/link-model';
import { type RadioBenchDevice, runRadioCommand } from './ble/commands';
import { advertiseDevice, bleAddressFor, type ServeLink } from './ble/device-radio';
import { serveEcho } from './ble/echo';
import { RadioHost } from './ble/radio-host';
import { VirtualDevice } from './device/device';
import { serveLink } from './link/serve';
import { type AgentLogger, stderrLogger } from './log';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string' },
    devices: { type: 'string', default: '1' },
    model: { type: 'string', default: 'bota-pin' },
    first: { type: 'string', default: '1' },
    listen: { type: 'string', default: '127.0.0.1:0' },
    mtu: { type: 'string', default: '247' },
    phy: { type: 'string', default: '2M' },
    'interval-ms': { type: 'string', default: '7.5' },
    loss: { type: 'string', default: '0' },
    'reboot-ms': { type: 'string', default: '2000' },
    'heartbeat-ms': { type: 'string', default: '60000' },
    serve: { type: 'string', default: 'link' },
    'log-level': { type: 'string', default: 'info' },
  },
});

function fail(message: string): never {
  process.stderr.write(`ble-cli: ${message}\n`);
  process.exit(2);
}

function serialsToRun(): string[] {
  const model = args.model ?? '';
  if (!isDeviceModel(model)) fail(`--model ${model} is not a Bota model`);
  const count = Number(args.devices);
  const first = Number(args.first);
  if (!(Number.isInteger(count) && count >= 1)) fail('--devices must be a whole number ≥ 1');

  const prefix = modelInfo(model).serialPrefix;
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(first + i).padStart(5, '0')}`);
}

function phyOf(text: string | undefined): Phy {
  if (text === '1M' || text === '2M') return text;
  return fail(`--phy ${text} is not a PHY: use 1M or 2M`);
}

async function openDevices(
  host: RadioHost,
  serials: string[],
  log: AgentLogger,
): Promise<Map<string, RadioBenchDevice>> {
  const dir = args.dir ?? fail('--dir is required: the folder that keeps device state');
  const serve: ServeLink<VirtualDevice> =
    args.serve === 'echo'
      ? serveEcho
      : (device, channel) =>
          serveLink(device, channel, {
            logger: log,
            heartbeatIntervalMs: Number(args['heartbeat-ms']),
          });

  const devices = new Map<string, RadioBenchDevice>();
  for (const [index, serial] of serials.entries()) {
    const device = await VirtualDevice.open({
      dir,
      serial,
      model: args.model as VirtualDevice['model'],
      rebootMs: Number(args['reboot-ms']),
      logger: log,
    });
    const radio = advertiseDevice(host, device, { serve, rssi: -48 - 3 * index, logger: log });
    devices.set(serial, { device, radio });
  }
  return devices;
}

function listen(phy: Phy, log: AgentLogger): Promise<RadioHost> {
  return RadioHost.listen({
    listen: args.listen,
    logger: log,
    link: {
      attMtu: Number(args.mtu),
      phy,
      connectionIntervalMs: Number(args['interval-ms']),
      loss: Number(args.loss),
    },
  }).catch((error: Error) => fail(error.message));
}

async function main(): Promise<void> {
  // Arguments are checked before anything starts, so a bad one leaves nothing behind.
  if (!args.dir) fail('--dir is required: the folder that keeps device state');
  const serials = serialsToRun();
  const phy = phyOf(args.phy);
  const log = stderrLogger(args['log-level']);
  const host = await listen(phy, log);
  const devices = await openDevices(host, serials, log);

  const listed = [...devices.keys()].map((serial) => ({ serial, address: bleAddressFor(serial) }));
  process.stdout.write(`${JSON.stringify({ radio: host.address, devices: listed })}\n`);

  const lines = answerCommands(devices);
  const stop = async (): Promise<void> => {
    lines.close();
    for (const { radio, device } of devices.values()) {
      radio.close();
      await device.close();
    }
    await host.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

function answerCommands(devices: Map<string, RadioBenchDevice>): { close(): void } {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    process.stdout.write(`${JSON.stringify(runRadioCommand(line, devices))}\n`);
  });
  return lines;
}

void main();
