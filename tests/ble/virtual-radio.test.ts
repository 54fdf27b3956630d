// Real noble, on the virtual radio bindings, against devices in another process
// (agent/ble-cli.ts with the echo service): advertisements, connection, MTU, GATT discovery,
// control and data messages both ways, and disconnects from either side.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type Advertisement, type Bluetooth, openBluetooth } from '../../main/link/ble/index';
import type { LinkChannel } from '../../protocol/link/channel';
import { heard, pattern, type RadioProcess, startRadioProcess, waitFor } from './support';

const DATA = 0xda; // the echo service sends messages starting with this back as data

describe('virtual radio through noble, devices in another process', () => {
  let radio: RadioProcess;
  let bluetooth: Bluetooth;
  const open: LinkChannel[] = [];

  beforeAll(async () => {
    radio = await startRadioProcess([
      '--devices',
      '2',
      '--model',
      'bota-pin-pro',
      '--serve',
      'echo',
    ]);
    bluetooth = await openBluetooth({ virtualRadio: radio.radio });
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((channel) => channel.close()));
  });

  afterAll(async () => {
    await bluetooth?.close();
    await radio?.close();
  });

  async function connect(serial: string): Promise<LinkChannel> {
    const ad = await heard(bluetooth, serial);
    const channel = await bluetooth.connect(ad.address);
    open.push(channel);
    return channel;
  }

  it('reports the virtual state and hears both devices with model, serial and RSSI', async () => {
    expect(bluetooth.state()).toEqual({ state: 'virtual', reason: null });

    const ads: Advertisement[] = [];
    const stop = bluetooth.onAdvertisement((ad) => ads.push(ad));
    await bluetooth.startScanning();
    await waitFor(() => new Set(ads.map((ad) => ad.serial)).size === 2, 'both devices');
    await waitFor(() => ads.length >= 20, 'repeated advertisements');
    stop();

    const first = ads.find((ad) => ad.serial === 'PRO-00001')!;
    expect(first).toMatchObject({ model: 'bota-pin-pro', name: 'Bota PRO-00001' });
    expect(first.address).toBe(radio.devices[0]!.address);
    const rssi = ads.filter((ad) => ad.serial === 'PRO-00001').map((ad) => ad.rssi);
    expect(Math.min(...rssi)).toBeGreaterThanOrEqual(-51);
    expect(Math.max(...rssi)).toBeLessThanOrEqual(-45);
    expect(new Set(rssi).size).toBeGreaterThan(1); // it varies a little
  });

  it('negotiates the MTU and exchanges control and data messages both ways', async () => {
    const channel = await connect('PRO-00001');
    expect(channel.kind).toBe('ble');
    expect(channel.maxMessageBytes).toBe(244);

    const received: Uint8Array[] = [];
    channel.onMessage((message) => received.push(message));
    const control = pattern(3000, 0x01); // 13 fragments each way
    const small = pattern(10, 0x02);
    const data = Array.from({ length: 50 }, (_, i) => pattern(244, DATA, i));

    await channel.send(control);
    for (const chunk of data) await channel.sendData(chunk);
    await channel.send(small);

    await waitFor(() => received.length === 52, 'all echoes');
    expect(received[0]).toEqual(control);
    expect(received.slice(1, 51)).toEqual(data);
    expect(received[51]).toEqual(small);
  });

  it('carries two links at once, each message to its own device', async () => {
    const links = [await connect('PRO-00001'), await connect('PRO-00002')];
    const echoes: Uint8Array[][] = [[], []];
    links.forEach((link, i) => link.onMessage((message) => echoes[i]!.push(message)));

    const chunks = (seed: number) =>
      Array.from({ length: 40 }, (_, i) => pattern(244, DATA, seed + i));
    await Promise.all(
      links.map(async (link, i) => {
        for (const chunk of chunks(i * 100)) await link.sendData(chunk);
      }),
    );

    await waitFor(() => echoes[0]!.length === 40 && echoes[1]!.length === 40, 'both echoes');
    expect(echoes[0]).toEqual(chunks(0));
    expect(echoes[1]).toEqual(chunks(100));
  });

  it('refuses a data message larger than the negotiated MTU allows', async () => {
    const channel = await connect('PRO-00002');
    await expect(channel.sendData(pattern(245, DATA))).rejects.toThrow(RangeError);
  });

  it('reports a disconnect by the device to onClose, and sends then fail', async () => {
    const channel = await connect('PRO-00001');
    const reasons: string[] = [];
    channel.onClose((reason) => reasons.push(reason));

    const reply = await radio.command({ op: 'disconnect', serial: 'PRO-00001' });
    expect(reply).toMatchObject({ ok: true });
    await waitFor(() => reasons.length === 1, 'the close');

    expect(reasons[0]).toMatch(/device ended the connection/);
    await expect(channel.send(pattern(5, 1))).rejects.toMatchObject({ code: 'LINK_LOST' });
  });

  it('closes from the station side; the device hears it and advertises again', async () => {
    const channel = await connect('PRO-00002');
    const reasons: string[] = [];
    channel.onClose((reason) => reasons.push(reason));

    await channel.close();
    expect(reasons).toHaveLength(1);

    // A connected device does not advertise; hearing it again proves it saw the disconnect.
    const again = await heard(bluetooth, 'PRO-00002');
    const reopened = await bluetooth.connect(again.address);
    open.push(reopened);
    const echoes: Uint8Array[] = [];
    reopened.onMessage((message) => echoes.push(message));
    await reopened.send(pattern(20, 0x03));
    await waitFor(() => echoes.length === 1, 'an echo on the new connection');
  });

  it('refuses to connect to an address nobody advertises', async () => {
    await expect(bluetooth.connect('c0:11:22:33:44:55')).rejects.toMatchObject({
      code: 'DEVICE_NOT_FOUND',
    });
  });
});

describe('a radio process that goes away', () => {
  it('reports the loss to the open channel', async () => {
    const radio = await startRadioProcess(['--devices', '1', '--serve', 'echo', '--mtu', '100']);
    const bluetooth = await openBluetooth({ virtualRadio: radio.radio });
    try {
      const ad = await heard(bluetooth, 'PIN-00001');
      const channel = await bluetooth.connect(ad.address);
      expect(channel.maxMessageBytes).toBe(97);

      const reasons: string[] = [];
      channel.onClose((reason) => reasons.push(reason));
      radio.child.kill('SIGKILL');
      await waitFor(() => reasons.length === 1, 'the close');
      expect(reasons[0]).toMatch(/supervision timeout/);
    } finally {
      await bluetooth.close();
      await radio.close();
    }
  });
});
