import { SerialPort } from 'serialport';

import type { LinkChannel } from '../../protocol/link/channel';
import { fixSerialPoller } from '../../protocol/link/serial-poll-fix';
import { createStreamChannel, SERIAL_MAX_MESSAGE_BYTES } from '../../protocol/link/stream-channel';
import type { VirtualDevice } from '../device/device';
import { silentLogger } from '../log';
import { serveLink, type ServeLinkOptions } from './serve';

/** How a device serves its serial port. */
export interface ServeSerialOptions extends ServeLinkOptions {
  /** How often to try the port again after it closed or failed to open, ms. Default 200. */
  reopenMs?: number;
}

/**
 * The device end of a serial port: serves the link protocol on `path` and, like a device
 * whose USB cable is pulled and plugged back, reopens the port whenever it goes away or
 * falls quiet (a killed and restarted socat pair brings the same path back).
 */
export async function serveSerial(
  device: VirtualDevice,
  path: string,
  options: ServeSerialOptions = {},
): Promise<{ close(): Promise<void> }> {
  const log = (options.logger ?? silentLogger).child({ serial: device.serial });
  let closed = false;
  let current: { channel: LinkChannel; stop: () => void } | null = null;
  let retry: NodeJS.Timeout | null = null;

  const attach = async (): Promise<void> => {
    retry = null;
    if (closed) return;
    try {
      const channel = await openDeviceChannel(path);
      if (closed) return void channel.close();
      // A quiet line may mean the pty behind the path was replaced (socat restarted), so
      // the port is reopened rather than trusted.
      const service = serveLink(device, channel, {
        ...options,
        onIdle: () => void channel.close(),
      });
      current = { channel, stop: () => service.close() };
      channel.onClose(() => {
        current = null;
        schedule();
      });
    } catch (error) {
      log.debug({ err: error }, `link: (${device.serial}) ${path} not open yet`);
      schedule();
    }
  };
  const schedule = (): void => {
    if (!closed && !retry) retry = setTimeout(() => void attach(), options.reopenMs ?? 200);
  };

  await attach();
  return {
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      current?.stop();
      await current?.channel.close();
    },
  };
}

async function openDeviceChannel(path: string): Promise<LinkChannel> {
  const port = new SerialPort({
    path,
    baudRate: 921_600,
    autoOpen: false,
    highWaterMark: 256 * 1024,
  });
  await new Promise<void>((resolve, reject) =>
    port.open((error) => (error ? reject(error) : resolve())),
  );
  fixSerialPoller(port);
  return createStreamChannel({
    stream: port,
    kind: 'serial',
    maxMessageBytes: SERIAL_MAX_MESSAGE_BYTES,
    closeStream: () =>
      port.isOpen ? new Promise((resolve) => port.close(() => resolve())) : Promise.resolve(),
  });
}
