import type { LinkChannel } from './channel';
import { closeSerialPort, openSerialPort } from './serial-port';
import { createStreamChannel, SERIAL_MAX_MESSAGE_BYTES } from './stream-channel';

/** How to open a serial link. */
export interface SerialChannelOptions {
  /** Line speed; ignored by USB CDC ports and ptys, honoured by real UARTs. Default 921600. */
  baudRate?: number;
  /** Told about each damaged frame dropped (line noise), for logs and counters. */
  onDrop?: (reason: string) => void;
}

/**
 * Opens the serial port at `path` as a LinkChannel: COBS frames with a CRC32 each
 * (framing.ts). The station and the device open their ends the same way. Rejects with the
 * port's own error when it cannot be opened.
 */
export async function openSerialChannel(
  path: string,
  options: SerialChannelOptions = {},
): Promise<LinkChannel> {
  const port = await openSerialPort(path, { baudRate: options.baudRate });
  return createStreamChannel({
    stream: port,
    kind: 'serial',
    maxMessageBytes: SERIAL_MAX_MESSAGE_BYTES,
    closeStream: () => closeSerialPort(port),
    onDrop: options.onDrop,
  });
}
