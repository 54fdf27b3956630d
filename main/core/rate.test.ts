import { describe, expect, it } from 'vitest';

import { RateMeter, Throttle } from './rate';

describe('RateMeter', () => {
  it('smooths over its window', () => {
    let now = 0;
    const meter = new RateMeter(1000, () => now);
    expect(meter.record(0)).toBe(0);
    for (let step = 1; step <= 20; step += 1) {
      now = step * 100;
      meter.record(step * 10_000); // 100 kB/s
    }
    expect(meter.rate()).toBeCloseTo(100_000, -2);
  });

  it('follows a change of speed within about a window', () => {
    let now = 0;
    let bytes = 0;
    const meter = new RateMeter(1000, () => now);
    const run = (steps: number, perStep: number) => {
      for (let step = 1; step <= steps; step += 1) {
        now += 100;
        meter.record((bytes += perStep));
      }
    };
    run(10, 10_000);
    run(15, 1_000);
    expect(meter.rate()).toBeCloseTo(10_000, -2);
  });
});

describe('Throttle', () => {
  it('lets one call through per interval and flushes the owed one', () => {
    let now = 0;
    let calls = 0;
    const throttle = new Throttle(
      100,
      () => (calls += 1),
      () => now,
    );
    for (let i = 0; i < 50; i += 1) {
      throttle.poke();
      now += 10;
    }
    expect(calls).toBe(5);
    throttle.flush();
    expect(calls).toBe(6);
    throttle.flush();
    expect(calls).toBe(6);
  });
});
