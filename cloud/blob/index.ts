import type { FastifyInstance } from 'fastify';
import pino from 'pino';

import type { BlobStore } from './blob-store';
import { registerLocalBlobRoutes } from './local-routes';
import { LocalBlobStore } from './local-store';
import type { BlobStoreOptions } from './options';
import { S3BlobStore } from './s3-store';

export { BlobError, type BlobErrorCode, type BlobStore } from './blob-store';
export { assertBlobKey, blobKeyProblem } from './keys';
export type {
  BlobStoreOptions,
  CommonBlobOptions,
  LocalBlobStoreOptions,
  S3BlobStoreOptions,
} from './options';

/** Opens the blob store the options name. */
export async function createBlobStore(options: BlobStoreOptions): Promise<BlobStore> {
  const logger = options.logger ?? pino({ level: 'silent' });
  if (options.kind === 'local') return LocalBlobStore.open(options, logger);
  return new S3BlobStore(options, logger);
}

/** Serves GET /blobs/* for the local backend: checks signature + expiry, serves Range. */
export function registerBlobRoutes(app: FastifyInstance, store: BlobStore): void {
  // S3 serves its own presigned URLs; the cloud has nothing to serve.
  if (store instanceof LocalBlobStore) registerLocalBlobRoutes(app, store);
}
