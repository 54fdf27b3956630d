import { IMAGE_DESCRIPTOR_BYTES } from '../../protocol/image';
import { type DeviceModel, modelInfo } from '../../protocol/models';
import { DeviceRefusal } from './refusal';

/** Below this charge a device refuses to write flash: a dying battery would brick it. */
export const MIN_UPDATE_BATTERY = 20;

/** What an update offers the device, as far as the checks need. */
export interface OfferedImage {
  /** The model the image is for. */
  model: DeviceModel;
  /** Bytes in the image. */
  length: number;
}

/** The device facts the checks read. */
export interface DeviceCondition {
  /** The device's own model. */
  model: DeviceModel;
  /** True while recording. */
  recording: boolean;
  /** Battery charge, 0 to 100. */
  battery: number;
}

/** Throws the DeviceRefusal a device gives for this image now, if any. */
export function assertMayBegin(device: DeviceCondition, image: OfferedImage): void {
  assertMayContinue(device);
  if (image.model !== device.model) {
    throw new DeviceRefusal(
      'MODEL_MISMATCH',
      `image is for ${image.model} but this device is a ${device.model}; pick its release`,
    );
  }
  const slot = modelInfo(device.model).slotBytes;
  if (image.length > slot) {
    throw new DeviceRefusal(
      'IMAGE_TOO_LARGE',
      `image is ${image.length} bytes; a ${modelInfo(device.model).name} slot holds ${slot}`,
    );
  }
  if (image.length < IMAGE_DESCRIPTOR_BYTES) {
    throw new DeviceRefusal('IMAGE_INVALID', `image of ${image.length} bytes has no descriptor`);
  }
}

/** Throws when a state that forbids writing flash holds: recording or a low battery. */
export function assertMayContinue(device: DeviceCondition): void {
  if (device.recording) {
    throw new DeviceRefusal(
      'RECORDING_ACTIVE',
      'the device is recording; stop the recording, then update',
    );
  }
  if (device.battery < MIN_UPDATE_BATTERY) {
    throw new DeviceRefusal(
      'LOW_BATTERY',
      `battery at ${device.battery} %; charge above ${MIN_UPDATE_BATTERY} % first`,
    );
  }
}
