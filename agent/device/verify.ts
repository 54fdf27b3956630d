import { describeImage } from '../../protocol/image';
import type { DeviceModel } from '../../protocol/models';
import { DeviceRefusal } from './refusal';
import type { WrittenImage } from './slot-writer';
import { readSlotDescriptor, slotCrc32 } from './slots';
import type { SpareImage } from './state-file';

/**
 * Verifies a fully written spare image before it is marked for the bootloader: its CRC32
 * must match what the sender promised, and its descriptor must name this model.
 * `written`, when given, is the CRC32 and the head the writer saw as it wrote the bytes;
 * without it the slot is read back. Either way the bootloader reads the slot back and
 * checks the CRC32 again before it boots the image (bootloader.ts), so damage to the slot
 * after it was written can cost an update but never boot a bad image.
 */
export async function checkFinishedImage(
  path: string,
  spare: SpareImage,
  model: DeviceModel,
  written?: WrittenImage,
): Promise<void> {
  const crc = written?.crc32 ?? (await slotCrc32(path, spare.length));
  if (crc !== spare.crc32) {
    throw new DeviceRefusal(
      'CRC_MISMATCH',
      `image CRC32 is ${hex(crc)}, expected ${hex(spare.crc32)}; the transfer was damaged, resend`,
    );
  }

  const descriptor = written ? describeImage(written.head) : await readSlotDescriptor(path);
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
