import { describe, expect, it } from 'vitest';

import { decodeManufacturerData, encodeManufacturerData } from './advertising';

describe('manufacturer data', () => {
  it('round-trips model and serial', () => {
    const data = encodeManufacturerData({ model: 'bota-note', serial: 'NOTE-00042' });
    expect([...data.subarray(0, 4)]).toEqual([0xff, 0xff, 1, 3]);
    expect(decodeManufacturerData(data)).toEqual({ model: 'bota-note', serial: 'NOTE-00042' });
  });

  it('ignores data from other companies, formats and models', () => {
    const data = encodeManufacturerData({ model: 'bota-pin', serial: 'PIN-00001' });
    expect(decodeManufacturerData(undefined)).toBeNull();
    expect(decodeManufacturerData(Buffer.from([0x4c, 0x00, 1, 1, 0x41]))).toBeNull();
    expect(decodeManufacturerData(Buffer.from([...data.subarray(0, 2), 9, 1, 0x41]))).toBeNull();
    expect(decodeManufacturerData(Buffer.from([0xff, 0xff, 1, 77, 0x41]))).toBeNull();
  });

  it('refuses a serial too long for the scan response', () => {
    expect(() => encodeManufacturerData({ model: 'bota-pin', serial: 'PIN-0000000001' })).toThrow(
      RangeError,
    );
  });
});
