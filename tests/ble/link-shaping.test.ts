// The link model as the station feels it, with the radio in this process: the TX buffer
// pushes back on a fast sender, lost packets are sent again without loss or reordering, a
// station may start before its radio, and Unix socket radios work.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { advertiseDevice, type DeviceRadio } from '../../agent/ble/device-radio';
import { RadioHost, type RadioHostOptions } from '../../agent/ble/radio-host';
import { VirtualDevice } from '../../agent/device/device';
import { type Bluetooth, openBluetooth } from '../../main/link/ble/index';
import type { LinkChannel } from '../../protocol/link/channel';
import { heard, pattern, waitFor } from './support';

interface Bench {
  host: RadioHost;
  device: VirtualDevice;
  radio: DeviceRadio;
  /** What reached the device, in order. */
  received: Uint8Array[];
  /** The device's end of the current link. */
  deviceEnd: () => LinkChannel;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function bench(options: RadioHostOptions, serial = 'NOTE-00001'): Promise<Bench> {
  const dir = await mkdtemp(join(tmpdir(), 'ble-shaping-'));
  const host = await RadioHost.listen(options);
  const device = await VirtualDevice.open({
    dir,
    model: 'bota-note',
    serial,
    rebootMs: 200,
  });
  const received: Uint8Array[] = [];
  let current: LinkChannel | null = null;

  const radio = advertiseDevice(host, device, {
    serve: (_device, channel) => {
      current = channel;
      return { close: channel.onMessage((message) => received.push(message)) };
    },
  });
  cleanups.push(async () => {
    radio.close();
    await device.close();
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { host, device, radio, received, deviceEnd: () => current! };
}

async function station(virtualRadio: string, radioRetryMs?: number): Promise<Bluetooth> {
  const bluetooth = await openBluetooth({ virtualRadio, radioRetryMs });
  cleanups.push(() => bluetooth.close());
  return bluetooth;
}

async function connect(bluetooth: Bluetooth, serial = 'NOTE-00001'): Promise<LinkChannel> {
  const ad = await heard(bluetooth, serial);
  return bluetooth.connect(ad.address);
}

describe('link shaping', () => {
  it('holds a fast sender to the TX buffer: never more than it ahead of the device', async () => {
    const link = { phy: '1M' as const, connectionIntervalMs: 50, txBufferPackets: 4 };
    const setup = await bench({ link });
    const channel = await connect(await station(setup.host.address));

    let accepted = 0;
    let widestGap = 0;
    const sends = Array.from({ length: 60 }, (_, i) =>
      channel.sendData(pattern(channel.maxMessageBytes, 0xda, i)).then(() => {
        accepted += 1;
        widestGap = Math.max(widestGap, accepted - setup.received.length);
      }),
    );
    await Promise.all(sends);

    // Accepted writes ran ahead of the device by the whole buffer, never more.
    expect(widestGap).toBe(4);
    await waitFor(() => setup.received.length === 60, 'every chunk at the device');
  });

  it('delivers everything once and in order over a lossy link, both ways', async () => {
    const setup = await bench({ link: { loss: 0.2 }, lossSeed: 7 });
    const channel = await connect(await station(setup.host.address));
    const back: Uint8Array[] = [];
    channel.onMessage((message) => back.push(message));

    const sent: Uint8Array[] = [];
    for (let i = 0; i < 100; i++) {
      const message = i % 10 === 0 ? pattern(700, 0x01, i) : pattern(244, 0xda, i);
      sent.push(message);
      await (message.length > 244 ? channel.send(message) : channel.sendData(message));
    }
    for (let i = 0; i < 20; i++) await setup.deviceEnd().send(pattern(600, 0x02, i));

    await waitFor(() => setup.received.length === 100 && back.length === 20, 'all messages');
    expect(setup.received).toEqual(sent);
    expect(back[19]).toEqual(pattern(600, 0x02, 19));
  });

  it('finds a radio that comes up after the station, on a Unix socket', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ble-sock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'radio.sock');

    const bluetooth = await station(path, 50);
    expect(bluetooth.state().state).toBe('virtual');
    const setup = await bench({ listen: path });
    expect(setup.host.address).toBe(path);

    const channel = await connect(bluetooth);
    await channel.sendData(pattern(10, 0xda));
    await waitFor(() => setup.received.length === 1, 'the chunk at the device');
  });

  it('drops the link while the device reboots and advertises again after', async () => {
    const setup = await bench({});
    const bluetooth = await station(setup.host.address);
    const channel = await connect(bluetooth);
    const reasons: string[] = [];
    channel.onClose((reason) => reasons.push(reason));

    const rebooted = setup.device.reboot();
    await waitFor(() => reasons.length === 1, 'the link to drop');
    expect(reasons[0]).toMatch(/rebooting/);
    expect(setup.radio.peripheral.discoverable).toBe(false);

    await rebooted;
    await heard(bluetooth, 'NOTE-00001');
  });

  it('listens to several radios at once', async () => {
    const east = await bench({}, 'NOTE-00001');
    const west = await bench({}, 'NOTE-00002');
    const bluetooth = await station(`${east.host.address},${west.host.address}`);

    const links = [await connect(bluetooth, 'NOTE-00001'), await connect(bluetooth, 'NOTE-00002')];
    await links[0]!.sendData(pattern(30, 0xda, 1));
    await links[1]!.sendData(pattern(30, 0xda, 2));

    await waitFor(() => east.received.length === 1 && west.received.length === 1, 'both chunks');
    expect(east.received[0]).toEqual(pattern(30, 0xda, 1));
    expect(west.received[0]).toEqual(pattern(30, 0xda, 2));
  });

  it('hears devices again once a radio that went away comes back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ble-sock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'radio.sock');
    const first = await bench({ listen: path });
    const bluetooth = await station(path, 50);
    const channel = await connect(bluetooth);
    const reasons: string[] = [];
    channel.onClose((reason) => reasons.push(reason));

    first.radio.close();
    await first.host.close();
    await waitFor(() => reasons.length === 1, 'the link to drop with the radio');

    await bench({ listen: path }, 'NOTE-00002');
    await heard(bluetooth, 'NOTE-00002');
  });
});
