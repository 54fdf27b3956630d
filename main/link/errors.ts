import type { LinkErrorCode } from '../../protocol/link/messages';

/**
 * A link step that failed in an expected way: the device refused (RECORDING_ACTIVE,
 * MODEL_MISMATCH, CRC_MISMATCH, IMAGE_TOO_LARGE, LOW_BATTERY, ...), the link dropped
 * (LINK_LOST), the device stopped answering (TIMEOUT) or the station gave up (ABORTED).
 */
export class LinkError extends Error {
  constructor(
    /** Stable SCREAMING_SNAKE code; device codes pass through unchanged. */
    readonly code: LinkErrorCode | (string & {}),
    message: string,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

/** True when `error` is a LinkError, optionally with the given code. */
export function isLinkError(error: unknown, code?: string): error is LinkError {
  return error instanceof LinkError && (code === undefined || error.code === code);
}
