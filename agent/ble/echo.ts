import type { LinkChannel } from '../../protocol/link/channel';
import type { LinkService } from './device-radio';

/**
 * A stand-in link service for testing the Bluetooth transport alone: it sends every control
 * message back with send() and every data message back with sendData(). A control message
 * reading `bye` makes the device end the connection, to test a device-side disconnect.
 */
export function serveEcho(_device: unknown, channel: LinkChannel): LinkService {
  const bye = new TextEncoder().encode('bye');

  // Data and control arrive through one listener; the first byte tells them apart here:
  // the test sends data messages starting with 0xda and control messages without it.
  const stop = channel.onMessage((message) => {
    const data = message[0] === 0xda;
    if (!data && sameBytes(message, bye)) return void channel.close();
    const reply = data ? channel.sendData(message) : channel.send(message);
    reply.catch(() => undefined);
  });
  return { close: stop };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
