/** Why a device refused an update step; every code is stable and shared with the link. */
export type RefusalCode =
  | 'RECORDING_ACTIVE'
  | 'MODEL_MISMATCH'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_INVALID'
  | 'LOW_BATTERY'
  | 'BUSY'
  | 'OFFLINE'
  | 'OUT_OF_ORDER'
  | 'FLASH_WRITE_ERROR'
  | 'CRC_MISMATCH'
  | 'NOT_PROVISIONED'
  | 'UPDATE_CLOSED';

/** An expected refusal by the device, with a stable code and words a person can act on. */
export class DeviceRefusal extends Error {
  constructor(
    /** Stable SCREAMING_SNAKE code (`RECORDING_ACTIVE`, `CRC_MISMATCH`, ...). */
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeviceRefusal';
  }
}

/** True when `error` is a DeviceRefusal, optionally with the given code. */
export function isRefusal(error: unknown, code?: RefusalCode): error is DeviceRefusal {
  return error instanceof DeviceRefusal && (code === undefined || error.code === code);
}
