import type { DeviceModel } from './models';

/** What a device says about itself: to the station over the link, and in the station's API. */
export interface DeviceIdentity {
  /** Its model. */
  model: DeviceModel;
  /** Printed serial number. */
  serial: string;
  /** Running firmware (`v1.0.1-001`). */
  firmwareVersion: string;
  /** True while recording. */
  recording: boolean;
  /** Battery, 0 to 100. */
  battery: number;
  /** The cloud device id once provisioned, else null. */
  deviceId: string | null;
  /** True when the device can resume a broken transfer of the same image. */
  canResume: boolean;
}
