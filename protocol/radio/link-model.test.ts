import { describe, expect, it } from 'vitest';

import {
  capacityBytesPerSecond,
  checkLinkParameters,
  DEFAULT_LINK,
  deliveredPerEvent,
  exchangeTimeUs,
  linkLayerFragments,
  packetAirtimeUs,
  packetsPerEvent,
} from './link-model';

describe('link model figures', () => {
  it('times a full 2M packet, an empty reply and one exchange', () => {
    expect(packetAirtimeUs('2M', 251)).toBe(1048);
    expect(packetAirtimeUs('2M', 0)).toBe(44);
    expect(exchangeTimeUs('2M', 251, 0)).toBe(1392);
    expect(packetAirtimeUs('1M', 251)).toBe(2088);
  });

  it('fits 5 full packets in a 7.5 ms event on 2M and 3 on 1M', () => {
    expect(packetsPerEvent(DEFAULT_LINK)).toBe(5);
    expect(packetsPerEvent({ ...DEFAULT_LINK, phy: '1M' })).toBe(3);
  });

  it('gives 158.9 KiB/s for 2M, MTU 247, 7.5 ms, and 95.3 KiB/s on 1M', () => {
    expect(capacityBytesPerSecond(DEFAULT_LINK)).toBeCloseTo((5 * 244) / 0.0075, 6);
    expect(capacityBytesPerSecond(DEFAULT_LINK) / 1024).toBeCloseTo(158.85, 2);
    expect(capacityBytesPerSecond({ ...DEFAULT_LINK, phy: '1M' }) / 1024).toBeCloseTo(95.31, 2);
  });

  it('packs many more short packets with the default 23-byte MTU', () => {
    const small = { ...DEFAULT_LINK, attMtu: 23 };
    // 27-byte payload: (2 + 4 + 2 + 27 + 3) × 8 / 2 = 152 µs; + 150 + 44 + 150 = 496 µs.
    expect(exchangeTimeUs('2M', 27, 0)).toBe(496);
    expect(packetsPerEvent(small)).toBe(15);
    expect(capacityBytesPerSecond(small)).toBeCloseTo((15 * 20) / 0.0075, 6);
  });

  it('cuts an ATT PDU larger than the data length into link-layer fragments', () => {
    expect(linkLayerFragments(247, 251)).toEqual([251]);
    expect(linkLayerFragments(517, 251)).toEqual([251, 251, 19]);
    expect(linkLayerFragments(244, 27)).toEqual([27, 27, 27, 27, 27, 27, 27, 27, 27, 5]);
  });

  it('loses capacity to packet loss as the retransmission formula says', () => {
    const lossy = { ...DEFAULT_LINK, loss: 0.1 };
    const q = 0.81;
    const expected = (0.9 * (1 - q ** 5)) / (1 - q);
    expect(deliveredPerEvent(lossy)).toBeCloseTo(expected, 10);
    expect(capacityBytesPerSecond(lossy)).toBeLessThan(capacityBytesPerSecond(DEFAULT_LINK));
    expect(deliveredPerEvent({ ...DEFAULT_LINK, loss: 0 })).toBe(5);
  });

  it('names the parameter that is out of range', () => {
    expect(checkLinkParameters(DEFAULT_LINK)).toBeNull();
    expect(checkLinkParameters({ ...DEFAULT_LINK, attMtu: 600 })).toMatch(/MTU 600/);
    expect(checkLinkParameters({ ...DEFAULT_LINK, connectionIntervalMs: 5 })).toMatch(/5 ms/);
    expect(checkLinkParameters({ ...DEFAULT_LINK, loss: 1 })).toMatch(/loss/);
  });
});
