import type { LinkChannel } from '../../protocol/link/channel';
import { openSerialChannel } from '../../protocol/link/serial-channel';
import type { VirtualDevice } from '../device/device';
import { type AgentLogger, silentLogger } from '../log';
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
  const port = new DevicePort(device, path, options);
  await port.attach();
  return { close: () => port.close() };
}

class DevicePort {
  private closed = false;
  private current: { channel: LinkChannel; stop: () => void } | null = null;
  private retry: NodeJS.Timeout | null = null;
  private readonly log: AgentLogger;

  constructor(
    private readonly device: VirtualDevice,
    private readonly path: string,
    private readonly options: ServeSerialOptions,
  ) {
    this.log = (options.logger ?? silentLogger).child({ serial: device.serial });
  }

  async attach(): Promise<void> {
    this.retry = null;
    if (this.closed) return;
    try {
      const channel = await openSerialChannel(this.path);
      if (this.closed) return void channel.close();
      // A quiet line may mean the pty behind the path was replaced (socat restarted), so
      // the port is reopened rather than trusted.
      const onIdle = (): void => void channel.close();
      const service = serveLink(this.device, channel, { ...this.options, onIdle });
      this.current = { channel, stop: () => service.close() };
      channel.onClose(() => {
        this.current = null;
        this.schedule();
      });
    } catch (error) {
      this.log.debug({ err: error }, `link: (${this.device.serial}) ${this.path} not open yet`);
      this.schedule();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.current?.stop();
    await this.current?.channel.close();
  }

  private schedule(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => void this.attach(), this.options.reopenMs ?? 200);
  }
}
