import { createReadStream } from 'node:fs';

import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Logger } from 'pino';

import { BlobError, type BlobStore } from './blob-store';
import { assertBlobKey } from './keys';
import type { S3BlobStoreOptions } from './options';
import { assertSourceSize } from './source';

/** Longest presigned URL life S3 accepts (SigV4): seven days. */
const MAX_TTL_S = 7 * 24 * 3600;

/** Blobs as objects in an S3 bucket, downloaded through presigned GET URLs. */
export class S3BlobStore implements BlobStore {
  /** Always 's3'. */
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly now: () => number;
  private readonly logger: Logger;

  /** Creates the client; no request is made until the first call. */
  constructor(options: S3BlobStoreOptions, logger: Logger) {
    this.client = new S3Client(clientConfig(options, logger));
    this.bucket = options.bucket;
    this.now = options.now ?? Date.now;
    this.logger = logger;
  }

  /** Streams the file up in one PutObject with its length (files here are ≤ 16 MiB). */
  async put(key: string, path: string, size: number): Promise<void> {
    assertBlobKey(key);
    await assertSourceSize(path, size);

    const body = createReadStream(path);
    const put = new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      Body: body,
      ContentLength: size,
      ContentType: 'application/octet-stream',
    });
    await this.send(key, () => this.client.send(put)).finally(() => body.destroy());
    this.logger.info(`blob: (${key}) stored ${size} bytes in s3://${this.bucket}`);
  }

  /** A SigV4 presigned GET; S3 itself serves Range on it. */
  async presign(key: string, ttlS: number): Promise<{ url: string; expiresAt: Date }> {
    assertBlobKey(key);
    const expiresIn = Math.min(MAX_TTL_S, Math.max(1, Math.ceil(ttlS)));
    const signingDate = new Date(Math.floor(this.now() / 1000) * 1000);

    const get = new GetObjectCommand({ Bucket: this.bucket, Key: key });
    const url = await getSignedUrl(this.client, get, { expiresIn, signingDate });
    return { url, expiresAt: new Date(signingDate.getTime() + expiresIn * 1000) };
  }

  /** Streams the whole object; BLOB_NOT_FOUND when there is none. */
  async read(key: string): Promise<NodeJS.ReadableStream> {
    assertBlobKey(key);
    const get = new GetObjectCommand({ Bucket: this.bucket, Key: key });
    const output = await this.send(key, () => this.client.send(get));
    if (!output.Body) throw new BlobError('BLOB_BACKEND_FAILED', `S3 sent no body for "${key}".`);
    return output.Body as NodeJS.ReadableStream;
  }

  /** Deletes the object; S3 treats a missing one as deleted. */
  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.send(key, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
    this.logger.info(`blob: (${key}) deleted from s3://${this.bucket}`);
  }

  /** Closes the client's sockets. */
  async close(): Promise<void> {
    this.client.destroy();
  }

  // Runs one S3 call, turning its failures into BlobErrors that say what to check.
  private async send<T>(key: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toBlobError(error, key, this.bucket);
    }
  }
}

function clientConfig(options: S3BlobStoreOptions, logger: Logger) {
  const { accessKeyId, secretAccessKey } = options;
  return {
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    // S3-compatible servers at an endpoint rarely have the wildcard DNS that bucket
    // subdomains need; AWS itself prefers them.
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    // The SDK's default adds CRC trailers with aws-chunked encoding to streamed uploads,
    // which S3-compatible servers store verbatim or refuse: checksums only when required.
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
    logger: sdkLogger(logger),
  };
}

// The SDK's own notes (e.g. that a streamed upload cannot be retried) go to debug: every
// failure that matters already reaches the caller as a BlobError. Without a logger the SDK
// would print them to the console.
function sdkLogger(logger: Logger) {
  const debug = (...content: unknown[]) => logger.debug({ s3: content }, 'blob: s3 sdk');
  return { trace: debug, debug, info: debug, warn: debug, error: debug };
}

function toBlobError(error: unknown, key: string, bucket: string): BlobError {
  if (
    error instanceof NoSuchKey ||
    (error instanceof S3ServiceException && error.name === 'NotFound')
  ) {
    return new BlobError('BLOB_NOT_FOUND', `No blob "${key}" in s3://${bucket}.`, { cause: error });
  }
  const what = error instanceof Error ? error.message : String(error);
  return new BlobError(
    'BLOB_BACKEND_FAILED',
    `S3 request for "${key}" in bucket "${bucket}" failed: ${what}. ` +
      'Check the endpoint, the credentials and that the bucket exists.',
    { cause: error },
  );
}
