import type pino from 'pino';

import { CloudClient } from '../../cloud/client';
import type { BluetoothState } from '../../contract/station';
import type { LinkChannel } from '../../protocol/link/channel';
import { openBluetooth } from '../link/ble';
import { openSerialChannel, type SerialPortInfo, watchSerialPorts } from '../link/serial';
import { LinkSession } from '../link/session';
import { resolveTiming, type StationOptions } from './options';
import type { BluetoothPort, SerialPorts, StationDeps } from './ports';

/**
 * The real pieces behind the core: H1's cloud client, H4's link session and serial
 * transport, H5's Bluetooth (the virtual radio when `virtualRadio` is set, else noble).
 */
export async function realDeps(options: StationOptions, logger: pino.Logger): Promise<StationDeps> {
  const timing = resolveTiming(options);
  const linkLogger = logger.child({ scope: 'link' });
  return {
    cloud: new CloudClient({ baseUrl: options.cloudUrl, token: options.cloudToken }),
    serial: serialPorts(),
    bluetooth: await bluetooth(options.virtualRadio),
    openSession: (channel: LinkChannel, label: string) =>
      new LinkSession(channel, {
        label,
        logger: linkLogger,
        keepaliveMs: timing.keepaliveMs || undefined,
        // The session's own retries (three attempts) fit inside the core's identify timeout.
        requestTimeoutMs: Math.max(200, Math.round(timing.identifyTimeoutMs / 3)),
      }),
  };
}

function serialPorts(): SerialPorts {
  return {
    async watch(patterns, onAdd, onRemove) {
      const watcher = await watchSerialPorts(
        { patterns },
        (port) => {
          if (isDevicePort(port)) onAdd(port.path, port.label ?? port.path);
        },
        (port) => {
          if (isDevicePort(port)) onRemove(port.path);
        },
      );
      return async () => {
        await watcher.close();
      };
    },
    open: (path) => openSerialChannel(path),
  };
}

/**
 * Bota devices attach over USB, which always names a manufacturer; a listed port without
 * one is a built-in UART (`/dev/ttyS0`) and is left alone. Configured paths always count.
 */
function isDevicePort(port: SerialPortInfo): boolean {
  return port.source === 'pattern' || (port.label !== undefined && port.label !== port.path);
}

/** Opens Bluetooth; if even that throws, a stand-in that says why it is unavailable. */
async function bluetooth(virtualRadio: string | undefined): Promise<BluetoothPort> {
  try {
    return await openBluetooth({ virtualRadio });
  } catch (error) {
    const reason = `Bluetooth unavailable: ${error instanceof Error ? error.message : error}`;
    return unavailableBluetooth({ state: 'unavailable', reason });
  }
}

function unavailableBluetooth(state: BluetoothState): BluetoothPort {
  const refuse = () => Promise.reject(new Error(state.reason ?? 'Bluetooth unavailable'));
  return {
    state: () => state,
    onStateChange: () => () => undefined,
    onAdvertisement: () => () => undefined,
    startScanning: refuse,
    stopScanning: async () => undefined,
    connect: refuse,
    close: async () => undefined,
  };
}
