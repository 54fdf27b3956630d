// The far end of the serial bench's raw-capacity rounds, in its own process like the device:
//   node --import tsx bench/serial-sink.ts PATH BYTES
// Opens PATH as the device does (serialport, same buffer, poller fix), discards whatever
// was already queued, prints `ready`, reads and drops bytes until BYTES arrived, then prints
// `done <bytes received>` and exits.
import { SerialPort } from 'serialport';

import { fixSerialPoller } from '../protocol/link/serial-poll-fix';

async function main(): Promise<void> {
  const [path, bytesText] = process.argv.slice(2);
  const expected = Number(bytesText);
  if (!path || !Number.isInteger(expected) || expected < 1) {
    console.error('usage: node --import tsx bench/serial-sink.ts PATH BYTES');
    process.exit(2);
  }
  const port = new SerialPort({
    path,
    baudRate: 921_600,
    autoOpen: false,
    highWaterMark: 256 * 1024,
  });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  fixSerialPoller(port);
  await new Promise<void>((resolve) => port.flush(() => resolve()));

  let received = 0;
  port.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received < expected) return;
    process.stdout.write(`done ${received}\n`);
    port.close(() => process.exit(0));
  });
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
