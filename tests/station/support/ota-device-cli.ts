// A virtual device that behaves like one in the field, in its own process: its own signed
// HTTP heartbeats to the cloud it was provisioned with (agent/ota, paused while a station
// link is attached) AND a station link: on a virtual radio it hosts (agent/ble), attached
// while a station is connected, or with --port on a serial port (agent/link/serial.ts),
// attached until the station has been quiet for --idle-ms.
//   tsx tests/station/support/ota-device-cli.ts --dir D --serial S [--port P --idle-ms 1500]
//     [--interval-ms 2000] [--link-heartbeat-ms 200]
// Prints `{"radio":"127.0.0.1:N","address":"c3:..."}` (or `{"port":P}`) once serving; exits
// on SIGTERM.
import { parseArgs } from 'node:util';

import { advertiseDevice, bleAddressFor } from '../../../agent/ble/device-radio';
import { RadioHost } from '../../../agent/ble/radio-host';
import { VirtualDevice } from '../../../agent/device/device';
import { serveSerial } from '../../../agent/link/serial';
import { serveLink } from '../../../agent/link/serve';
import { OtaClient } from '../../../agent/ota/client';
import { createHttpAgents, destroyHttpAgents } from '../../../agent/ota/http';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    serial: { type: 'string' },
    'interval-ms': { type: 'string', default: '2000' },
    'link-heartbeat-ms': { type: 'string', default: '200' },
    'reboot-ms': { type: 'string', default: '300' },
    port: { type: 'string' },
    'idle-ms': { type: 'string', default: '1500' },
  },
});

async function main(): Promise<void> {
  const { dir, serial } = values;
  if (!dir || !serial) throw new Error('--dir and --serial are required');
  const intervalMs = Number(values['interval-ms']);
  const linkHeartbeatMs = Number(values['link-heartbeat-ms']);

  const device = await VirtualDevice.open({
    dir,
    serial,
    model: 'bota-pin',
    rebootMs: Number(values['reboot-ms']),
  });
  const agents = createHttpAgents(4);
  const ota = new OtaClient(device, { agents, intervalMs, jitter: 0 });
  await ota.start();

  const link = values.port
    ? await onSerial(device, values.port, linkHeartbeatMs)
    : await onRadio(device, linkHeartbeatMs);

  const shutdown = async () => {
    await link.close();
    await ota.stop();
    destroyHttpAgents(agents);
    await device.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.stdout.write(`${JSON.stringify(link.hello)}\n`);
}

type Served = { hello: object; close(): Promise<void> };

async function onRadio(device: VirtualDevice, heartbeatIntervalMs: number): Promise<Served> {
  const host = await RadioHost.listen({ listen: '127.0.0.1:0' });
  const radio = advertiseDevice(host, device, {
    serve: (d, channel) => serveLink(d, channel, { heartbeatIntervalMs }),
    rssi: -50,
  });
  return {
    hello: { radio: host.address, address: bleAddressFor(device.serial) },
    close: async () => {
      radio.close();
      await host.close();
    },
  };
}

async function onSerial(
  device: VirtualDevice,
  port: string,
  heartbeatIntervalMs: number,
): Promise<Served> {
  const idleTimeoutMs = Number(values['idle-ms']);
  const link = await serveSerial(device, port, { heartbeatIntervalMs, idleTimeoutMs });
  return { hello: { port }, close: () => link.close() };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
