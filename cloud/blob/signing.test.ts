import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { checkBlobSignature, signBlobUrl } from './signing';

const secret = 'test-secret';
const key = 'releases/r1/fw.ufw';
const expires = 1_800_000_000;

function check(overrides: Partial<Parameters<typeof checkBlobSignature>[0]> = {}) {
  const sig = signBlobUrl(secret, key, expires);
  return checkBlobSignature({
    secret,
    key,
    expires: String(expires),
    sig,
    nowS: expires - 10,
    ...overrides,
  });
}

describe('blob URL signing', () => {
  it('is hex HMAC-SHA256 over the key and the expiry', () => {
    const expected = createHmac('sha256', secret).update(`${key}\n${expires}`).digest('hex');

    expect(signBlobUrl(secret, key, expires)).toBe(expected);
  });

  it('accepts a genuine URL until its expiry second has passed', () => {
    expect(check()).toBeNull();
    expect(check({ nowS: expires })).toBeNull();
    expect(check({ nowS: expires + 1 })).toBe('URL_EXPIRED');
  });

  it('refuses a signature made with another secret', () => {
    expect(check({ secret: 'other-secret' })).toBe('URL_SIGNATURE_INVALID');
  });

  it('refuses a URL whose key or expiry was changed', () => {
    expect(check({ key: 'releases/r2/fw.ufw' })).toBe('URL_SIGNATURE_INVALID');
    expect(check({ expires: String(expires + 3600) })).toBe('URL_SIGNATURE_INVALID');
  });

  it('keeps key and expiry apart, so digits cannot move from one to the other', () => {
    const sig = signBlobUrl(secret, 'fw1', 700);

    expect(checkBlobSignature({ secret, key: 'fw', expires: '1700', sig, nowS: 0 })).toBe(
      'URL_SIGNATURE_INVALID',
    );
  });

  it('reports a tampered expired URL as tampered, not expired', () => {
    expect(check({ expires: String(expires - 1), nowS: expires + 100 })).toBe(
      'URL_SIGNATURE_INVALID',
    );
  });

  it.each([undefined, '', '12ab', '-5', '1.5', ['1', '2']])(
    'refuses a malformed expiry %j',
    (badExpires) => {
      expect(check({ expires: badExpires })).toBe('URL_SIGNATURE_INVALID');
    },
  );

  it.each([undefined, '', 'zz', 'ab'.repeat(31), 'AB'.repeat(32), ['a']])(
    'refuses a malformed signature %j',
    (sig) => {
      expect(check({ sig })).toBe('URL_SIGNATURE_INVALID');
    },
  );
});
