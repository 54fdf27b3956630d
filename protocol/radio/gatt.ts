/**
 * The Bota link service, as every Bota device serves it over Bluetooth LE. UUIDs are written
 * the way noble reports them: 32 lowercase hex digits without dashes.
 *
 * | characteristic | UUID                                   | properties                   |
 * |----------------|----------------------------------------|------------------------------|
 * | (service)      | b07a0000-7c1e-4f2a-9b3d-5a6e8c0d1f20   |                              |
 * | control        | b07a0001-7c1e-4f2a-9b3d-5a6e8c0d1f20   | write, notify                |
 * | data           | b07a0002-7c1e-4f2a-9b3d-5a6e8c0d1f20   | write without response, notify |
 *
 * Control carries link-protocol messages both ways, fragmented (fragment.ts): the station
 * writes with response, the device notifies. Data carries transfer chunks of up to MTU − 3
 * bytes, unfragmented: the station writes without response, the device notifies.
 */

/** The Bota link service. */
export const BOTA_SERVICE_UUID = 'b07a00007c1e4f2a9b3d5a6e8c0d1f20';
/** Control messages, both ways. */
export const CONTROL_CHARACTERISTIC_UUID = 'b07a00017c1e4f2a9b3d5a6e8c0d1f20';
/** Transfer data, both ways. */
export const DATA_CHARACTERISTIC_UUID = 'b07a00027c1e4f2a9b3d5a6e8c0d1f20';

/** GATT characteristic properties, named as noble names them. */
export type CharacteristicProperty = 'read' | 'write' | 'writeWithoutResponse' | 'notify';

/** One characteristic as discovery reports it. */
export interface CharacteristicInfo {
  /** Its UUID. */
  uuid: string;
  /** What a central may do with it. */
  properties: CharacteristicProperty[];
}

/** The characteristics of the Bota link service, in handle order. */
export const BOTA_CHARACTERISTICS: readonly CharacteristicInfo[] = [
  { uuid: CONTROL_CHARACTERISTIC_UUID, properties: ['write', 'notify'] },
  { uuid: DATA_CHARACTERISTIC_UUID, properties: ['writeWithoutResponse', 'notify'] },
];

/** Writes `uuid` the usual dashed way, for people reading logs. */
export function dashedUuid(uuid: string): string {
  return uuid.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
}

/** One service of a GATT database, as discovery reports it. */
export interface GattServiceInfo {
  /** Its UUID. */
  uuid: string;
  /** Its characteristics, in handle order. */
  characteristics: readonly CharacteristicInfo[];
}

/** The GATT database of a Bota device. */
export const BOTA_GATT: readonly GattServiceInfo[] = [
  { uuid: BOTA_SERVICE_UUID, characteristics: BOTA_CHARACTERISTICS },
];
