import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { VirtualDevice } from '../../agent/device/device';
import type { Release } from '../../protocol/cloud-api';
import { startTestCloud, type TestCloud } from '../support/cloud';
import { type AgentProcess, settledAssignment, spawnAgent, tempDir, waitFor } from './support';

const IMAGE_BYTES = 256 * 1024;

let cloud: TestCloud;
let release: Release;
let data: { path: string; remove(): Promise<void> };
const agents: AgentProcess[] = [];

beforeEach(async () => {
  data = await tempDir('bota-agent-crash-');
  cloud = await startTestCloud();
  release = await cloud.makeRelease('bota-pin', 'v1.1.0', { size: IMAGE_BYTES });
});

afterEach(async () => {
  for (const agent of agents.splice(0)) {
    if (agent.child.exitCode === null && agent.child.signalCode === null) {
      agent.child.kill('SIGKILL');
      await agent.exited;
    }
  }
  await cloud.close();
  await data.remove();
});

function startAgent(...extra: string[]): AgentProcess {
  const agent = spawnAgent([
    ...['--devices', '1', '--cloud', cloud.url, '--token', cloud.adminToken],
    ...['--data-dir', data.path, '--interval', '100ms', '--reboot', '50ms'],
    ...['--retry-delay', '50ms', ...extra],
  ]);
  agents.push(agent);
  return agent;
}

async function assignToAgentDevice(): Promise<string> {
  const device = await waitFor('the agent to register PIN-00001', async () => {
    const found = await cloud.client.getDeviceBySerial('PIN-00001').catch(() => undefined);
    return found?.last_seen_at ? found : undefined;
  });
  const assignment = await cloud.client.createAssignment({
    device_id: device.id,
    release_id: release.id,
  });
  return assignment.id;
}

/** Opens the device's state as the next agent run would, reads it, and closes it. */
async function inspectDevice() {
  const device = await VirtualDevice.open({
    dir: data.path,
    model: 'bota-pin',
    serial: 'PIN-00001',
  });
  const bin = release.bin!;
  const facts = {
    firmwareVersion: device.firmwareVersion,
    held: device.heldBytes({ length: bin.size, crc32: bin.crc32 }),
  };
  await device.close();
  return facts;
}

describe('a device killed while writing its spare slot', () => {
  it('dies mid-write (fault), boots its old firmware, then resumes and applies', async () => {
    const dying = startAgent('--die-at', '100000');
    const assignmentId = await assignToAgentDevice();

    expect(await dying.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await inspectDevice()).toEqual({ firmwareVersion: 'v1.0.0-001', held: 100_000 });

    const healthy = startAgent();
    const done = await settledAssignment(cloud.client, assignmentId);
    expect(done.status).toBe('applied');
    await waitFor('the resume to be logged', () => healthy.stderr().includes('begun at 100000/'));

    healthy.child.kill('SIGINT');
    expect(await healthy.exited).toEqual({ code: 0, signal: null });
    expect(healthy.stderr()).toContain('fleet: stopped, state flushed');
    expect((await inspectDevice()).firmwareVersion).toBe('v1.1.0-001');
  }, 180_000);

  it('killed with SIGKILL from outside mid-download, it boots its old firmware', async () => {
    const slow = startAgent('--slow', '60000');
    await assignToAgentDevice();
    const spare = join(data.path, 'PIN-00001', 'slot-b.img');
    await waitFor('part of the image in the spare slot', async () => {
      const size = await stat(spare).then(
        (s) => s.size,
        () => 0,
      );
      return size > 20_000;
    });

    slow.child.kill('SIGKILL');
    await slow.exited;
    const after = await inspectDevice();
    expect(after.firmwareVersion).toBe('v1.0.0-001');
    expect(after.held).toBeGreaterThan(20_000);
    expect(after.held).toBeLessThan(IMAGE_BYTES);
  }, 180_000);
});
