import type { Failure, Result } from '../../contract/station';

/**
 * Every expected failure the core reports, in words a person at the bench can act on. Codes
 * come from the device (via the link), the link itself, the cloud, or the core. An unknown
 * code still gets a sentence: the original message plus a generic next step.
 */
const WORDING: Record<string, { message: string; hint: string }> = {
  RECORDING_ACTIVE: {
    message: 'The device is recording.',
    hint: 'Stop the recording, then try again.',
  },
  LOW_BATTERY: {
    message: 'The device battery is too low to update safely (below 20 %).',
    hint: 'Charge the device to at least 20 %, then try again.',
  },
  MODEL_MISMATCH: {
    message: 'This firmware is built for a different device model.',
    hint: "Choose a release made for this device's model.",
  },
  IMAGE_TOO_LARGE: {
    message: "The firmware image is larger than the device's firmware slot.",
    hint: 'Check that the release was built for this model; ask the firmware team for a new build.',
  },
  CRC_MISMATCH: {
    message: 'The device received a damaged image (checksum mismatch) and did not install it.',
    hint: 'Try the update again; if it keeps failing, use a USB cable or move the device closer.',
  },
  BAD_HEADER: {
    message: 'The device rejected the firmware file header.',
    hint: 'The .ufw file may be damaged: re-upload the release files, then try again.',
  },
  OUT_OF_ORDER: {
    message: 'The transfer lost its place and the device stopped it.',
    hint: 'Try the update again.',
  },
  BUSY: {
    message: 'The device is already taking another update.',
    hint: 'Wait for that update to finish, or restart the device, then try again.',
  },
  FLASH_WRITE_ERROR: {
    message: 'The device could not write to its flash memory; it kept its current firmware.',
    hint: 'Try again; if it fails again, send the device for repair.',
  },
  IMAGE_INVALID: {
    message: 'The device found no valid firmware image for it in the file.',
    hint: 'Check that the release was built for this model; re-upload its files if unsure.',
  },
  BAD_SIGNATURE: {
    message: "The firmware's signature did not check out, so the device refused it.",
    hint: 'Use a release signed for this device; ask the firmware team for a signed build.',
  },
  NO_TRANSFER: {
    message: 'The device had no transfer open when the station expected one.',
    hint: 'Try the update again.',
  },
  NOT_VERIFIED: {
    message: 'The device has no verified image to install.',
    hint: 'Try the update again from the start.',
  },
  OFFLINE: {
    message: 'The device is restarting and cannot answer right now.',
    hint: 'Wait a few seconds, then try again.',
  },
  BAD_REQUEST: {
    message: 'The device did not understand the station (firmware too old or too new).',
    hint: 'Update the station software, or update the device over HTTP OTA instead.',
  },
  ABORTED: {
    message: 'The transfer was stopped; the device keeps its current firmware.',
    hint: 'Start the update again when you are ready.',
  },
  LINK_LOST: {
    message: 'The link to the device was lost; the device keeps its current firmware.',
    hint: 'Check the USB cable or move the device closer, reconnect it, then try again.',
  },
  CONNECT_FAILED: {
    message: 'The station could not open a link to the device.',
    hint: 'Check the device is plugged in (or in range) and switched on, then connect again.',
  },
  TIMEOUT: {
    message: 'The device stopped answering.',
    hint: 'Check the device is on and in range, reconnect it, then try again.',
  },
  CANCELLED: {
    message: 'The update was cancelled; the device keeps its current firmware.',
    hint: 'Start the update again when you are ready.',
  },
  REBOOT_TIMEOUT: {
    message: 'The device did not come back after restarting to install the update.',
    hint: 'Check the device is on and in range; reconnect it to see which firmware it runs.',
  },
  NOT_APPLIED: {
    message: 'The device restarted on its previous firmware: the new image was not installed.',
    hint: 'Try the update again; if it keeps failing, contact the firmware team.',
  },
  NOT_CONNECTED: {
    message: 'The device is not connected.',
    hint: 'Connect the device first, then try again.',
  },
  NOT_IDENTIFIED: {
    message: 'The device has not identified itself yet.',
    hint: 'Wait a moment or reconnect the device, then try again.',
  },
  UNKNOWN_DEVICE: {
    message: 'No device with that key is on the station.',
    hint: 'Refresh the device list; the device may have been unplugged.',
  },
  UPDATE_RUNNING: {
    message: 'An update is already running on this device.',
    hint: 'Wait for it to finish or cancel it first.',
  },
  UNKNOWN_JOB: {
    message: 'No update job with that id is known.',
    hint: 'Refresh the device list.',
  },
  JOB_FINISHED: {
    message: 'That update has already finished.',
    hint: 'Nothing to cancel.',
  },
  CANNOT_CANCEL: {
    message: 'The device is already installing the image and restarting; it cannot be stopped.',
    hint: 'Wait for the device to come back.',
  },
  NO_UFW: {
    message: 'The release has no .ufw file for Bluetooth and USB updates.',
    hint: 'Upload the .ufw file to the release in the Firmware view.',
  },
  RELEASE_NOT_RELEASED: {
    message: 'The release is still a draft.',
    hint: 'Release it in the Firmware view first.',
  },
  ASSIGNMENT_NOT_ACTIVE: {
    message: 'The assignment is no longer pending.',
    hint: 'Refresh the device; it may already be applied, failed or cancelled.',
  },
  DOWNLOAD_FAILED: {
    message: 'The firmware file could not be downloaded from the cloud.',
    hint: 'Check the network connection to the cloud, then try again.',
  },
  DOWNLOAD_CORRUPT: {
    message: 'The downloaded firmware file does not match its checksum.',
    hint: 'Try again; if it keeps failing, re-upload the release files.',
  },
  CLOUD_UNREACHABLE: {
    message: 'The cloud cannot be reached.',
    hint: 'Check the cloud address in Settings and the network, then try again.',
  },
  UNAUTHENTICATED: {
    message: "The cloud did not accept the station's API token.",
    hint: 'Enter a valid API token in Settings.',
  },
  FORBIDDEN: {
    message: "The station's API token may not do this.",
    hint: 'Use an operator or admin token in Settings.',
  },
  NOT_FOUND: {
    message: 'The cloud does not know that item.',
    hint: 'Refresh; it may have been deleted.',
  },
  NOT_PROVISIONED: {
    message: 'The device is not registered with the cloud yet.',
    hint: 'Provision the device first.',
  },
};

/** A failure for `code`, with its standard words; `detail` is appended when given. */
export function failure(code: string, detail?: string): Failure {
  const wording = WORDING[code];
  if (!wording) {
    return { code, message: detail ?? `The operation failed (${code}).`, hint: hintFor(code) };
  }
  const message = detail ? `${wording.message} (${detail})` : wording.message;
  return { code, message, hint: wording.hint };
}

function hintFor(code: string): string {
  if (code.startsWith('UFW_')) {
    return "The release's .ufw file is damaged or wrong: re-upload it in the Firmware view.";
  }
  return 'Try again; if it keeps failing, check the station log.';
}

/** True when the core has its own words for `code`. */
export function isKnownFailure(code: string): boolean {
  return code in WORDING;
}

/**
 * Turns anything thrown by the link, the cloud or fetch into a Failure. Errors carrying a
 * `code` (LinkError, CloudApiError, DeviceRefusal) keep it; anything else is `fallbackCode`.
 */
export function toFailure(error: unknown, fallbackCode = 'INTERNAL'): Failure {
  const code = errorCode(error) ?? fallbackCode;
  const detail = error instanceof Error ? error.message : String(error);
  if (isKnownFailure(code)) return failure(code);
  return failure(code, detail);
}

/** The stable code an error carries, if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : undefined;
}

/** A successful Result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed Result with the standard words for `code`. */
export function fail<T>(code: string, detail?: string): Result<T> {
  return { ok: false, error: failure(code, detail) };
}

/** A failed Result from a thrown error. */
export function failFrom<T>(error: unknown, fallbackCode?: string): Result<T> {
  return { ok: false, error: toFailure(error, fallbackCode) };
}

/** An expected failure raised inside the core, carrying its stable code. */
export class CoreError extends Error {
  constructor(
    /** Stable SCREAMING_SNAKE code, worded by `failure()`. */
    readonly code: string,
    message?: string,
  ) {
    super(message ?? failure(code).message);
    this.name = 'CoreError';
  }
}
