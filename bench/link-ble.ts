// Pushes a 1 MiB .ufw with the station's LinkSession over the virtual Bluetooth radio, through
// real noble on the virtual bindings, to a VirtualDevice serving the link protocol, and
// compares the rate with what the link model says the link can carry.
//
//   npm run bench:link-ble   (or: tsx bench/link-ble.ts)
//
// Link: 2M PHY, 247-byte ATT MTU, 7.5 ms connection interval, no loss. Prints its figures
// and, last, one JSON line: {"kib_per_s":…,"capacity_kib_per_s":…,"ratio":…}.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

import { advertiseDevice } from '../agent/ble/device-radio';
import { RadioHost } from '../agent/ble/radio-host';
import { VirtualDevice } from '../agent/device/device';
import { serveLink } from '../agent/link/serve';
import { type Bluetooth, openBluetooth } from '../main/link/ble/index';
import { LinkSession } from '../main/link/session';
import { buildImage } from '../protocol/image';
import {
  capacityBytesPerSecond,
  DEFAULT_LINK,
  type LinkParameters,
  packetsPerEvent,
} from '../protocol/radio/link-model';
import { encodeUfw } from '../protocol/ufw';

const IMAGE_BYTES = 1024 * 1024 - 128; // with the 128-byte header the .ufw is 1 MiB
const LINK: Partial<LinkParameters> = { phy: '2M', attMtu: 247, connectionIntervalMs: 7.5 };

/** What one run measured. */
export interface BleBenchResult {
  /** .ufw bytes per second the transfer achieved, in KiB/s. */
  kib_per_s: number;
  /** What the link model says the link carries one way, in KiB/s. */
  capacity_kib_per_s: number;
  /** Achieved over capacity. */
  ratio: number;
}

/** Runs the transfer once and returns the rates. */
export async function measureBle(): Promise<BleBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-ble-'));
  const host = await RadioHost.listen({ link: LINK });
  const device = await VirtualDevice.open({ dir, model: 'bota-pin', serial: 'PIN-90001' });
  const radio = advertiseDevice(host, device, { serve: serveLink });
  const bluetooth = await openBluetooth({ virtualRadio: host.address });

  try {
    const session = new LinkSession(await connectFirst(bluetooth));
    await session.identify();

    const image = buildImage({ model: 'bota-pin', version: 'v1.1.0-001' }, IMAGE_BYTES);
    const ufw = encodeUfw({ model: 'bota-pin', version: 'v1.1.0-001' }, image);
    const started = performance.now();
    await session.transfer(ufw, () => undefined);
    const seconds = (performance.now() - started) / 1000;
    await session.close();

    const kibPerS = ufw.length / 1024 / seconds;
    const capacity = capacityBytesPerSecond(host.link) / 1024;
    return { kib_per_s: kibPerS, capacity_kib_per_s: capacity, ratio: kibPerS / capacity };
  } finally {
    await bluetooth.close();
    radio.close();
    await device.close();
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function connectFirst(bluetooth: Bluetooth) {
  const address = await new Promise<string>((resolve) => {
    const stop = bluetooth.onAdvertisement((ad) => {
      stop();
      resolve(ad.address);
    });
    void bluetooth.startScanning();
  });
  await bluetooth.stopScanning();
  return bluetooth.connect(address);
}

async function main(): Promise<void> {
  // Event-loop stalls beyond the TX buffer (six events) leave the modelled air idle, as a
  // starved host would a real controller; the figure shows how loaded this machine was.
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const result = await measureBle();
  lag.disable();
  const link = { ...DEFAULT_LINK, ...LINK };

  console.log(`link: 2M PHY, ATT MTU 247, 7.5 ms interval, ${packetsPerEvent(link)} packets/event`);
  console.log(`capacity: ${result.capacity_kib_per_s.toFixed(1)} KiB/s (link model)`);
  console.log(`achieved: ${result.kib_per_s.toFixed(1)} KiB/s for a 1 MiB .ufw`);
  console.log(
    `1 MiB in ${(1024 / result.kib_per_s).toFixed(2)} s, ratio ${result.ratio.toFixed(3)}`,
  );
  console.log(`event-loop delay: p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms`);
  console.log(JSON.stringify(result));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
