import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { VirtualDevice } from '../device/device';
import { OtaClient } from '../ota/client';
import { createHttpAgents, destroyHttpAgents } from '../ota/http';
import { serialFor } from './fleet';
import { mapLimit } from './limit';
import { renderSummary, summarize, summaryLine } from './summary';

describe('fleet summary', () => {
  it('counts devices per version and state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bota-summary-'));
    const agents = createHttpAgents();
    const versions = ['v1.0.0-001', 'v1.0.0-001', 'v1.1.0-002'];
    const devices = await Promise.all(
      versions.map((firmwareVersion, n) =>
        VirtualDevice.open({
          dir,
          model: 'bota-pin',
          serial: serialFor('bota-pin', n + 1),
          firmwareVersion,
        }),
      ),
    );
    devices[2]?.setRecording(true);
    const members = devices.map((device) => ({
      device,
      ota: new OtaClient(device, { agents }),
      faults: undefined,
    }));

    const summary = summarize(members);
    expect(summary).toMatchObject({
      total: 3,
      versions: [
        { version: 'v1.0.0-001', count: 2 },
        { version: 'v1.1.0-002', count: 1 },
      ],
      recording: 1,
      unprovisioned: 3,
    });
    expect(renderSummary(summary, 'head')[1]).toBe('versions     v1.0.0-001 ×2   v1.1.0-002 ×1');
    expect(summaryLine(summary)).toMatch(/^fleet: 3 devices; v1.0.0-001=2 v1.1.0-002=1;/);

    await Promise.all(devices.map((device) => device.close()));
    destroyHttpAgents(agents);
    await rm(dir, { recursive: true, force: true });
  });

  it('names serials from the model prefix', () => {
    expect(serialFor('bota-pin', 42)).toBe('PIN-00042');
    expect(serialFor('bota-note', 1)).toBe('NOTE-00001');
  });

  it('runs work with bounded concurrency, results in order', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((done) => setImmediate(done));
      running -= 1;
      return item * 10;
    });
    expect(results).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBe(3);
  });
});
