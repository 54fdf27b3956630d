import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { DEFAULT_LINK, type LinkParameters } from './link-model';
import { LinkScheduler, type LinkSide, SharedAir } from './link-scheduler';

// A 10 ms interval on 2M: full exchanges take 1392 µs, so 7 fit in one event; with data
// both ways an exchange takes 2396 µs and 4 fit.
const LINK: LinkParameters = { ...DEFAULT_LINK, connectionIntervalMs: 10 };

let clock = 0;

function advance(ms: number, timerMs = ms): void {
  clock += ms;
  vi.advanceTimersByTime(timerMs);
}

function setup(params: LinkParameters = LINK, random?: () => number) {
  const scheduler = new LinkScheduler(params, { now: () => clock, random });
  const delivered: Array<{ side: LinkSide; index: number }> = [];
  const send = (side: LinkSide, count: number, bytes = 247): void => {
    for (let index = 0; index < count; index++) {
      scheduler.send(side, bytes, () => delivered.push({ side, index }));
    }
  };
  const count = (side: LinkSide): number => delivered.filter((d) => d.side === side).length;
  return { scheduler, delivered, send, count };
}

beforeEach(() => {
  clock = 0;
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('link scheduler', () => {
  it('carries as many full packets per event as the model fits', () => {
    const { send, count, scheduler } = setup();
    send('central', 20);
    expect(scheduler.pending('central')).toBe(20);

    advance(9);
    expect(count('central')).toBe(0);
    advance(1);
    expect(count('central')).toBe(7);
    advance(10);
    expect(count('central')).toBe(14);
    advance(10);
    expect(count('central')).toBe(20);
    expect(scheduler.pending('central')).toBe(0);
  });

  it('keeps a packet queued after an event started for the next event', () => {
    const { send, count } = setup();
    send('central', 1);
    advance(10);
    expect(count('central')).toBe(1);

    advance(2);
    send('central', 1);
    advance(7);
    expect(count('central')).toBe(1);
    advance(1);
    expect(count('central')).toBe(2);
  });

  it('shares each event between both directions', () => {
    const { send, count } = setup();
    send('central', 10);
    send('peripheral', 10);
    advance(10);
    expect(count('central')).toBe(4);
    expect(count('peripheral')).toBe(4);
  });

  it('catches up after a late timer without carrying packets queued since', () => {
    const { send, count } = setup();
    send('central', 30);
    advance(30, 10); // the timer fires at 10 ms but the clock already reads 30
    expect(count('central')).toBe(21);
  });

  it('ends an event at a lost packet and sends it again later, in order', () => {
    // Exchange 1: both packets arrive; exchange 2: the central's packet is lost.
    const draws = [0.5, 0.5, 0.01];
    const random = (): number => draws.shift() ?? 0.5;
    const { send, count, delivered } = setup({ ...LINK, loss: 0.05 }, random);
    send('central', 10);

    advance(10);
    expect(count('central')).toBe(1);
    advance(10);
    expect(count('central')).toBe(8);
    advance(10);
    expect(delivered.map((d) => d.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('cuts a large ATT PDU into fragments and delivers it once, after the last', () => {
    const { send, count } = setup();
    send('central', 1, 517); // three fragments: 251, 251, 19
    send('central', 6);
    advance(10);
    // 7 slots: the big PDU's three fragments, then four full packets.
    expect(count('central')).toBe(5);
  });

  it('drops what is queued when closed', () => {
    const { send, count, scheduler } = setup();
    send('central', 3);
    scheduler.close();
    advance(50);
    expect(count('central')).toBe(0);
    send('central', 1);
    advance(50);
    expect(count('central')).toBe(0);
  });
});

describe('links of one central', () => {
  it('share each interval between the busy links, and an idle link takes none', () => {
    const air = new SharedAir();
    const first = new LinkScheduler(LINK, { now: () => clock, air });
    const second = new LinkScheduler(LINK, { now: () => clock, air });
    const idle = new LinkScheduler(LINK, { now: () => clock, air });
    let firstCount = 0;
    let secondCount = 0;
    for (let i = 0; i < 20; i++) {
      first.send('central', 247, () => (firstCount += 1));
      second.send('central', 247, () => (secondCount += 1));
    }

    advance(10);
    // 10 ms split two ways: 5000 µs / 1392 µs = 3 full packets each.
    expect([firstCount, secondCount]).toEqual([3, 3]);

    second.close();
    advance(10);
    expect(firstCount).toBe(10);
    idle.close();
    first.close();
  });
});
