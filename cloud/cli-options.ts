import { parseArgs } from 'node:util';

import type { CloudOptions } from './index';

/** What the command line asked for. */
export interface CliRequest {
  /** Print usage and exit. */
  help: boolean;
  /** Write the OpenAPI document here and exit. */
  writeOpenapi: string | null;
  /** Options for createCloud. */
  options: CloudOptions;
}

/** Usage text for `npm run cloud -- --help`. */
export const USAGE = `Usage: npm run cloud -- [flags]   (each flag also reads the env var shown)
  --data-dir DIR            BOTA_CLOUD_DATA_DIR      default ./data/cloud
  --host HOST               BOTA_CLOUD_HOST          default 127.0.0.1
  --port PORT               BOTA_CLOUD_PORT          default 4100 (0: any free port)
  --public-url URL          BOTA_CLOUD_PUBLIC_URL    base of signed URLs behind a proxy
  --admin-token TOKEN       BOTA_ADMIN_TOKEN         ensure this admin token exists
  --s3-bucket NAME          BOTA_S3_BUCKET           store firmware in S3 instead of on disk
  --s3-endpoint URL         BOTA_S3_ENDPOINT         S3-compatible server
  --s3-region REGION        BOTA_S3_REGION
  --s3-access-key-id ID     BOTA_S3_ACCESS_KEY_ID
  --s3-secret-access-key K  BOTA_S3_SECRET_ACCESS_KEY
  --s3-force-path-style     BOTA_S3_FORCE_PATH_STYLE=1
  --delivery-timeout DUR    BOTA_DELIVERY_TIMEOUT    e.g. 30m, 90s, 500ms (default 30m)
  --heartbeat-interval S    BOTA_HEARTBEAT_INTERVAL  seconds told to devices (default 60)
  --max-upload-bytes N      BOTA_MAX_UPLOAD_BYTES    default 16777216
  --url-ttl S               BOTA_URL_TTL             download URL life (default 3600)
  --log-level LEVEL         BOTA_LOG_LEVEL           default info
  --write-openapi FILE      write the OpenAPI document to FILE and exit
  --help`;

const STRING_FLAGS = {
  'data-dir': 'BOTA_CLOUD_DATA_DIR',
  host: 'BOTA_CLOUD_HOST',
  port: 'BOTA_CLOUD_PORT',
  'public-url': 'BOTA_CLOUD_PUBLIC_URL',
  'admin-token': 'BOTA_ADMIN_TOKEN',
  's3-bucket': 'BOTA_S3_BUCKET',
  's3-endpoint': 'BOTA_S3_ENDPOINT',
  's3-region': 'BOTA_S3_REGION',
  's3-access-key-id': 'BOTA_S3_ACCESS_KEY_ID',
  's3-secret-access-key': 'BOTA_S3_SECRET_ACCESS_KEY',
  'delivery-timeout': 'BOTA_DELIVERY_TIMEOUT',
  'heartbeat-interval': 'BOTA_HEARTBEAT_INTERVAL',
  'max-upload-bytes': 'BOTA_MAX_UPLOAD_BYTES',
  'url-ttl': 'BOTA_URL_TTL',
  'log-level': 'BOTA_LOG_LEVEL',
  'write-openapi': '',
} as const;

type Flag = keyof typeof STRING_FLAGS;

/** Reads flags, falling back to environment variables. Throws a message for bad values. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliRequest {
  const options = Object.fromEntries(
    Object.keys(STRING_FLAGS).map((flag) => [flag, { type: 'string' as const }]),
  );
  const { values: parsed } = parseArgs({
    args: argv,
    options: { ...options, help: { type: 'boolean' }, 's3-force-path-style': { type: 'boolean' } },
    strict: true,
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  const read = (flag: Flag): string | undefined => {
    const value = values[flag];
    if (typeof value === 'string') return value;
    return STRING_FLAGS[flag] ? env[STRING_FLAGS[flag]] : undefined;
  };
  const pathStyle = values['s3-force-path-style'] === true || env.BOTA_S3_FORCE_PATH_STYLE === '1';

  return {
    help: values.help === true,
    writeOpenapi: read('write-openapi') ?? null,
    options: cloudOptions(read, pathStyle),
  };
}

function cloudOptions(read: (flag: Flag) => string | undefined, pathStyle: boolean): CloudOptions {
  const bucket = read('s3-bucket');
  const timeout = read('delivery-timeout');
  return {
    dataDir: read('data-dir') ?? 'data/cloud',
    host: read('host') ?? '127.0.0.1',
    port: integer('port', read('port') ?? '4100'),
    publicUrl: read('public-url'),
    adminToken: read('admin-token'),
    blob: bucket
      ? {
          kind: 's3',
          bucket,
          endpoint: read('s3-endpoint'),
          region: read('s3-region'),
          accessKeyId: read('s3-access-key-id'),
          secretAccessKey: read('s3-secret-access-key'),
          forcePathStyle: pathStyle,
        }
      : { kind: 'local' },
    deliveryTimeoutMs: timeout === undefined ? undefined : durationMs(timeout),
    heartbeatIntervalS: optionalInteger('heartbeat-interval', read('heartbeat-interval')),
    maxUploadBytes: optionalInteger('max-upload-bytes', read('max-upload-bytes')),
    urlTtlS: optionalInteger('url-ttl', read('url-ttl')),
    logLevel: read('log-level') ?? 'info',
  };
}

/** `30m`, `90s`, `500ms`, `2h` or plain milliseconds. */
export function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match)
    throw new Error(`--delivery-timeout "${text}" is not a duration like 30m, 90s or 500ms`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms'] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

function integer(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`--${flag} "${text}" is not a whole number`);
  return value;
}

function optionalInteger(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : integer(flag, text);
}
