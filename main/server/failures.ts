import type { Failure, Result } from '../../contract/station';

/**
 * Turns the cloud's errors into failures a person can act on: the cloud's own message plus
 * a hint that says what to do at the station.
 */

/** The fields every cloud error carries (CloudApiError from cloud/client.ts). */
interface CloudErrorLike {
  /** HTTP status; 0 when the cloud could not be reached. */
  status: number;
  /** Stable SCREAMING_SNAKE code. */
  code: string;
  /** What went wrong. */
  message: string;
}

const HINTS: Record<string, string> = {
  CLOUD_UNREACHABLE:
    'Check that the cloud is running and that its address in Settings is right, then retry.',
  UNAUTHORIZED: 'The API token was refused: paste a valid token in Settings.',
  FORBIDDEN: 'The API token lacks the role for this: ask a cloud admin for an admin token.',
  ASSIGNMENT_ACTIVE: 'Cancel the active assignment on the device page, or wait until it ends.',
  ALREADY_RUNNING: 'The device already runs this release: nothing to install.',
  MODEL_MISMATCH: "Pick a release built for this device's model.",
  RELEASE_NOT_RELEASED: 'Upload both files and press Release before assigning it.',
  DEVICE_EXISTS: 'This serial is registered already: open it from the Fleet list.',
  NO_RELEASE: 'Create and release a firmware for this model on the Firmware screen.',
  RELEASE_EXISTS: 'This version exists for this model already: pick a new version.',
  PAYLOAD_TOO_LARGE: 'The file is larger than the cloud accepts: check it is the right file.',
};

const STATUS_HINTS: Record<number, string> = {
  400: 'Correct the value and try again.',
  401: HINTS.UNAUTHORIZED ?? '',
  403: HINTS.FORBIDDEN ?? '',
  404: 'It may have been deleted: refresh the list.',
  409: 'Refresh to see the current state, then try again.',
  413: HINTS.PAYLOAD_TOO_LARGE ?? '',
  422: 'Check the file or the choice against the release and device, then try again.',
};

/** True when `error` looks like a CloudApiError (duck-typed so tests need no real cloud). */
export function isCloudError(error: unknown): error is CloudErrorLike {
  if (!(error instanceof Error)) return false;
  const fields = error as unknown as Record<string, unknown>;
  return typeof fields.code === 'string' && typeof fields.status === 'number';
}

/** The hint for a cloud error code or, failing that, its HTTP status. */
export function hintFor(code: string, status: number): string {
  if (code.startsWith('UFW_')) {
    return 'Use the .ufw file Bota supplied for this release; this one is damaged or not a .ufw.';
  }
  return HINTS[code] ?? STATUS_HINTS[status] ?? 'Try again; if it keeps failing, read the log.';
}

/** A cloud error as a failure. */
export function cloudFailure(error: CloudErrorLike): Failure {
  return { code: error.code, message: error.message, hint: hintFor(error.code, error.status) };
}

/** Runs a cloud call, turning cloud errors into failure values; anything else is a bug. */
export async function fromCloud<T>(call: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (isCloudError(error)) return { ok: false, error: cloudFailure(error) };
    throw error;
  }
}

/** A successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed result. */
export function fail(code: string, message: string, hint: string): Result<never> {
  return { ok: false, error: { code, message, hint } };
}
