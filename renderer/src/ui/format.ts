import { type DeviceModel, modelInfo } from '../../../protocol/models';

/** The name a person reads for a model (`Bota Pin Pro`). */
export function modelName(model: DeviceModel): string {
  return modelInfo(model).name;
}

/** Bytes in the unit a person reads: `512 B`, `256.0 KiB`, `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A transfer rate: `48.2 KiB/s`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** Whole percent of done over total, 0 when total is unknown. */
export function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
}

/** A time as `14:02:11`, or with the date when not today. */
export function formatTime(at: string | number): string {
  const date = new Date(at);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}

/** How long ago, in words: `12 s ago`, `5 min ago`, `3 h ago`. */
export function formatAgo(at: string | null, now = Date.now()): string {
  if (!at) return 'never';
  const seconds = Math.max(0, Math.round((now - new Date(at).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** A Bluetooth signal in words with its dBm: `strong (−48 dBm)`. */
export function formatSignal(rssi: number | null): string {
  if (rssi === null) return 'wired';
  const words = rssi >= -60 ? 'strong' : rssi >= -75 ? 'fair' : 'weak';
  return `${words} (${rssi} dBm)`;
}
