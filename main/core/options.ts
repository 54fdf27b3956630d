import type pino from 'pino';

/** How the station core is set up (interfaces.md §8). */
export interface StationOptions {
  /** The cloud's base URL (embedded or remote). */
  cloudUrl: string;
  /** An operator or admin token for that cloud. */
  cloudToken: string;
  /** The cloud URL stored on devices at provisioning; defaults to cloudUrl. */
  deviceCloudUrl?: string;
  /** Extra serial ports or globs to watch (socat ptys are not listed by the system). */
  serialPatterns?: string[];
  /** Address(es) of a virtual radio to use instead of a real Bluetooth adapter. */
  virtualRadio?: string;
  /** Connect and identify every discovered device; default true. */
  autoConnect?: boolean;
  /** Folder for the firmware download cache. */
  workDir: string;
  /** Where log lines go besides the station's own log ring; default stderr at info. */
  logger?: pino.Logger;
  /** Timings, for tests that need milliseconds; see StationTiming. */
  timing?: Partial<StationTiming>;
}

/** The core's time-based behaviour, all in milliseconds. */
export interface StationTiming {
  /** How long a lost device stays listed, waiting to come back. */
  lostGraceMs: number;
  /** Pause between attempts to reopen a serial link that dropped. */
  reconnectDelayMs: number;
  /** Attempts auto-connect makes before leaving a device 'discovered'. */
  connectAttempts: number;
  /** How long an updated device may take to reboot and identify with its new version. */
  rebootTimeoutMs: number;
  /** How often the rebooting wait asks the device who it is. */
  rebootPollMs: number;
  /** How often the newest release per model is refreshed. */
  releaseRefreshMs: number;
  /** Least time between progress events of one job. */
  progressIntervalMs: number;
  /** Window over which transfer rates are smoothed. */
  rateWindowMs: number;
  /** How long one identify may take before the link counts as silent. */
  identifyTimeoutMs: number;
  /** How often an idle link is pinged so the device stays attached; 0 = the session's own. */
  keepaliveMs: number;
}

/** The timings a station uses unless told otherwise. */
export const DEFAULT_TIMING: StationTiming = {
  lostGraceMs: 15_000,
  reconnectDelayMs: 1_000,
  connectAttempts: 3,
  rebootTimeoutMs: 60_000,
  rebootPollMs: 500,
  releaseRefreshMs: 30_000,
  progressIntervalMs: 100,
  rateWindowMs: 1_000,
  identifyTimeoutMs: 10_000,
  keepaliveMs: 0,
};

/** The options with every default filled in. */
export function resolveTiming(options: StationOptions): StationTiming {
  return { ...DEFAULT_TIMING, ...options.timing };
}
