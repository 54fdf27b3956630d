import { EventEmitter } from 'node:events';
import { readSync, writeSync } from 'node:fs';

// serialport's binding contract (@serialport/bindings-interface), as far as it is used here;
// that package's own types cannot be resolved under ESM, so they are restated.

/** A platform binding: lists and opens ports. */
export interface BindingInterface {
  list(): Promise<unknown[]>;
  open(options: object): Promise<BindingPortInterface>;
}

/** One open port, as SerialPortStream drives it. */
export interface BindingPortInterface {
  readonly openOptions: object;
  readonly isOpen: boolean;
  close(): Promise<void>;
  read(buffer: Buffer, offset: number, length: number): Promise<ReadResult>;
  write(buffer: Buffer): Promise<void>;
  update(options: object): Promise<void>;
  set(options: object): Promise<void>;
  get(): Promise<object>;
  getBaudRate(): Promise<{ baudRate: number }>;
  flush(): Promise<void>;
  drain(): Promise<void>;
}

interface ReadResult {
  buffer: Buffer;
  bytesRead: number;
}

/**
 * A serialport binding whose reads and writes are plain non-blocking syscalls on the event
 * loop, as libuv does for sockets and pipes. The stock Linux and macOS binding sends every
 * read and write through libuv's thread pool: a 4 KiB pty read then costs two thread hand-offs
 * and, on a busy machine, more time than the copy itself. Opening, settings, locks, flush and
 * drain stay the stock binding's. When the port's fd blocks (EAGAIN) the read or write waits
 * on the stock binding's poller (epoll), asking it for every event that still has a waiter:
 * its own `once` restarts the poll with only the newest event, so a waiting read would cancel
 * a waiting write.
 */
export function directIoBinding(stock: BindingInterface): BindingInterface {
  return {
    list: () => stock.list(),
    open: async (options) => {
      const port = await stock.open(options);
      return isPollable(port) ? new DirectIoPort(port) : port;
    },
  };
}

const WOULD_BLOCK = -1;
const READABLE = 0b001;
const WRITABLE = 0b010;
const DISCONNECT = 0b100;

/** What the stock Unix port binding exposes that this one builds on. */
interface PollablePort extends BindingPortInterface {
  readonly fd: number | null;
  readonly poller: EventEmitter & { poll(flags: number): void };
}

function isPollable(port: BindingPortInterface): port is PollablePort {
  const candidate = port as Partial<PollablePort>;
  return typeof candidate.fd === 'number' && typeof candidate.poller?.poll === 'function';
}

class DirectIoPort implements BindingPortInterface {
  constructor(private readonly stock: PollablePort) {}

  get openOptions(): object {
    return this.stock.openOptions;
  }

  get isOpen(): boolean {
    return this.stock.isOpen;
  }

  /** Resolves with at least one byte, or with none at end of file (the port went away). */
  async read(buffer: Buffer, offset: number, length: number): Promise<ReadResult> {
    for (;;) {
      const bytesRead = this.attempt(() => readSync(this.fd(), buffer, offset, length, null));
      if (bytesRead !== WOULD_BLOCK) return { buffer, bytesRead };
      await this.wait('readable');
    }
  }

  async write(buffer: Buffer): Promise<void> {
    let written = 0;
    while (written < buffer.length) {
      const wrote = this.attempt(() =>
        writeSync(this.fd(), buffer, written, buffer.length - written),
      );
      if (wrote === WOULD_BLOCK) await this.wait('writable');
      else written += wrote;
    }
  }

  close(): Promise<void> {
    return this.stock.close();
  }

  update(options: object): Promise<void> {
    return this.stock.update(options);
  }

  set(options: object): Promise<void> {
    return this.stock.set(options);
  }

  get(): Promise<object> {
    return this.stock.get();
  }

  getBaudRate(): Promise<{ baudRate: number }> {
    return this.stock.getBaudRate();
  }

  flush(): Promise<void> {
    return this.stock.flush();
  }

  drain(): Promise<void> {
    return this.stock.drain();
  }

  private fd(): number {
    const fd = this.stock.fd;
    if (fd === null) throw canceled();
    return fd;
  }

  /** Runs one syscall: its count, WOULD_BLOCK, or throws as the stock binding does. */
  private attempt(syscall: () => number): number {
    // EAGAIN is the normal end of every burst, and Node reports it as a thrown error; without
    // a stack trace to capture that costs a few microseconds instead of tens.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return syscall();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') return WOULD_BLOCK;
      throw asDisconnect(error as NodeJS.ErrnoException);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }

  private wait(event: 'readable' | 'writable'): Promise<void> {
    const { poller } = this.stock;
    return new Promise((resolve, reject) => {
      // EventEmitter's own once: the poller's override would restart the poll for `event`
      // alone.
      EventEmitter.prototype.once.call(poller, event, (error: Error | null) =>
        error ? reject(error) : resolve(),
      );
      let flags = 0;
      if (poller.listenerCount('readable') > 0) flags |= READABLE;
      if (poller.listenerCount('writable') > 0) flags |= WRITABLE;
      if (poller.listenerCount('disconnect') > 0) flags |= DISCONNECT;
      poller.poll(flags);
    });
  }
}

/** The error a read or write gets when its port closes under it (serialport's contract). */
function canceled(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}

/** Marks the errors that mean the device went away, as the stock binding does. */
function asDisconnect(error: NodeJS.ErrnoException): NodeJS.ErrnoException {
  if (['EBADF', 'ENXIO', 'EIO', 'UNKNOWN'].includes(error.code ?? '') || error.errno === -1) {
    Object.assign(error, { disconnect: true });
  }
  return error;
}
