import { describe, expect, it } from 'vitest';

import { DeviceFaults } from './injector';
import { FaultScenarioError, faultsFor, isHealthy, parseScenario } from './spec';

describe('fault scenarios', () => {
  it('merges a device’s faults over the fleet’s', () => {
    const scenario = parseScenario({
      fleet: { dropProbability: 0.1, slowBytesPerS: 1000 },
      devices: { 'PIN-00002': { dropProbability: 0, corruptByteAt: 70 } },
    });
    expect(faultsFor(scenario, 'PIN-00001')).toEqual({ dropProbability: 0.1, slowBytesPerS: 1000 });
    expect(faultsFor(scenario, 'PIN-00002')).toEqual({
      dropProbability: 0,
      slowBytesPerS: 1000,
      corruptByteAt: 70,
    });
    expect(isHealthy(faultsFor(parseScenario({}), 'PIN-00001'))).toBe(true);
  });

  it('names the bad field of an invalid scenario', () => {
    expect(() => parseScenario({ fleet: { dropProbability: 2 } })).toThrow(FaultScenarioError);
    expect(() => parseScenario({ fleet: { dropProbabilty: 0.1 } })).toThrow(/fleet/);
  });
});

describe('DeviceFaults at the stream seam', () => {
  const chunk = (offset: number, length: number, connectionBytes = offset) => ({
    offset,
    chunk: new Uint8Array(length),
    connectionBytes,
  });

  it('cuts the connection after N bytes, as often as asked', async () => {
    const faults = new DeviceFaults({ dropAfterBytes: 150, dropCount: 1 }, 'PIN-00001');
    expect((await faults.onStreamChunk(chunk(0, 100))).drop).toBeNull();
    const cut = await faults.onStreamChunk(chunk(100, 100));
    expect(cut.chunk.length).toBe(50);
    expect(cut.drop).toMatch(/dropped/);
    expect((await faults.onStreamChunk(chunk(150, 200, 0))).drop).toBeNull();
    expect(faults.drops).toBe(1);
  });

  it('flips exactly the byte asked for', async () => {
    const faults = new DeviceFaults({ corruptByteAt: 105 }, 'PIN-00001');
    const out = await faults.onStreamChunk(chunk(100, 10));
    expect([...out.chunk]).toEqual([0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0]);
  });

  it('drops at random, repeatably for one seed', async () => {
    const run = async () => {
      const faults = new DeviceFaults({ dropProbability: 0.3, seed: 42 }, 'PIN-00001');
      const drops: boolean[] = [];
      for (let n = 0; n < 20; n += 1)
        drops.push((await faults.onStreamChunk(chunk(n, 1))).drop !== null);
      return drops;
    };
    const first = await run();
    expect(first).toEqual(await run());
    expect(first.some(Boolean)).toBe(true);
    expect(first.every(Boolean)).toBe(false);
  });
});
