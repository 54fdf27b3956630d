// `npm run bench:link`: pushes a 1 MiB .ufw with the station's LinkSession (a) over the
// virtual Bluetooth radio (bench/link-ble.ts: 2M PHY, 247-byte ATT MTU, 7.5 ms interval)
// and (b) over a socat pty pair (bench/link-serial.ts), and prints how close each comes to
// what its link can carry. Last line: {"ble": {...}, "serial": {...}}.
import { measureSerial } from './link-serial';

interface BleResult {
  kib_per_s: number;
  capacity_kib_per_s: number;
  ratio: number;
}

async function measureBleIfPresent(): Promise<BleResult | null> {
  try {
    const module = (await import('./link-ble')) as { measureBle?: () => Promise<BleResult> };
    return module.measureBle ? await module.measureBle() : null;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.log(`Bluetooth bench unavailable: ${reason}`);
    return null;
  }
}

function round(result: object): Record<string, number> {
  return Object.fromEntries(
    Object.entries(result).map(([key, value]) => [key, Math.round(Number(value) * 1000) / 1000]),
  );
}

const ble = await measureBleIfPresent();
if (ble) {
  console.log(
    `ble: ${ble.kib_per_s.toFixed(1)} KiB/s of ${ble.capacity_kib_per_s.toFixed(1)} KiB/s ` +
      `capacity (ratio ${ble.ratio.toFixed(3)}, target ≥ 0.9)`,
  );
}
const serial = await measureSerial();
console.log(
  `serial: ${serial.kib_per_s.toFixed(0)} KiB/s begin to verify reply of ` +
    `${serial.capacity_kib_per_s.toFixed(0)} KiB/s capacity (medians; ratio ` +
    `${serial.ratio.toFixed(3)} as the median of paired rounds, ` +
    `${serial.ratio_of_medians.toFixed(3)} of the medians; target ≥ 0.8; streaming alone ` +
    `${serial.stream_kib_per_s.toFixed(0)} KiB/s, ratio ${serial.stream_ratio.toFixed(3)})`,
);
console.log(JSON.stringify({ ...(ble ? { ble: round(ble) } : {}), serial: round(serial) }));
