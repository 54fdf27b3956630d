import { type DeviceModel, modelByCode, modelInfo } from '../models';

/**
 * What a Bota device puts in its manufacturer-specific advertising data:
 *
 * | offset | size | field                                                   |
 * |-------:|-----:|---------------------------------------------------------|
 * |      0 |    2 | company id 0xFFFF (reserved for tests), little-endian   |
 * |      2 |    1 | format (1)                                              |
 * |      3 |    1 | device model code (1 Pin, 2 Pin Pro, 3 Note)            |
 * |      4 |  ≤12 | serial number, ASCII (`PIN-00042`)                      |
 *
 * With the name `Bota <serial>` it fits one 31-byte scan response; the 128-bit service
 * UUID goes in the advertisement itself.
 */
export const BOTA_COMPANY_ID = 0xffff;
/** The manufacturer data format this code writes and reads. */
export const ADVERTISING_FORMAT = 1;
/** The longest serial that fits the scan response. */
export const MAX_ADVERTISED_SERIAL = 12;

/** Who a Bota device says it is when it advertises. */
export interface AdvertisedIdentity {
  /** Its model. */
  model: DeviceModel;
  /** Its serial number. */
  serial: string;
}

/** The manufacturer data a device advertises. */
export function encodeManufacturerData(identity: AdvertisedIdentity): Buffer {
  const serial = Buffer.from(identity.serial, 'ascii');
  if (serial.length > MAX_ADVERTISED_SERIAL) {
    throw new RangeError(`serial "${identity.serial}" is longer than 12 characters`);
  }

  const out = Buffer.alloc(4 + serial.length);
  out.writeUInt16LE(BOTA_COMPANY_ID, 0);
  out.writeUInt8(ADVERTISING_FORMAT, 2);
  out.writeUInt8(modelInfo(identity.model).code, 3);
  serial.copy(out, 4);
  return out;
}

/** Reads manufacturer data; null when it is not a Bota device's. */
export function decodeManufacturerData(data: Uint8Array | undefined): AdvertisedIdentity | null {
  if (!data || data.length < 5) return null;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (buf.readUInt16LE(0) !== BOTA_COMPANY_ID || buf.readUInt8(2) !== ADVERTISING_FORMAT) {
    return null;
  }

  const model = modelByCode(buf.readUInt8(3));
  const serial = buf.toString('ascii', 4);
  if (!model || !/^[\x21-\x7e]+$/.test(serial)) return null;
  return { model, serial };
}

/** The name a device advertises. */
export function advertisedName(serial: string): string {
  return `Bota ${serial}`;
}
