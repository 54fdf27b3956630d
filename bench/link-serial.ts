// Pushes a 1 MiB .ufw with the station's LinkSession over a socat pty pair to a VirtualDevice
// serving the link protocol (agent/link/serial.ts), and compares the rate with raw bytes
// pushed through the same pty pair in the same run. Both run with the two ends in this one
// process, so the comparison is like for like.
//
//   tsx bench/link-serial.ts     (npm run bench:link runs it beside the Bluetooth bench)
//
// The machine this runs on is shared and its speed swings by 3x from one second to the next,
// so after one warm-up round the two are measured in alternating rounds and each side's best
// round is compared (medians are printed too). The link rate is taken while streaming (first
// chunk to last acknowledgement); begin and verify, which cost the device an fsync and a CRC
// pass over flash, are in the end-to-end rate beside it.
//
// Prints its figures and, last, one JSON line: {"kib_per_s":…,"raw_kib_per_s":…,"ratio":…}.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { SerialPort } from 'serialport';

import { VirtualDevice } from '../agent/device/device';
import { serveSerial } from '../agent/link/serial';
import { openSerialChannel } from '../main/link/serial/channel';
import { LinkSession } from '../main/link/session';
import type { TransferStats } from '../main/link/transfer';
import { buildImage } from '../protocol/image';
import { fixSerialPoller } from '../protocol/link/serial-poll-fix';
import { encodeUfw } from '../protocol/ufw';

const UFW_BYTES = Number(process.env.BENCH_UFW_BYTES ?? 1024 * 1024);
const ROUNDS = 7;

/** What the serial bench measured (best rounds, with the median ratio beside). */
export interface SerialBenchResult {
  /** .ufw bytes per second while streaming (first chunk to last ack), KiB/s. */
  kib_per_s: number;
  /** Raw bytes per second through the same pty pair, KiB/s. */
  raw_kib_per_s: number;
  /** Streaming rate over raw rate. */
  ratio: number;
  /** .ufw bytes per second from begin to the verify reply, KiB/s. */
  end_to_end_kib_per_s: number;
  /** End-to-end rate over raw rate. */
  end_to_end_ratio: number;
  /** Median streaming rate over median raw rate. */
  median_ratio: number;
}

/** Runs raw pushes and link transfers over one socat pair, alternating, and compares. */
export async function measureSerial(): Promise<SerialBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-serial-'));
  const socat = await startSocat(dir);
  try {
    const rounds = await runRounds(dir, socat.a, socat.b);
    const rawKib = Math.max(...rounds.raw);
    const endToEnd = Math.max(...rounds.endToEnd);
    return {
      kib_per_s: Math.max(...rounds.stream),
      raw_kib_per_s: rawKib,
      ratio: Math.max(...rounds.stream) / rawKib,
      end_to_end_kib_per_s: endToEnd,
      end_to_end_ratio: endToEnd / rawKib,
      median_ratio: median(rounds.stream) / median(rounds.raw),
    };
  } finally {
    socat.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Alternates raw pushes and transfers, after one warm-up of each that is not counted. */
async function runRounds(dir: string, a: string, b: string) {
  const rounds = { raw: [] as number[], stream: [] as number[], endToEnd: [] as number[] };
  await rawRate(a, b); // warm-up: JIT and page cache
  await transferOnce(dir, a, b, ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    rounds.raw.push(await rawRate(a, b));
    const stats = await transferOnce(dir, a, b, round);
    rounds.stream.push(kib(UFW_BYTES) / (stats.streamMs / 1000));
    rounds.endToEnd.push(kib(UFW_BYTES) / (stats.elapsedMs / 1000));
    console.log(
      `round ${round + 1}: raw ${rounds.raw.at(-1)?.toFixed(0)} KiB/s, link streaming ` +
        `${rounds.stream.at(-1)?.toFixed(0)} KiB/s, end to end ` +
        `${rounds.endToEnd.at(-1)?.toFixed(0)} KiB/s (${stats.rewinds} rewinds, ` +
        `${stats.chunkBytes}-byte chunks, ${stats.windowBytes / 1024} KiB window)`,
    );
  }
  return rounds;
}

async function transferOnce(
  dir: string,
  a: string,
  b: string,
  round: number,
): Promise<TransferStats> {
  const device = await VirtualDevice.open({ dir, model: 'bota-pin', serial: `PIN-9${round}` });
  const service = await serveSerial(device, b);
  const session = new LinkSession(await openSerialChannel(a));
  try {
    await session.identify();
    const version = `v1.1.${round}-001`;
    const image = buildImage({ model: 'bota-pin', version }, UFW_BYTES - 128);
    await session.transfer(encodeUfw({ model: 'bota-pin', version }, image), () => undefined);
    const stats = session.lastTransferStats();
    if (!stats) throw new Error('the transfer finished without stats');
    return stats;
  } finally {
    await session.close();
    await service.close();
    await device.close();
  }
}

/** Pushes the same byte count as a .ufw from one end to the other, timed at the receiver. */
async function rawRate(a: string, b: string): Promise<number> {
  const sender = await openPort(a);
  const receiver = await openPort(b);
  const block = Buffer.alloc(32 * 1024, 0x5a);
  const started = performance.now();
  const received = new Promise<void>((resolve) => {
    let count = 0;
    receiver.on('data', (chunk: Buffer) => {
      count += chunk.length;
      if (count >= UFW_BYTES) resolve();
    });
  });
  for (let sent = 0; sent < UFW_BYTES; sent += block.length) {
    if (!sender.write(block)) await new Promise((resolve) => sender.once('drain', resolve));
  }
  await received;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([sender, receiver].map((port) => new Promise((r) => port.close(r))));
  return kib(UFW_BYTES) / seconds;
}

async function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({
    path,
    baudRate: 921_600,
    autoOpen: false,
    highWaterMark: 256 * 1024,
  });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  fixSerialPoller(port);
  return port;
}

async function startSocat(dir: string): Promise<{ a: string; b: string; stop: () => void }> {
  const a = join(dir, 'station');
  const b = join(dir, 'device');
  const child = spawn('/usr/bin/socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`]);
  const deadline = Date.now() + 10_000;
  while (!existsSync(a) || !existsSync(b)) {
    if (Date.now() > deadline) throw new Error('socat did not make its pty pair');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 100)); // socat enters its loop
  return { a, b, stop: () => child.kill() };
}

function kib(bytes: number): number {
  return bytes / 1024;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await measureSerial();
  console.log(JSON.stringify(result));
}
