import { describe, expect, it } from 'vitest';

import { durationMs, parseCli } from './cli-options';

describe('cloud CLI options', () => {
  it('reads durations', () => {
    expect(durationMs('30m')).toBe(1_800_000);
    expect(durationMs('90s')).toBe(90_000);
    expect(durationMs('250')).toBe(250);
    expect(() => durationMs('soon')).toThrow(/not a duration/);
  });

  it('prefers flags over env vars and builds S3 options', () => {
    const request = parseCli(['--port', '0', '--s3-bucket', 'fw', '--s3-force-path-style'], {
      BOTA_CLOUD_PORT: '9999',
      BOTA_CLOUD_DATA_DIR: '/tmp/x',
      BOTA_ADMIN_TOKEN: 'tok',
    });
    expect(request.options).toMatchObject({
      port: 0,
      dataDir: '/tmp/x',
      adminToken: 'tok',
      blob: { kind: 's3', bucket: 'fw', forcePathStyle: true },
    });
  });

  it('refuses bad numbers', () => {
    expect(() => parseCli(['--port', 'abc'], {})).toThrow(/not a whole number/);
  });
});
