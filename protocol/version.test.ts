import { describe, expect, it } from 'vitest';

import {
  compareVersions,
  formatVersion,
  isNewerThanDevice,
  parseVersion,
  releaseOf,
  runsRelease,
  VersionFormatError,
} from './version';

describe('parseVersion', () => {
  it.each([
    ['v1.0.1', { major: 1, minor: 0, patch: 1 }],
    ['v1.0.1-001', { major: 1, minor: 0, patch: 1, build: 1 }],
    ['v12.3.45-120', { major: 12, minor: 3, patch: 45, build: 120 }],
    [' v2.0.0 ', { major: 2, minor: 0, patch: 0 }],
  ])('reads %s', (input, expected) => {
    expect(parseVersion(input)).toEqual(expected);
  });

  it.each(['1.0.1', 'v1.0', 'v1.0.1-', 'v1.0.1-abc', 'v1.0.1.2', '', 'vx.y.z', 'v1.0.1-001-2'])(
    'rejects %j',
    (input) => {
      expect(() => parseVersion(input)).toThrow(VersionFormatError);
    },
  );

  it('formats canonically', () => {
    expect(formatVersion(parseVersion('v1.0.1-1'))).toBe('v1.0.1-001');
    expect(releaseOf('v3.2.1-042')).toBe('v3.2.1');
  });
});

describe('ordering', () => {
  it.each([
    ['v1.0.0', 'v1.0.1', -1],
    ['v1.0.10', 'v1.0.9', 1],
    ['v1.2.0', 'v1.10.0', -1],
    ['v2.0.0', 'v1.99.99', 1],
    ['v1.0.1', 'v1.0.1-001', -1],
    ['v1.0.1-002', 'v1.0.1-010', -1],
    ['v1.0.1-005', 'v1.0.1-005', 0],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

describe('isNewerThanDevice', () => {
  it.each([
    ['v1.0.2', 'v1.0.1-001', true],
    ['v1.0.1', 'v1.0.1-001', false],
    ['v1.0.1', 'v1.0.1-999', false],
    ['v1.0.0', 'v1.0.1-001', false],
    ['v1.1.0', 'v1.0.9-003', true],
    ['v10.0.0', 'v9.9.9-001', true],
  ])('release %s for a device on %s: %s', (release, device, expected) => {
    expect(isNewerThanDevice(release, device)).toBe(expected);
  });
});

describe('runsRelease', () => {
  it.each([
    ['v1.0.1-001', 'v1.0.1', true],
    ['v1.0.1-017', 'v1.0.1', true],
    ['v1.0.1', 'v1.0.1', true],
    ['v1.0.0-001', 'v1.0.1', false],
    ['v1.0.2-001', 'v1.0.1', false],
    ['v1.0.1-001', 'v1.0.1-001', true],
    ['v1.0.1-002', 'v1.0.1-001', false],
  ])('device on %s runs %s: %s', (device, release, expected) => {
    expect(runsRelease(device, release)).toBe(expected);
  });
});
