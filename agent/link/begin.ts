import type { BeginRequest } from '../../protocol/link/messages';
import { parseUfwHeader, UFW_HEADER_BYTES, UfwError, type UfwHeader } from '../../protocol/ufw';

/** A link request the device turns down, with the code the station sees. */
export class LinkRefusal extends Error {
  constructor(
    /** Stable code sent in the error reply. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LinkRefusal';
  }
}

/**
 * Reads the `.ufw` header a begin request carries and checks it against the total length;
 * throws LinkRefusal BAD_HEADER (or IMAGE_TOO_LARGE) when the two cannot describe one file.
 */
export function readOfferedHeader(request: BeginRequest): UfwHeader {
  let header: UfwHeader;
  try {
    header = parseUfwHeader(request.header);
  } catch (error) {
    if (!(error instanceof UfwError)) throw error;
    const code = error.code === 'UFW_TOO_LARGE' ? 'IMAGE_TOO_LARGE' : 'BAD_HEADER';
    throw new LinkRefusal(code, `the .ufw header was refused: ${error.message}`);
  }

  const expected = UFW_HEADER_BYTES + header.imageLength;
  if (request.totalLength !== expected) {
    throw new LinkRefusal(
      'BAD_HEADER',
      `the .ufw is ${request.totalLength} bytes but its header promises ${expected}; ` +
        'the file is damaged, download it again',
    );
  }
  return header;
}

/** The code and words of any error a request handler throws. */
export function describeFailure(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) return { code, message };
  return { code: 'DEVICE_ERROR', message: `the device failed unexpectedly: ${message}` };
}
