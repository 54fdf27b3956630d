import { describe, expect, it } from 'vitest';

import { SIGNATURE_WINDOW_MS, signHeartbeat } from '../../protocol/heartbeat';
import { checkFresh, checkSignature, parseBody } from './heartbeat-check';

const BODY = JSON.stringify({
  firmware_version: 'v1.0.0-001',
  model: 'bota-pin',
  recording: false,
  battery: 5,
});

function incoming(secret: string, at: number, body = BODY) {
  const signed = signHeartbeat('dev-1', secret, BODY, at);
  return {
    deviceId: 'dev-1',
    timestamp: String(at),
    signature: signed.signature,
    body: Buffer.from(body),
  };
}

describe('heartbeat checks', () => {
  const now = 1_800_000_000_000;

  it('accepts the protocol signature over the raw bytes', () => {
    expect(checkSignature(incoming('s3cret', now), 's3cret', now)).toBe(now);
  });

  it('tells an invalid signature from a stale one', () => {
    expect(() => checkSignature(incoming('other', now), 's3cret', now)).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_INVALID', status: 401 }),
    );
    expect(() => checkSignature(incoming('s3cret', now, `${BODY} `), 's3cret', now)).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_INVALID' }),
    );
    const early = now - SIGNATURE_WINDOW_MS - 1;
    expect(() => checkSignature(incoming('s3cret', early), 's3cret', now)).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_STALE' }),
    );
  });

  it('calls a timestamp not newer than the last one a replay', () => {
    expect(() => checkFresh(10, 10)).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_REPLAYED' }),
    );
    expect(() => checkFresh(11, 10)).not.toThrow();
  });

  it('parses good bodies and names what is wrong in bad ones', () => {
    expect(parseBody(Buffer.from(BODY)).battery).toBe(5);
    expect(() => parseBody(Buffer.from('{'))).toThrow(/not JSON/);
    expect(() => parseBody(Buffer.from('{"firmware_version":"1"}'))).toThrow(/firmware_version/);
    const badUpdate = JSON.stringify({ ...JSON.parse(BODY), update: { status: 'ok' } });
    expect(() => parseBody(Buffer.from(badUpdate))).toThrow(
      expect.objectContaining({ code: 'HEARTBEAT_INVALID' }),
    );
  });
});
