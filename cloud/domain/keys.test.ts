import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { hashToken, loadKeys } from './keys';

describe('cloud keys', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bota-keys-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('seals device secrets so only the same key file opens them', async () => {
    const keys = loadKeys(dir);
    const sealed = keys.secretBox.seal('device-secret');
    expect(sealed).not.toContain('device-secret');
    expect(loadKeys(dir).secretBox.open(sealed)).toBe('device-secret');

    const otherDir = await mkdtemp(join(tmpdir(), 'bota-keys-'));
    expect(() => loadKeys(otherDir).secretBox.open(sealed)).toThrow();
    await rm(otherDir, { recursive: true, force: true });
  });

  it('refuses a tampered sealed secret', () => {
    const { secretBox } = loadKeys(dir);
    const [iv, tag, body] = secretBox.seal('abc').split('.');
    const flipped = `${iv}.${tag}.${body?.startsWith('A') ? 'B' : 'A'}${body?.slice(1)}`;
    expect(() => secretBox.open(flipped)).toThrow();
  });

  it('hashes tokens to stable hex', () => {
    expect(hashToken('t')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken('t')).toBe(hashToken('t'));
  });
});
