import { SerialPort } from 'serialport';

import { expandPattern } from './glob';

/** A serial port the station could open. */
export interface SerialPortInfo {
  /** The path to open (as configured, so a socat link keeps its stable name). */
  path: string;
  /** A name for people: the USB manufacturer when the system knows one, else the path. */
  label?: string;
  /** Where it was found: the system's port list or a configured pattern. */
  source: 'system' | 'pattern';
}

/** What to watch. */
export interface SerialWatchOptions {
  /** Extra paths or globs (`/tmp/bota/*-station`); ptys are not in the system list. */
  patterns: string[];
  /** Include the system's own list (SerialPort.list()). Default true. */
  includeSystemPorts?: boolean;
  /** How often to look again, ms. Default 1000. */
  intervalMs?: number;
}

/** A running watch; close() stops it. */
export interface SerialWatcher {
  /** The ports present at the last look. */
  ports(): SerialPortInfo[];
  /** Stops polling. */
  close(): Promise<void>;
}

/**
 * Polls SerialPort.list() plus the configured patterns and calls `onAdd` / `onRemove` as
 * ports appear and go. The first look completes before this resolves, so ports already
 * present are reported at once.
 */
export async function watchSerialPorts(
  options: SerialWatchOptions,
  onAdd: (port: SerialPortInfo) => void,
  onRemove: (port: SerialPortInfo) => void,
): Promise<SerialWatcher> {
  const watcher = new PortWatcher(options, onAdd, onRemove);
  await watcher.loop();
  return watcher;
}

class PortWatcher implements SerialWatcher {
  private readonly known = new Map<string, SerialPortInfo>();
  private closed = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: SerialWatchOptions,
    private readonly onAdd: (port: SerialPortInfo) => void,
    private readonly onRemove: (port: SerialPortInfo) => void,
  ) {}

  ports(): SerialPortInfo[] {
    return [...this.known.values()];
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Looks once, then schedules the next look. */
  async loop(): Promise<void> {
    await this.look().catch(() => undefined); // a failed look is retried at the next tick
    if (this.closed) return;
    this.timer = setTimeout(() => void this.loop(), this.options.intervalMs ?? 1000);
  }

  private async look(): Promise<void> {
    const found = await listPorts(this.options);
    if (this.closed) return;
    for (const [path, port] of this.known) {
      if (found.has(path)) continue;
      this.known.delete(path);
      this.onRemove(port);
    }
    for (const [path, port] of found) {
      if (this.known.has(path)) continue;
      this.known.set(path, port);
      this.onAdd(port);
    }
  }
}

async function listPorts(options: SerialWatchOptions): Promise<Map<string, SerialPortInfo>> {
  const found = new Map<string, SerialPortInfo>();
  if (options.includeSystemPorts ?? true) {
    for (const port of await SerialPort.list().catch(() => [])) {
      found.set(port.path, { path: port.path, label: port.manufacturer, source: 'system' });
    }
  }
  for (const pattern of options.patterns) {
    for (const path of await expandPattern(pattern)) {
      found.set(path, { path, label: path, source: 'pattern' });
    }
  }
  return found;
}
