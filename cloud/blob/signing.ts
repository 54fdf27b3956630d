import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a signed blob URL was refused. */
export type SignatureProblem = 'URL_SIGNATURE_INVALID' | 'URL_EXPIRED';

// A newline sits between key and expiry because neither may contain one: without it the
// pair ("fw1", 700) would sign the same bytes as ("fw", 1700), letting a URL for one blob
// be re-cut into a longer-lived URL for another.
function signedText(key: string, expires: number): string {
  return `${key}\n${expires}`;
}

/** Hex HMAC-SHA256 of `key` and `expires` (unix seconds) under `secret`. */
export function signBlobUrl(secret: string, key: string, expires: number): string {
  return createHmac('sha256', secret).update(signedText(key, expires)).digest('hex');
}

/** Options for {@link checkBlobSignature}. */
export interface SignatureCheck {
  /** The shared secret the URL was signed with. */
  secret: string;
  /** The blob key from the URL path. */
  key: string;
  /** The raw `expires` query value. */
  expires: unknown;
  /** The raw `sig` query value. */
  sig: unknown;
  /** Now, in unix seconds. */
  nowS: number;
}

/**
 * Null when the URL is genuine and unexpired; otherwise why it is refused. The signature is
 * checked first so a tampered expiry is reported as tampering, not as expiry.
 */
export function checkBlobSignature(check: SignatureCheck): SignatureProblem | null {
  const { secret, key, expires, sig, nowS } = check;
  if (typeof expires !== 'string' || !/^\d{1,15}$/.test(expires)) return 'URL_SIGNATURE_INVALID';
  if (typeof sig !== 'string' || !/^[0-9a-f]{64}$/.test(sig)) return 'URL_SIGNATURE_INVALID';

  const expected = Buffer.from(signBlobUrl(secret, key, Number(expires)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return 'URL_SIGNATURE_INVALID';

  return Number(expires) < nowS ? 'URL_EXPIRED' : null;
}
