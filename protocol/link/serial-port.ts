import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';

import { directIoBinding } from './serial-binding';

/** How a serial port is opened for the link. */
export interface SerialPortOptions {
  /** Line speed; ignored by USB CDC ports and ptys, honoured by real UARTs. Default 921600. */
  baudRate?: number;
}

const binding = directIoBinding(SerialPort.binding);

/**
 * Opens the serial port at `path` as both ends of the link do: serialport's stream over the
 * platform's binding with direct reads and writes (serial-binding.ts), a 256 KiB buffer each
 * way so a sender rarely waits on 'drain'. Rejects with the port's own error.
 */
export async function openSerialPort(
  path: string,
  options: SerialPortOptions = {},
): Promise<SerialPortStream> {
  const port = new SerialPortStream({
    binding,
    path,
    baudRate: options.baudRate ?? 921_600,
    autoOpen: false,
    highWaterMark: 256 * 1024,
  });
  await new Promise<void>((resolve, reject) =>
    port.open((error) => (error ? reject(error) : resolve())),
  );
  return port;
}

/** Closes a port opened by openSerialPort; resolves at once when it is already closed. */
export function closeSerialPort(port: SerialPortStream): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.close(() => resolve()));
}
