import { slotPath, writeFactoryImage } from './slots';
import type { DeviceState } from './state-file';
import type { VirtualDeviceOptions } from './types';

/** The firmware a device leaves the factory with when none is named. */
export const DEFAULT_FIRMWARE = 'v1.0.0-001';

/** First boot: writes the factory image into slot a and returns the fresh state. */
export async function factoryState(
  deviceDir: string,
  options: VirtualDeviceOptions,
): Promise<DeviceState> {
  const version = options.firmwareVersion ?? DEFAULT_FIRMWARE;
  await writeFactoryImage(slotPath(deviceDir, 'a'), options.model, version);
  return {
    format: 1,
    model: options.model,
    serial: options.serial,
    running: 'a',
    firmwareVersion: version,
    spare: null,
    identity: null,
    recording: false,
    battery: options.battery ?? 100,
    lastBoot: null,
  };
}
