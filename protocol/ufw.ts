import { crc32 } from './crc32';
import { type DeviceModel, modelByCode, modelInfo } from './models';
import { isVersion } from './version';

/**
 * The `.ufw` container: a fixed 128-byte little-endian header followed by the image.
 *
 * | offset | size | field                                                   |
 * |-------:|-----:|---------------------------------------------------------|
 * |      0 |    4 | magic `BUFW`                                            |
 * |      4 |    2 | format version (1)                                      |
 * |      6 |    2 | header length (128)                                     |
 * |      8 |    1 | device model code (1 Pin, 2 Pin Pro, 3 Note)            |
 * |      9 |    1 | flags (bit 0: signed)                                   |
 * |     10 |    2 | reserved, zero                                          |
 * |     12 |    4 | image length in bytes                                   |
 * |     16 |    4 | CRC32 of the image                                      |
 * |     20 |   24 | firmware version, ASCII, NUL-padded (`v1.0.1-001`)      |
 * |     44 |    2 | signature length (0 to 64)                              |
 * |     46 |   14 | reserved, zero                                          |
 * |     60 |    4 | CRC32 of bytes 0 to 59                                  |
 * |     64 |   64 | signature over the image (Ed25519 size), zero when none |
 */
export const UFW_MAGIC = 'BUFW';
/** The only container format version this code reads and writes. */
export const UFW_FORMAT_VERSION = 1;
/** Bytes in the header; the image starts here. */
export const UFW_HEADER_BYTES = 128;
/** Header flag: a signature is present. */
export const UFW_FLAG_SIGNED = 0x01;

const VERSION_BYTES = 24;
const SIGNATURE_BYTES = 64;
const HEADER_CRC_OFFSET = 60;

/** What a `.ufw` header says about its image. */
export interface UfwHeader {
  /** The model the image is built for. */
  model: DeviceModel;
  /** The firmware version inside, as the device will report it. */
  version: string;
  /** Bytes of image after the header. */
  imageLength: number;
  /** CRC32 of the image, unsigned. */
  imageCrc32: number;
  /** Header flags. */
  flags: number;
  /** The signature bytes, when the image is signed. */
  signature?: Uint8Array;
}

/** Stable codes for each way a `.ufw` can be malformed. */
export type UfwErrorCode =
  | 'UFW_TRUNCATED'
  | 'UFW_BAD_MAGIC'
  | 'UFW_UNSUPPORTED_FORMAT'
  | 'UFW_BAD_HEADER'
  | 'UFW_UNKNOWN_MODEL'
  | 'UFW_BAD_VERSION'
  | 'UFW_TOO_LARGE'
  | 'UFW_LENGTH_MISMATCH'
  | 'UFW_CRC_MISMATCH';

/** A `.ufw` that cannot be used, with a code and a message that says exactly what is wrong. */
export class UfwError extends Error {
  constructor(
    /** Stable code for callers and API replies. */
    readonly code: UfwErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UfwError';
  }
}

/** Builds the 128-byte header for `image`. */
export function encodeUfwHeader(
  header: Omit<UfwHeader, 'imageLength' | 'imageCrc32' | 'flags'>,
  image: Uint8Array,
): Buffer {
  if (!isVersion(header.version) || header.version.length > VERSION_BYTES) {
    throw new UfwError('UFW_BAD_VERSION', `"${header.version}" is not a firmware version`);
  }
  const signature = header.signature ?? new Uint8Array(0);
  if (signature.length > SIGNATURE_BYTES) {
    throw new UfwError('UFW_BAD_HEADER', `signature is ${signature.length} bytes; at most 64`);
  }

  const out = Buffer.alloc(UFW_HEADER_BYTES);
  out.write(UFW_MAGIC, 0, 'ascii');
  out.writeUInt16LE(UFW_FORMAT_VERSION, 4);
  out.writeUInt16LE(UFW_HEADER_BYTES, 6);
  out.writeUInt8(modelInfo(header.model).code, 8);
  out.writeUInt8(signature.length > 0 ? UFW_FLAG_SIGNED : 0, 9);
  out.writeUInt32LE(image.length, 12);
  out.writeUInt32LE(crc32(image), 16);
  out.write(header.version, 20, 'ascii');
  out.writeUInt16LE(signature.length, 44);
  out.writeUInt32LE(crc32(out.subarray(0, HEADER_CRC_OFFSET)), HEADER_CRC_OFFSET);
  out.set(signature, 64);
  return out;
}

/** Builds a whole `.ufw`: header then image. */
export function encodeUfw(
  header: Omit<UfwHeader, 'imageLength' | 'imageCrc32' | 'flags'>,
  image: Uint8Array,
): Buffer {
  return Buffer.concat([encodeUfwHeader(header, image), image]);
}

/**
 * Reads and checks a header (the first 128 bytes of a `.ufw`), without the image. Used where
 * the image arrives later, as on a link transfer.
 */
export function parseUfwHeader(bytes: Uint8Array): UfwHeader {
  if (bytes.length < UFW_HEADER_BYTES) {
    throw new UfwError(
      'UFW_TRUNCATED',
      `file is ${bytes.length} bytes, shorter than the ${UFW_HEADER_BYTES}-byte .ufw header`,
    );
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, UFW_HEADER_BYTES);

  const magic = buf.toString('latin1', 0, 4);
  if (magic !== UFW_MAGIC) {
    throw new UfwError('UFW_BAD_MAGIC', `not a .ufw file: starts with ${JSON.stringify(magic)}`);
  }
  const format = buf.readUInt16LE(4);
  if (format !== UFW_FORMAT_VERSION || buf.readUInt16LE(6) !== UFW_HEADER_BYTES) {
    throw new UfwError('UFW_UNSUPPORTED_FORMAT', `.ufw format ${format} is not supported (1 is)`);
  }
  const headerCrc = crc32(buf.subarray(0, HEADER_CRC_OFFSET));
  if (headerCrc !== buf.readUInt32LE(HEADER_CRC_OFFSET)) {
    throw new UfwError('UFW_BAD_HEADER', '.ufw header is damaged: its own CRC32 does not match');
  }

  return readHeaderFields(buf);
}

function readHeaderFields(buf: Buffer): UfwHeader {
  const code = buf.readUInt8(8);
  const model = modelByCode(code);
  if (!model)
    throw new UfwError('UFW_UNKNOWN_MODEL', `.ufw names unknown device model code ${code}`);

  const version = buf.toString('ascii', 20, 20 + VERSION_BYTES).replace(/\0+$/, '');
  if (!isVersion(version)) {
    throw new UfwError('UFW_BAD_VERSION', `.ufw names "${version}", which is not a version`);
  }

  const imageLength = buf.readUInt32LE(12);
  const slot = modelInfo(model).slotBytes;
  if (imageLength > slot) {
    throw new UfwError(
      'UFW_TOO_LARGE',
      `image is ${imageLength} bytes; a ${modelInfo(model).name} slot holds at most ${slot}`,
    );
  }

  const flags = buf.readUInt8(9);
  const signatureLength = buf.readUInt16LE(44);
  const signed = (flags & UFW_FLAG_SIGNED) !== 0;
  if (signatureLength > SIGNATURE_BYTES || signed !== signatureLength > 0) {
    throw new UfwError('UFW_BAD_HEADER', '.ufw signature flag and length disagree');
  }

  const header: UfwHeader = {
    model,
    version,
    imageLength,
    imageCrc32: buf.readUInt32LE(16),
    flags,
  };
  if (signed) header.signature = Uint8Array.from(buf.subarray(64, 64 + signatureLength));
  return header;
}

/** A parsed `.ufw`: its header and a view of its image. */
export interface Ufw {
  /** The checked header. */
  header: UfwHeader;
  /** The image bytes (a view into the input). */
  image: Uint8Array;
}

/** Parses a whole `.ufw` strictly: header, length and image CRC32 must all agree. */
export function parseUfw(bytes: Uint8Array): Ufw {
  const header = parseUfwHeader(bytes);

  const expected = UFW_HEADER_BYTES + header.imageLength;
  if (bytes.length < expected) {
    throw new UfwError(
      'UFW_TRUNCATED',
      `file is truncated: header promises a ${header.imageLength}-byte image, ` +
        `only ${bytes.length - UFW_HEADER_BYTES} bytes follow`,
    );
  }
  if (bytes.length > expected) {
    throw new UfwError(
      'UFW_LENGTH_MISMATCH',
      `file has ${bytes.length - expected} bytes after the ${header.imageLength}-byte image`,
    );
  }

  const image = bytes.subarray(UFW_HEADER_BYTES);
  const actual = crc32(image);
  if (actual !== header.imageCrc32) {
    throw new UfwError(
      'UFW_CRC_MISMATCH',
      `image CRC32 is ${hex(actual)} but the header says ${hex(header.imageCrc32)}`,
    );
  }
  return { header, image };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
