import { describe, expect, it } from 'vitest';

import { signHeartbeat, verifyHeartbeatSignature } from './heartbeat';

describe('heartbeat signatures', () => {
  const body = JSON.stringify({ firmware_version: 'v1.0.0-001', model: 'bota-pin' });
  const signed = signHeartbeat('dev-1', 'secret', body, 1_700_000_000_000);

  it('verifies with the same secret', () => {
    expect(verifyHeartbeatSignature('secret', signed)).toBe(true);
  });

  it('fails with another secret, body, device or time', () => {
    expect(verifyHeartbeatSignature('other', signed)).toBe(false);
    expect(verifyHeartbeatSignature('secret', { ...signed, body: body + ' ' })).toBe(false);
    expect(verifyHeartbeatSignature('secret', { ...signed, deviceId: 'dev-2' })).toBe(false);
    expect(verifyHeartbeatSignature('secret', { ...signed, timestamp: 1 })).toBe(false);
    expect(verifyHeartbeatSignature('secret', { ...signed, signature: 'abc' })).toBe(false);
  });
});
