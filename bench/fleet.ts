// Fleet benchmark: N virtual devices in ONE agent process (the real `agent/cli.ts`, run as a
// child so its memory is measured alone) against one real cloud in this process. Every
// device is assigned the same release; the figure is the time from the first assignment
// to the last device reported applied, and the agent's peak RSS (VmHWM).
//
//   npm run bench:fleet -- [--devices 1000] [--interval 500ms] [--image-kib 256]
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { mapLimit } from '../agent/fleet/limit';
import type { CloudClient } from '../cloud/client';
import type { Device } from '../protocol/cloud-api';
import { tempDir } from '../tests/agent/support';
import { startTestCloud } from '../tests/support/cloud';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    interval: { type: 'string', default: '500ms' },
    'image-kib': { type: 'string', default: '256' },
  },
});
const DEVICES = Number(values.devices);
const IMAGE_BYTES = Number(values['image-kib']) * 1024;
const LIMIT_MS = 15 * 60 * 1000;

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

async function poll<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + LIMIT_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`bench gave up waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function allDevices(client: CloudClient): Promise<Device[]> {
  const devices: Device[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await client.listDevices({ limit: 1000, offset });
    devices.push(...page.devices);
    if (devices.length >= page.total || page.devices.length === 0) return devices;
  }
}

async function peakRssMib(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

async function appliedCount(client: CloudClient): Promise<{ applied: number; failed: number }> {
  const summary = await client.fleet();
  const count = (status: string) =>
    summary.by_status.find((entry) => entry.status === status)?.count ?? 0;
  return { applied: count('applied'), failed: count('failed') };
}

function startAgent(cloudUrl: string, token: string, dataDir: string): ChildProcess {
  const args = ['--devices', String(DEVICES), '--cloud', cloudUrl, '--token', token];
  args.push('--data-dir', dataDir, '--interval', values.interval, '--reboot', '500ms');
  return spawn(
    process.execPath,
    ['--import', 'tsx', 'agent/cli.ts', ...args, '--log-level', 'warn'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

function everyDeviceHeartbeating(client: CloudClient): Promise<Device[]> {
  return poll('every device to heartbeat', async () => {
    const devices = await allDevices(client);
    const seen = devices.filter((device) => device.last_seen_at).length;
    return seen >= DEVICES ? devices : undefined;
  });
}

function everyAssignmentSettled(client: CloudClient): Promise<{ applied: number; failed: number }> {
  let last = '';
  return poll('every device to apply', async () => {
    const counts = await appliedCount(client);
    const line = `applied ${counts.applied}, failed ${counts.failed}`;
    if (line !== last) log(line);
    last = line;
    return counts.applied + counts.failed >= DEVICES ? counts : undefined;
  });
}

function report(outcome: { applied: number; failed: number }, seconds: number, rss: number): void {
  console.log(`devices:                   ${DEVICES}`);
  console.log(`image:                     ${IMAGE_BYTES} bytes`);
  console.log(`heartbeat interval:        ${values.interval} (±10 % jitter)`);
  console.log(`applied / failed:          ${outcome.applied} / ${outcome.failed}`);
  console.log(`assignment → all applied:  ${seconds.toFixed(1)} s`);
  console.log(`agent peak RSS:            ${rss.toFixed(0)} MiB`);
  console.log(
    JSON.stringify({
      devices: DEVICES,
      applied: outcome.applied,
      seconds_to_all_applied: Number(seconds.toFixed(2)),
      peak_rss_mib: Number(rss.toFixed(1)),
    }),
  );
}

async function main(): Promise<void> {
  const data = await tempDir('bota-bench-fleet-');
  const cloud = await startTestCloud({ logLevel: 'warn', heartbeatIntervalS: 1 });
  const release = await cloud.makeRelease('bota-pin', 'v1.1.0', { size: IMAGE_BYTES });
  log(`cloud at ${cloud.url}; release ${release.version}, ${IMAGE_BYTES} bytes`);
  const agent = startAgent(cloud.url, cloud.adminToken, data.path);
  const exited = new Promise((done) => agent.on('exit', done));

  try {
    const devices = await everyDeviceHeartbeating(cloud.client);
    log(`${devices.length} devices registered and heartbeating; assigning`);

    const started = performance.now();
    await mapLimit(devices, 16, (device) =>
      cloud.client.createAssignment({ device_id: device.id, release_id: release.id }),
    );
    log(`assigned in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const outcome = await everyAssignmentSettled(cloud.client);

    report(outcome, (performance.now() - started) / 1000, await peakRssMib(agent.pid!));
  } finally {
    agent.kill('SIGINT');
    await exited;
    await cloud.close();
    await data.remove();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:fleet failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
