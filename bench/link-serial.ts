// Pushes a 1 MiB .ufw with the station's LinkSession (main/link) over a socat pty pair to a
// virtual device serving the link protocol in ANOTHER process (agent/serial-cli.ts: a
// VirtualDevice behind serveSerial), as a real device is separate hardware, and compares the
// rate with the link's capacity measured on the same pty pair in the same run.
//
//   tsx bench/link-serial.ts     (npm run bench:link runs it beside the Bluetooth bench)
//
// Capacity: this process writes as many raw bytes as the .ufw has into the station end
// (openSerialPort, as the station opens it) while a child process (bench/serial-sink.ts)
// reads the device end (openSerialPort, as the device opens it); timed from the first write
// until the child reports it received every byte (its report comes over a pipe, as the
// link's last ack comes over the pty). The sink first takes one uncounted push, so it is warm
// like the device. Both ends use the link's own port code, so the capacity rises with any
// gain there and the ratio shows only what the link itself costs.
// Link rate: the whole push as the station sees it, begin → last ack → verify reply
// (TransferStats.elapsedMs), so the device's slot open, writes, flushes and verify are in it.
// The streaming part alone (first chunk → last ack) is printed beside it.
//
// After one warm-up of each (not counted), raw and link rounds alternate, each with a fresh
// child process. The machine is shared and its speed swings from one second to the next, so
// each link round is compared with the capacity measured just before it, and the ratio is
// the MEDIAN of those paired ratios; the medians of each side, and their ratio, are printed
// beside it. Each device process first takes 8 uncounted transfers so its JIT is warm, as
// compiled firmware would be (a cold process streams about a third slower).
//
// Prints its figures and, last, one JSON line:
// {"kib_per_s":…,"capacity_kib_per_s":…,"ratio":…,"ratio_of_medians":…,
//  "stream_kib_per_s":…,"stream_ratio":…}.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { SerialPortStream } from '@serialport/stream';

import { LinkSession } from '../main/link/session';
import type { TransferStats } from '../main/link/transfer';
import { buildImage } from '../protocol/image';
import { openSerialChannel } from '../protocol/link/serial-channel';
import { closeSerialPort, openSerialPort } from '../protocol/link/serial-port';
import { encodeUfw } from '../protocol/ufw';
import { spawnTs, startSocat } from './serial-processes';

const UFW_BYTES = Number(process.env.BENCH_UFW_BYTES ?? 1024 * 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const WARM_TRANSFERS = Number(process.env.BENCH_WARM_TRANSFERS ?? 8);

/** What the serial bench measured: medians over the rounds. */
export interface SerialBenchResult {
  /** .ufw bytes per second from begin to the verify reply, KiB/s (median). */
  kib_per_s: number;
  /** Raw bytes per second through the same pty pair into another process, KiB/s (median). */
  capacity_kib_per_s: number;
  /** Median over the rounds of link rate over the capacity measured just before it. */
  ratio: number;
  /** kib_per_s over capacity_kib_per_s, for comparison with `ratio`. */
  ratio_of_medians: number;
  /** .ufw bytes per second from the first chunk to the last ack, KiB/s (median). */
  stream_kib_per_s: number;
  /** As `ratio`, for the streaming part alone. */
  stream_ratio: number;
}

/** Runs raw pushes and link transfers over one socat pair, alternating, and compares. */
export async function measureSerial(): Promise<SerialBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-serial-'));
  const socat = await startSocat(dir);
  try {
    const rounds = await runRounds(dir, socat.a, socat.b);
    const capacity = median(rounds.raw);
    const whole = median(rounds.whole);
    return {
      kib_per_s: whole,
      capacity_kib_per_s: capacity,
      ratio: median(rounds.ratio),
      ratio_of_medians: whole / capacity,
      stream_kib_per_s: median(rounds.stream),
      stream_ratio: median(rounds.streamRatio),
    };
  } finally {
    socat.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Alternates raw pushes and transfers, after one warm-up of each that is not counted. */
async function runRounds(dir: string, a: string, b: string) {
  const rounds = {
    raw: [] as number[],
    whole: [] as number[],
    stream: [] as number[],
    ratio: [] as number[],
    streamRatio: [] as number[],
  };
  await rawRate(a, b); // warm-up: JIT and page cache
  await transferOnce(dir, a, b, ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    const capacity = await rawRate(a, b);
    const stats = await transferOnce(dir, a, b, round);
    const whole = kib(UFW_BYTES) / (stats.elapsedMs / 1000);
    const stream = kib(UFW_BYTES) / (stats.streamMs / 1000);
    rounds.raw.push(capacity);
    rounds.whole.push(whole);
    rounds.stream.push(stream);
    rounds.ratio.push(whole / capacity);
    rounds.streamRatio.push(stream / capacity);
    console.log(
      `round ${round + 1}: ratio ${(whole / capacity).toFixed(3)}; capacity ` +
        `${capacity.toFixed(0)} KiB/s, link ${whole.toFixed(0)} KiB/s begin to verify reply ` +
        `(streaming ${stream.toFixed(0)} KiB/s; ${stats.rewinds} rewinds, ` +
        `${stats.chunkBytes}-byte chunks, ${stats.windowBytes / 1024} KiB window)`,
    );
  }
  return rounds;
}

/** One transfer from a fresh session to a fresh device process serving `b`. */
async function transferOnce(
  dir: string,
  a: string,
  b: string,
  round: number,
): Promise<TransferStats> {
  const serial = `PIN-9${String(round).padStart(4, '0')}`;
  // Built before anything is timed, as a station downloads its .ufw long before the push:
  // building one makes enough garbage that the collector would otherwise run mid-transfer.
  const ufws = Array.from({ length: WARM_TRANSFERS + 1 }, (_, n) =>
    makeUfw(`v1.1.${round}-${100 + n}`),
  );
  const device = spawnTs([
    'agent/serial-cli.ts',
    ...['--dir', join(dir, 'devices'), '--port', b, '--serial', serial, '--model', 'bota-pin'],
    ...['--heartbeat-ms', '600000'],
  ]);
  try {
    await device.line('{"event":"ready"');
    const session = new LinkSession(await openSerialChannel(a));
    try {
      await session.identify();
      // All but the last transfer warm the device process's JIT and are not counted: a real
      // device runs compiled firmware, not cold JavaScript.
      for (const ufw of ufws) await session.transfer(ufw, () => undefined);
      const stats = session.lastTransferStats();
      if (!stats) throw new Error('the transfer finished without stats');
      return stats;
    } finally {
      await session.close();
    }
  } finally {
    await device.stop();
  }
}

/**
 * Pushes as many raw bytes as the .ufw has to a sink process reading `b`, twice: the first
 * push warms the sink (as the device process is warmed) and the second is timed, KiB/s.
 */
async function rawRate(a: string, b: string): Promise<number> {
  const sink = spawnTs(['bench/serial-sink.ts', b, String(UFW_BYTES), '2']);
  const sender = await openSerialPort(a);
  try {
    await sink.line('ready');
    await pushRaw(sender);
    await sink.line('received 1');
    const started = performance.now();
    const received = sink.line('received 2');
    await pushRaw(sender);
    await received;
    return kib(UFW_BYTES) / ((performance.now() - started) / 1000);
  } finally {
    await closeSerialPort(sender);
    await sink.stop();
  }
}

async function pushRaw(sender: SerialPortStream): Promise<void> {
  const block = Buffer.alloc(32 * 1024, 0x5a);
  for (let sent = 0; sent < UFW_BYTES; sent += block.length) {
    const piece = block.subarray(0, Math.min(block.length, UFW_BYTES - sent));
    if (!sender.write(piece)) await new Promise((resolve) => sender.once('drain', resolve));
  }
}

function makeUfw(version: string): Buffer {
  const image = buildImage({ model: 'bota-pin', version }, UFW_BYTES - 128);
  return encodeUfw({ model: 'bota-pin', version }, image);
}

function kib(bytes: number): number {
  return bytes / 1024;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] ?? 0;
  return ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await measureSerial();
  console.log(JSON.stringify(result));
}
