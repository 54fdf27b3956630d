import pino from 'pino';

/**
 * The station's log for a person at a terminal: `16:58:02 info  link: (PIN-00001) connected`
 * on stderr, one line per entry. When stderr is not a terminal (CI, a log collector) the
 * lines stay pino's JSON, which machines read better.
 */

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** A pino logger writing readable lines to a terminal, or JSON otherwise. */
export function consoleLogger(level: string, stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return pino({ level }, stream);
  return pino({ level }, { write: (line: string) => stream.write(readable(line)) });
}

/** One pino JSON line as `HH:MM:SS level message`. */
export function readable(line: string): string {
  try {
    const entry = JSON.parse(line) as { time?: number; level?: number; msg?: string };
    const time = new Date(entry.time ?? Date.now()).toTimeString().slice(0, 8);
    const level = (LEVELS[entry.level ?? 30] ?? 'info').padEnd(5);
    return `${time} ${level} ${entry.msg ?? ''}\n`;
  } catch {
    return line;
  }
}
