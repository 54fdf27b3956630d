import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { closeWorld, openWorld, type World } from './support/fixture';
import { jsonLines, ptyPair, start } from './support/processes';
import { startStation } from './support/station';
import { until } from './support/wait';

// A field-like device (own HTTP heartbeats every 2 s, paused while a station link is
// attached; link heartbeats every 200 ms) on the virtual radio in another process. While
// the station holds its link, the device's state reaches the cloud only as relayed
// heartbeats and no OTA manifest reaches it; the station offers the pending assignment and
// installs it over the link.

let world: World;

beforeEach(async () => {
  world = await openWorld();
});

afterEach(async () => {
  await closeWorld(world);
});

interface Linked {
  /** What the station needs to find the device. */
  station: { virtualRadio?: string; serialPatterns?: string[] };
  /** The device's key on the station. */
  key: string;
}

function fieldDevice(serial: string, extra: string[]): Promise<unknown> {
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const child = start(tsx, [
    'tests/station/support/ota-device-cli.ts',
    ...['--dir', world.devicesDir, '--serial', serial],
    ...['--interval-ms', '2000', '--link-heartbeat-ms', '200'],
    ...extra,
  ]);
  return jsonLines(child).next();
}

async function onRadio(serial: string): Promise<Linked> {
  const hello = (await fieldDevice(serial, [])) as { radio: string; address: string };
  return { station: { virtualRadio: hello.radio }, key: `ble:${hello.address}` };
}

async function onSerialPort(serial: string): Promise<Linked> {
  // The device lets go of a quiet serial link after 3 s; the station pings every 300 ms.
  const pty = await ptyPair(world.dir, serial);
  await fieldDevice(serial, ['--port', pty.device, '--idle-ms', '3000']);
  return { station: { serialPatterns: [pty.station] }, key: `serial:${pty.station}` };
}

const transports = [
  { name: 'Bluetooth', link: onRadio },
  { name: 'serial', link: onSerialPort },
];

describe.each(transports)('heartbeat relay over $name', { timeout: 240_000 }, ({ link }) => {
  it('relays while linked, installs the assignment, and lets go on disconnect', async () => {
    const { client } = world.cloud;
    const release = await world.cloud.makeRelease('bota-pin', 'v1.1.0');
    const device = await link('PIN-00077');
    const bench = await startStation({
      cloudUrl: world.cloud.url,
      cloudToken: world.cloud.adminToken,
      ...device.station,
      workDir: world.workDir,
      timing: { keepaliveMs: 300 },
    });
    world.stations.push(bench);
    const key = device.key;
    await bench.connected(key);

    const provisioned = await bench.station.provision(key);
    if (!provisioned.ok) throw new Error(provisioned.error.message);
    const deviceId = provisioned.value.identity?.deviceId ?? '';
    expect(deviceId).not.toBe('');

    // Only relayed heartbeats while the link is held.
    await until(async () => (await client.deviceHeartbeats(deviceId, 100)).length >= 4, 'relays');
    const relayedOnly = await client.deviceHeartbeats(deviceId, 100);
    expect(relayedOnly.every((heartbeat) => heartbeat.relayed)).toBe(true);
    expect((await client.getDevice(deviceId)).last_relayed).toBe(true);

    // The assignment is offered here, never delivered as a manifest.
    const assignment = await client.createAssignment({
      device_id: deviceId,
      release_id: release.id,
    });
    await bench.device(
      (d) => d.key === key && d.pendingAssignment?.assignmentId === assignment.id,
      'the pending assignment offered',
    );
    await new Promise((resolve) => setTimeout(resolve, 600)); // several more relayed beats
    expect((await client.getAssignment(assignment.id)).status).toBe('pending');

    // The device restarts into the new version; it reports it on its next heartbeat (relayed
    // once the station has reconnected), which marks the assignment applied.
    const job = await bench.update(key, { assignmentId: assignment.id });
    expect(job.assignmentId).toBe(assignment.id);
    expect((await bench.finished(job.id)).failure).toBeNull();
    await until(
      async () => (await client.getAssignment(assignment.id)).status === 'applied',
      'the assignment applied',
    );
    await bench.device((d) => d.key === key && d.pendingAssignment === null, 'the offer gone');

    // Let go: the device's own heartbeats resume.
    expect((await bench.station.disconnect(key)).ok).toBe(true);
    await until(
      async () => (await client.getDevice(deviceId)).last_relayed === false,
      "the device's own heartbeats",
    );
  });
});
