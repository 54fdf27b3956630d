/**
 * Works around a bug in @serialport/bindings-cpp 13 on Linux and macOS: its poller restarts
 * libuv's poll with only the event just asked for, so a read waiting for "readable" cancels
 * a write waiting for "writable". A port that reads while its writes are backed up then
 * never drains, and a fast sender hangs. The fix asks for every event that still has a
 * waiter each time. It patches the poller's class once per process; it needs no import of
 * serialport, so both ends of the serial link share it.
 *
 * Shortcoming: this patches a dependency's internals at runtime — better: the upstream fix
 * (poll with the union of pending events) and this file deleted.
 */

const READABLE = 0b001;
const WRITABLE = 0b010;
const DISCONNECT = 0b100;
const PATCHED = Symbol.for('bota.serialPollFix');

interface PollerLike {
  listenerCount(event: string): number;
  poll(flags?: number): void;
}

/** Patches the poller behind an open SerialPort (`port.port.poller`); safe to call often. */
export function fixSerialPoller(serialPort: unknown): void {
  const poller = (serialPort as { port?: { poller?: PollerLike } }).port?.poller;
  if (!poller || typeof poller.poll !== 'function') return;
  const proto = Object.getPrototypeOf(poller) as PollerLike & { [PATCHED]?: true };
  if (proto[PATCHED]) return;

  const original = proto.poll;
  proto.poll = function poll(this: PollerLike, flags = 0): void {
    let wanted = flags;
    if (this.listenerCount('readable') > 0) wanted |= READABLE;
    if (this.listenerCount('writable') > 0) wanted |= WRITABLE;
    if (this.listenerCount('disconnect') > 0) wanted |= DISCONNECT;
    original.call(this, wanted);
  };
  proto[PATCHED] = true;
}
