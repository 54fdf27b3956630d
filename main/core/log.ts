import pino from 'pino';

import type { LogLine } from '../../contract/station';

/** Lines the ring keeps for the window's log panel. */
export const LOG_RING_SIZE = 500;

type Level = LogLine['level'];

/**
 * The core's log: every line goes to pino (structured, with its subsystem as `scope`) and,
 * from info up, into a bounded ring the window shows and to subscribers as it happens.
 * Messages read `link: (PIN-00042) transfer done 1.0 MiB in 6.8 s`; the scope prefix is
 * added here so callers write only the sentence.
 */
export class StationLog {
  private readonly ring: LogLine[] = [];

  constructor(
    private readonly logger: pino.Logger,
    private readonly onLine: (line: LogLine) => void,
  ) {}

  /** A line for byte-level or per-request detail: pino only, never the ring. */
  debug(scope: string, message: string, fields: object = {}): void {
    this.logger.debug({ scope, ...fields }, `${scope}: ${message}`);
  }

  /** One line per state change a person would want to read. */
  info(scope: string, message: string, fields: object = {}): void {
    this.write('info', scope, message, fields);
  }

  /** Something went wrong but the station carries on. */
  warn(scope: string, message: string, fields: object = {}): void {
    this.write('warn', scope, message, fields);
  }

  /** Something failed that a person should look at. */
  error(scope: string, message: string, fields: object = {}): void {
    this.write('error', scope, message, fields);
  }

  /** Recent lines, oldest first. */
  recent(): LogLine[] {
    return [...this.ring];
  }

  private write(level: Level, scope: string, message: string, fields: object): void {
    this.logger[level]({ scope, ...fields }, `${scope}: ${message}`);

    const line: LogLine = { at: Date.now(), level, scope, message };
    this.ring.push(line);
    if (this.ring.length > LOG_RING_SIZE) this.ring.shift();
    this.onLine(line);
  }
}

/** The logger used when none is given: quiet under test, info on stderr otherwise. */
export function defaultLogger(): pino.Logger {
  const level = process.env.BOTA_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return pino({ level, base: { name: 'station' } }, pino.destination(2));
}

/** Bytes as a person reads them: `1.0 MiB`, `512 KiB`, `900 B`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} B`;
}

/** A duration in seconds with one decimal: `6.8 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
