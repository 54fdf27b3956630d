import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

import type { Peripheral } from '@abandonware/noble';
import { describe, expect, it } from 'vitest';

import type { BluetoothState } from '../../../contract/station';
import { encodeManufacturerData } from '../../../protocol/radio/advertising';
import { BOTA_SERVICE_UUID } from '../../../protocol/radio/gatt';
import {
  describeNobleState,
  NobleBluetooth,
  type NobleCentral,
  toAdvertisement,
} from './noble-bluetooth';

const withBindings = createRequire(import.meta.url)('@abandonware/noble/with-bindings') as (
  bindings: unknown,
) => NobleCentral;

/** Bindings of an adapter that reports `states` one after another, and nothing else. */
class AdapterStates extends EventEmitter {
  constructor(private readonly states: string[]) {
    super();
  }

  init(): void {
    for (const state of this.states) process.nextTick(() => this.emit('stateChange', state));
  }
}

describe('adapter states', () => {
  it('maps each noble state to the station state with a reason', () => {
    expect(describeNobleState('poweredOn', 'adapter')).toEqual({ state: 'ready', reason: null });
    expect(describeNobleState('poweredOn', 'virtual')).toEqual({ state: 'virtual', reason: null });
    expect(describeNobleState('poweredOff', 'adapter').state).toBe('powered-off');
    expect(describeNobleState('unsupported', 'adapter')).toMatchObject({
      state: 'unavailable',
      reason: expect.stringMatching(/^Bluetooth unavailable: .*LE/),
    });
    expect(describeNobleState('unauthorized', 'adapter').reason).toMatch(/permission/);
  });

  it('follows noble as the adapter is switched off and on', async () => {
    const noble = withBindings(new AdapterStates(['poweredOn', 'poweredOff', 'poweredOn']));
    const bluetooth = new NobleBluetooth(noble, { kind: 'adapter' });
    const seen: BluetoothState['state'][] = [];
    bluetooth.onStateChange((state) => seen.push(state.state));

    expect(noble.state).toBe('unknown'); // reading it starts the bindings
    while (seen.length < 3) await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['ready', 'powered-off', 'ready']);

    await expect(bluetooth.connect('c0:00:00:00:00:09')).rejects.toMatchObject({
      code: 'DEVICE_NOT_FOUND',
    });
  });
});

describe('advertisements', () => {
  const peripheral = (advertisement: object, address = 'C1:02:03:04:05:06') =>
    ({ id: 'c10203040506', address, rssi: -60, advertisement }) as unknown as Peripheral;

  it('reads model and serial from a Bota device', () => {
    const ad = toAdvertisement(
      peripheral({
        localName: 'Bota PIN-00042',
        serviceUuids: [BOTA_SERVICE_UUID],
        manufacturerData: encodeManufacturerData({ model: 'bota-pin', serial: 'PIN-00042' }),
      }),
    );
    expect(ad).toEqual({
      address: 'c1:02:03:04:05:06',
      name: 'Bota PIN-00042',
      rssi: -60,
      model: 'bota-pin',
      serial: 'PIN-00042',
    });
  });

  it('keeps a Bota device whose data does not parse, and drops everything else', () => {
    const bare = toAdvertisement(peripheral({ serviceUuids: [BOTA_SERVICE_UUID] }, 'unknown'));
    expect(bare).toMatchObject({ address: 'c10203040506', model: null, serial: null });
    expect(toAdvertisement(peripheral({ localName: 'Headphones', serviceUuids: ['180d'] }))).toBe(
      null,
    );
  });
});
