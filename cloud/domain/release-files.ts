import { readFile } from 'node:fs/promises';

import type { Release, ReleaseFileKind } from '../../protocol/cloud-api';
import { describeImage } from '../../protocol/image';
import { modelInfo } from '../../protocol/models';
import { parseUfw, UfwError } from '../../protocol/ufw';
import { runsRelease } from '../../protocol/version';
import { CloudError } from '../errors';
import type { ReceivedFile } from './upload';

/** What a checked file holds: the firmware image's size, CRC32 and build version. */
export interface CheckedImage {
  /** Bytes of the image. */
  size: number;
  /** CRC32 of the image. */
  crc32: number;
  /** The build version the image reports (`v1.0.1-001`). */
  version: string;
}

/**
 * Checks an uploaded `.bin` or `.ufw` belongs to `release`: the right model, a build of the
 * release's version, intact. Throws a 422 CloudError that says what is wrong.
 */
export async function checkReleaseFile(
  release: Release,
  kind: ReleaseFileKind,
  file: ReceivedFile,
): Promise<CheckedImage> {
  if (file.size === 0) {
    throw new CloudError(422, 'FILE_EMPTY', `the .${kind} is empty; upload the built file`);
  }
  const bytes = await readFile(file.path);
  const image = kind === 'ufw' ? checkUfw(bytes) : checkBin(bytes, file);

  if (image.model !== release.model) {
    throw new CloudError(
      422,
      'MODEL_MISMATCH',
      `the .${kind} is built for ${image.model}, but release ${release.version} is for ` +
        `${release.model}; upload the ${release.model} build`,
    );
  }
  if (!runsRelease(image.version, release.version)) {
    throw new CloudError(
      422,
      'VERSION_MISMATCH',
      `the .${kind} holds firmware ${image.version}, not a build of ${release.version}`,
    );
  }
  return { size: image.size, crc32: image.crc32, version: image.version };
}

interface FoundImage extends CheckedImage {
  model: string;
}

function checkUfw(bytes: Buffer): FoundImage {
  try {
    const { header } = parseUfw(bytes);
    return {
      model: header.model,
      version: header.version,
      size: header.imageLength,
      crc32: header.imageCrc32,
    };
  } catch (error) {
    if (error instanceof UfwError) throw new CloudError(422, error.code, error.message);
    throw error;
  }
}

function checkBin(bytes: Buffer, file: ReceivedFile): FoundImage {
  const descriptor = describeImage(bytes);
  if (!descriptor) {
    throw new CloudError(
      422,
      'BIN_NO_DESCRIPTOR',
      'the .bin does not start with a Bota image descriptor (BOTAIMG1); upload the firmware .bin',
    );
  }
  const slot = modelInfo(descriptor.model).slotBytes;
  if (file.size > slot) {
    throw new CloudError(
      422,
      'IMAGE_TOO_LARGE',
      `the .bin is ${file.size} bytes; a ${descriptor.model} slot holds at most ${slot}`,
    );
  }
  return {
    model: descriptor.model,
    version: descriptor.version,
    size: file.size,
    crc32: file.crc32,
  };
}

/** 422 FILES_DIFFER unless the `.bin` and the image inside the `.ufw` are the same bytes. */
export function checkFilesAgree(
  kind: ReleaseFileKind,
  image: CheckedImage,
  other: { imageSize: number; imageCrc32: number } | null,
): void {
  if (!other || (other.imageSize === image.size && other.imageCrc32 === image.crc32)) return;
  const otherKind = kind === 'bin' ? 'ufw' : 'bin';
  throw new CloudError(
    422,
    'FILES_DIFFER',
    `this .${kind} is not the same firmware image as the release's .${otherKind} ` +
      `(size or CRC32 differ); upload both files from the same build`,
  );
}
