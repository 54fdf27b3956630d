import { createHash } from 'node:crypto';

import { type DeviceModel, modelByCode, modelInfo } from './models';

/**
 * Bota firmware images begin with a 64-byte descriptor that the bootloader reads to learn
 * what it is about to boot:
 *
 * | offset | size | field                                   |
 * |-------:|-----:|-----------------------------------------|
 * |      0 |    8 | magic `BOTAIMG1`                        |
 * |      8 |    1 | device model code                       |
 * |      9 |    3 | reserved, zero                          |
 * |     12 |   24 | firmware version, ASCII, NUL-padded     |
 * |     36 |   28 | reserved, zero                          |
 *
 * The rest is the firmware itself. Images made here for tests and demos fill it with
 * bytes derived from the version, so two builds never share content by accident.
 */
export const IMAGE_MAGIC = 'BOTAIMG1';
/** Bytes in an image descriptor. */
export const IMAGE_DESCRIPTOR_BYTES = 64;

/** What an image's descriptor says. */
export interface ImageDescriptor {
  /** The model the image runs on. */
  model: DeviceModel;
  /** The version the device reports once it boots this image. */
  version: string;
}

/** Reads an image's descriptor, or undefined when the bytes do not start with one. */
export function describeImage(image: Uint8Array): ImageDescriptor | undefined {
  if (image.length < IMAGE_DESCRIPTOR_BYTES) return undefined;
  const buf = Buffer.from(image.buffer, image.byteOffset, IMAGE_DESCRIPTOR_BYTES);
  if (buf.toString('latin1', 0, 8) !== IMAGE_MAGIC) return undefined;

  const model = modelByCode(buf.readUInt8(8));
  if (!model) return undefined;
  const version = buf.toString('ascii', 12, 36).replace(/\0+$/, '');
  return { model, version };
}

/** Makes a firmware image of `size` bytes for tests, demos and benchmarks. */
export function buildImage(descriptor: ImageDescriptor, size: number): Buffer {
  if (size < IMAGE_DESCRIPTOR_BYTES) {
    throw new RangeError(`an image is at least ${IMAGE_DESCRIPTOR_BYTES} bytes`);
  }
  const image = Buffer.alloc(size);
  image.write(IMAGE_MAGIC, 0, 'latin1');
  image.writeUInt8(modelInfo(descriptor.model).code, 8);
  image.write(descriptor.version, 12, 24, 'ascii');
  fillFrom(`${descriptor.model}/${descriptor.version}`, image.subarray(IMAGE_DESCRIPTOR_BYTES));
  return image;
}

function fillFrom(seed: string, target: Buffer): void {
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < target.length; at += block.length) {
    block.copy(target, at);
    block = createHash('sha256').update(block).digest();
  }
}
