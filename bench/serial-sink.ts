// The far end of the serial bench's raw-capacity rounds, in its own process like the device:
//   node --import tsx bench/serial-sink.ts PATH BYTES PUSHES
// Opens PATH as the device does (openSerialPort), discards whatever was already queued,
// prints `ready`, then reads and drops bytes, printing `received <n>` each time n × BYTES
// bytes have arrived, and exits after PUSHES of them.
import { openSerialPort } from '../protocol/link/serial-port';

async function main(): Promise<void> {
  const [path, bytesText, pushesText] = process.argv.slice(2);
  const expected = Number(bytesText);
  const pushes = Number(pushesText ?? 1);
  if (!path || !Number.isInteger(expected) || expected < 1 || !(pushes >= 1)) {
    console.error('usage: node --import tsx bench/serial-sink.ts PATH BYTES PUSHES');
    process.exit(2);
  }
  const port = await openSerialPort(path);
  await new Promise<void>((resolve) => port.flush(() => resolve()));

  let received = 0;
  let reported = 0;
  port.on('data', (chunk: Buffer) => {
    received += chunk.length;
    while (received >= (reported + 1) * expected && reported < pushes) {
      reported += 1;
      process.stdout.write(`received ${reported}\n`);
    }
    if (reported === pushes) port.close(() => process.exit(0));
  });
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
