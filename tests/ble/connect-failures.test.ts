// The ways opening a Bluetooth link fails, each as a BluetoothError with a stable code.
import { createServer, type Server } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { VirtualPeripheral } from '../../agent/ble/peripheral';
import { RadioHost } from '../../agent/ble/radio-host';
import { type Bluetooth, openBluetooth } from '../../main/link/ble/index';
import { advertisedName, encodeManufacturerData } from '../../protocol/radio/advertising';
import { AirFrameReader, encodeAirFrame } from '../../protocol/radio/air';
import { BOTA_GATT, BOTA_SERVICE_UUID } from '../../protocol/radio/gatt';
import { heard } from './support';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function peripheral(serial: string, gatt = BOTA_GATT): VirtualPeripheral {
  return new VirtualPeripheral({
    address: 'c1:00:00:00:00:01',
    name: advertisedName(serial),
    serviceUuids: [BOTA_SERVICE_UUID],
    manufacturerData: encodeManufacturerData({ model: 'bota-pin', serial }),
    gatt,
  });
}

async function host(...peripherals: VirtualPeripheral[]): Promise<RadioHost> {
  const radio = await RadioHost.listen();
  peripherals.forEach((each) => radio.add(each));
  cleanups.push(() => radio.close());
  return radio;
}

async function station(virtualRadio: string, connectTimeoutMs?: number): Promise<Bluetooth> {
  const bluetooth = await openBluetooth({ virtualRadio, connectTimeoutMs });
  cleanups.push(() => bluetooth.close());
  return bluetooth;
}

/** A radio that advertises one device and then never answers anything. */
async function silentRadio(): Promise<string> {
  const ad = peripheral('PIN-00077').advertisement();
  const server: Server = createServer((socket) => {
    const reader = new AirFrameReader();
    socket.on('data', (piece: Buffer) => {
      if (reader.push(piece).some((message) => message.type === 'scan' && message.on)) {
        socket.write(encodeAirFrame(ad));
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `127.0.0.1:${address.port}`;
}

describe('opening a Bluetooth link', () => {
  it('fails with SERVICE_NOT_FOUND when the device lacks the Bota service', async () => {
    const radio = await host(peripheral('PIN-00050', []));
    const bluetooth = await station(radio.address);
    const ad = await heard(bluetooth, 'PIN-00050');

    await expect(bluetooth.connect(ad.address)).rejects.toMatchObject({
      code: 'SERVICE_NOT_FOUND',
    });
  });

  it('fails with CONNECT_FAILED when another station holds the device', async () => {
    const radio = await host(peripheral('PIN-00051'));
    const first = await station(radio.address);
    const second = await station(radio.address);
    const ad = await heard(second, 'PIN-00051');
    await heard(first, 'PIN-00051');

    const channel = await first.connect(ad.address);
    cleanups.push(() => channel.close());
    await expect(second.connect(ad.address)).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
      message: expect.stringMatching(/busy/),
    });
  });

  it('fails with TIMEOUT when the radio never answers', async () => {
    const bluetooth = await station(await silentRadio(), 300);
    const ad = await heard(bluetooth, 'PIN-00077');

    await expect(bluetooth.connect(ad.address)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
