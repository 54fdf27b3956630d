import { createReadStream } from 'node:fs';
import { open, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { Crc32 } from '../../protocol/crc32';
import type { ImageDescriptor } from '../../protocol/image';
import { buildImage, describeImage, IMAGE_DESCRIPTOR_BYTES } from '../../protocol/image';
import type { DeviceModel } from '../../protocol/models';
import type { SlotName } from './state-file';

/** Bytes of the image a device leaves the factory with: a descriptor and a little code. */
export const FACTORY_IMAGE_BYTES = 4096;

/** The file that stands in for one flash slot. */
export function slotPath(deviceDir: string, slot: SlotName): string {
  return join(deviceDir, `slot-${slot}.img`);
}

/** The slot that is not `slot`. */
export function otherSlot(slot: SlotName): SlotName {
  return slot === 'a' ? 'b' : 'a';
}

/** Writes the factory image for `model` at `version` into a slot file. */
export async function writeFactoryImage(
  path: string,
  model: DeviceModel,
  version: string,
): Promise<void> {
  await writeFile(path, buildImage({ model, version }, FACTORY_IMAGE_BYTES));
}

/** Bytes a slot file holds (0 when it does not exist). */
export async function slotSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/** CRC32 of the first `length` bytes of a slot file, read as a stream (never all at once). */
export async function slotCrc32(path: string, length: number): Promise<number> {
  if (length === 0) return new Crc32().value;
  const crc = new Crc32();
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1 })) {
    crc.update(chunk as Buffer);
  }
  return crc.value;
}

/** The descriptor at the start of a slot file, or undefined when it has none. */
export async function readSlotDescriptor(path: string): Promise<ImageDescriptor | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(IMAGE_DESCRIPTOR_BYTES);
    const { bytesRead } = await handle.read(head, 0, IMAGE_DESCRIPTOR_BYTES, 0);
    return describeImage(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
