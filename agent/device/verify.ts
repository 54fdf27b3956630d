import type { DeviceModel } from '../../protocol/models';
import { DeviceRefusal } from './refusal';
import { readSlotDescriptor, slotCrc32 } from './slots';
import type { SpareImage } from './state-file';

/**
 * Verifies a fully written spare image before it is marked for the bootloader: its CRC32
 * must match what the sender promised, and its descriptor must name this model.
 * `writtenCrc32`, when given, is the CRC32 the writer computed over the bytes as it wrote
 * them; without it the slot is read back. Either way the bootloader reads the slot back and
 * checks the CRC32 again before it boots the image (bootloader.ts), so damage to the slot
 * after it was written can cost an update but never boot a bad image.
 */
export async function checkFinishedImage(
  path: string,
  spare: SpareImage,
  model: DeviceModel,
  writtenCrc32?: number,
): Promise<void> {
  const crc = writtenCrc32 ?? (await slotCrc32(path, spare.length));
  if (crc !== spare.crc32) {
    throw new DeviceRefusal(
      'CRC_MISMATCH',
      `image CRC32 is ${hex(crc)}, expected ${hex(spare.crc32)}; the transfer was damaged, resend`,
    );
  }

  const descriptor = await readSlotDescriptor(path);
  if (!descriptor) {
    throw new DeviceRefusal('IMAGE_INVALID', 'image has no Bota descriptor; it is not firmware');
  }
  if (descriptor.model !== model) {
    throw new DeviceRefusal(
      'MODEL_MISMATCH',
      `image is built for ${descriptor.model}, this device is a ${model}`,
    );
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
