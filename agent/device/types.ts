import type { DeviceModel } from '../../protocol/models';
import type { AgentLogger } from '../log';
import type { DeviceHooks } from './hooks';
import type { BootRecord } from './state-file';

/** How to open (or first create) one virtual device. */
export interface VirtualDeviceOptions {
  /** Folder holding every device's state; this one lives in `<dir>/<serial>/`. */
  dir: string;
  /** The device's model. */
  model: DeviceModel;
  /** Printed serial number, e.g. `PIN-00042`. */
  serial: string;
  /** Firmware it leaves the factory with; used on first boot only. Default `v1.0.0-001`. */
  firmwareVersion?: string;
  /** Battery charge on first boot, 0 to 100. Default 100. */
  battery?: number;
  /** How long a reboot keeps it offline, ms. Default 2000. */
  rebootMs?: number;
  /** Fault seams (agent/faults/). */
  hooks?: DeviceHooks;
  /** Where its state changes are logged. Default silent. */
  logger?: AgentLogger;
}

/** What the device says about itself (protocol/identity.ts). */
export type { DeviceIdentity } from '../../protocol/identity';

/** An image offered to beginUpdate. */
export interface UpdateImage {
  /** The model it is for. */
  model: DeviceModel;
  /** Bytes in the image. */
  length: number;
  /** CRC32 of the image, unsigned. */
  crc32: number;
  /** The version the sender says it is. */
  version?: string;
  /** A signature over the image, when the release is signed. */
  signature?: Uint8Array;
}

/** Events a device emits, with their arguments. */
export interface VirtualDeviceEvents {
  /** Anything a watcher shows changed. */
  change: [];
  /** It went offline to reboot. */
  rebooting: [];
  /** It is back, with how the boot went. */
  rebooted: [BootRecord];
  /** Recording started or stopped. */
  recording: [boolean];
}
