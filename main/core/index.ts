import { defaultLogger } from './log';
import type { StationOptions } from './options';
import { realDeps } from './real-deps';
import { createStationWith, type Station } from './station';

export type { StationOptions, StationTiming } from './options';
export type { Station } from './station';

/**
 * Starts the station core (interfaces.md §8) on the real transports: serial ports (listed
 * ones plus `serialPatterns`), Bluetooth (the virtual radio when `virtualRadio` is set,
 * else a real adapter through noble, or 'unavailable' with the reason) and the cloud at
 * `cloudUrl`. No Electron import anywhere below here: it runs under plain Node.
 */
export async function createStation(options: StationOptions): Promise<Station> {
  const logger = options.logger ?? defaultLogger();
  const deps = await realDeps(options, logger);
  return createStationWith({ ...options, logger }, deps);
}
