// A virtual device that behaves like one in the field, in its own process: its own signed
// HTTP heartbeats to the cloud it was provisioned with (agent/ota, paused while a station
// link is attached) AND a Bluetooth link on a virtual radio it hosts (agent/ble), which
// attaches when a station connects and detaches when it disconnects.
//   tsx tests/station/support/ota-device-cli.ts --dir D --serial S --interval-ms 2000
//     [--link-heartbeat-ms 200]
// Prints `{"radio":"127.0.0.1:N","address":"c3:..."}` once on the air; exits on SIGTERM.
import { parseArgs } from 'node:util';

import { advertiseDevice, bleAddressFor } from '../../../agent/ble/device-radio';
import { RadioHost } from '../../../agent/ble/radio-host';
import { VirtualDevice } from '../../../agent/device/device';
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

  const host = await RadioHost.listen({ listen: '127.0.0.1:0' });
  const radio = advertiseDevice(host, device, {
    serve: (d, channel) => serveLink(d, channel, { heartbeatIntervalMs: linkHeartbeatMs }),
    rssi: -50,
  });

  const shutdown = async () => {
    radio.close();
    await ota.stop();
    destroyHttpAgents(agents);
    await device.close();
    await host.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  const address = bleAddressFor(serial);
  process.stdout.write(`${JSON.stringify({ radio: host.address, address })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
