// `npm run bench:heartbeat`: signed heartbeats from many devices through the real cloud
// endpoint, against a bare node:http server answering the same JSON, with the same
// concurrency-bounded keep-alive load generator. Last line: one JSON object.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createCloud } from '../cloud';
import { CloudClient } from '../cloud/client';
import {
  HEARTBEAT_PATH,
  heartbeatHeaders,
  type SignedHeartbeat,
  signHeartbeat,
} from '../protocol/heartbeat';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 2000);
const HEARTBEATS = Number(process.env.BENCH_HEARTBEATS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 6);
// The two servers take turns, a slice each per round, so a busy neighbour on a shared
// machine slows both alike instead of whichever happened to run then.
const ROUNDS = 5;

interface Credentials {
  id: string;
  secret: string;
}

interface Outcome {
  sent: number;
  ok: number;
  seconds: number;
}

async function provisionAll(client: CloudClient): Promise<Credentials[]> {
  const devices: Credentials[] = [];
  for (let start = 0; start < DEVICES; start += 50) {
    const batch = Array.from({ length: Math.min(50, DEVICES - start) }, (_, i) =>
      client.provisionDevice({
        serial: `BENCH-${String(start + i).padStart(5, '0')}`,
        model: 'bota-pin',
      }),
    );
    for (const { device, secret } of await Promise.all(batch))
      devices.push({ id: device.id, secret });
  }
  return devices;
}

/** Heartbeat i comes from device i mod N; timestamps rise with i, so none is a replay. */
function signAll(devices: Credentials[], count: number, base: number): SignedHeartbeat[] {
  return Array.from({ length: count }, (_, i) => {
    const device = devices[i % devices.length] as Credentials;
    const body = JSON.stringify({
      firmware_version: 'v1.0.0-001',
      model: 'bota-pin',
      recording: false,
      battery: 50 + (i % 50),
    });
    return signHeartbeat(device.id, device.secret, body, base + i);
  });
}

function post(agent: Agent, port: number, heartbeat: SignedHeartbeat): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: HEARTBEAT_PATH,
        headers: heartbeatHeaders(heartbeat),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(heartbeat.body);
  });
}

/** Sends heartbeats in order, at most CONCURRENCY in flight, until done or MAX_SECONDS pass. */
async function load(port: number, heartbeats: SignedHeartbeat[]): Promise<Outcome> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const deadline = Date.now() + MAX_SECONDS * 1000;
  const started = process.hrtime.bigint();
  let next = 0;
  let ok = 0;

  const worker = async () => {
    while (next < heartbeats.length && Date.now() < deadline) {
      const heartbeat = heartbeats[next++] as SignedHeartbeat;
      if ((await post(agent, port, heartbeat)) === 200) ok += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { sent: next, ok, seconds };
}

/** The baseline: reads the body and answers the same reply JSON, doing nothing else. */
async function startBaseline(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = JSON.stringify({
        server_time: new Date().toISOString(),
        heartbeat_interval_s: 60,
        ota: null,
      });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function add(total: Outcome, part: Outcome): void {
  total.sent += part.sent;
  total.ok += part.ok;
  total.seconds += part.seconds;
}

function report(label: string, outcome: Outcome): number {
  const rate = outcome.ok / outcome.seconds;
  const failed = outcome.sent - outcome.ok;
  console.log(
    `${label}: ${outcome.ok} heartbeats in ${outcome.seconds.toFixed(2)} s = ` +
      `${rate.toFixed(0)}/s (${failed} failed)`,
  );
  return rate;
}

/** Runs both servers in turns over the same signed heartbeats; returns their rates. */
async function measure(cloudPort: number, basePort: number, devices: Credentials[]) {
  const now = Date.now();
  const warmup = signAll(devices, Math.min(2000, HEARTBEATS), now - 60_000);
  await load(cloudPort, warmup);
  await load(basePort, warmup);

  const heartbeats = signAll(devices, HEARTBEATS, now);
  const slice = Math.ceil(HEARTBEATS / ROUNDS);
  const cloudTotal: Outcome = { sent: 0, ok: 0, seconds: 0 };
  const baseTotal: Outcome = { sent: 0, ok: 0, seconds: 0 };
  for (let round = 0; round < ROUNDS; round += 1) {
    const part = heartbeats.slice(round * slice, (round + 1) * slice);
    add(cloudTotal, await load(cloudPort, part));
    add(baseTotal, await load(basePort, part));
  }
  return { cloudRate: report('cloud   ', cloudTotal), baseRate: report('baseline', baseTotal) };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bota-bench-heartbeat-'));
  const cloud = await createCloud({ dataDir, logLevel: 'warn', adminToken: 'bench-admin' });
  const baseline = await startBaseline();
  try {
    const devices = await provisionAll(
      new CloudClient({ baseUrl: cloud.url, token: 'bench-admin' }),
    );
    console.log(`${devices.length} devices; ${HEARTBEATS} heartbeats, ${CONCURRENCY} in flight`);
    const basePort = (baseline.address() as AddressInfo).port;
    const { cloudRate, baseRate } = await measure(
      Number(new URL(cloud.url).port),
      basePort,
      devices,
    );

    const ratio = cloudRate / baseRate;
    console.log(`ratio: ${ratio.toFixed(2)} (target ≥ 0.5)`);
    const figures = {
      heartbeats_per_s: Math.round(cloudRate),
      baseline_per_s: Math.round(baseRate),
    };
    console.log(JSON.stringify({ ...figures, ratio: Number(ratio.toFixed(3)) }));
  } finally {
    await new Promise((resolve) => baseline.close(resolve));
    await cloud.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
