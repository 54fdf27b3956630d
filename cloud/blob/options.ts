import type { Logger } from 'pino';

/** Options shared by both backends. */
export interface CommonBlobOptions {
  /** Where state changes are logged; silent when absent. */
  logger?: Logger;
  /** The clock, in ms since the epoch; tests move it to make expired URLs. */
  now?: () => number;
}

/** Files on the cloud's own disk, served by its fastify server at signed URLs. */
export interface LocalBlobStoreOptions extends CommonBlobOptions {
  /** Backend kind. */
  kind: 'local';
  /** Folder that holds the blobs (created if missing). */
  dir: string;
  /** HMAC secret that signs download URLs; keep it stable so issued URLs stay valid. */
  secret: string;
  /** The server's public base URL (`http://127.0.0.1:8080`), read when a URL is made. */
  baseUrl: () => string;
}

/** Objects in an S3 bucket (AWS or S3-compatible), served by S3 at presigned URLs. */
export interface S3BlobStoreOptions extends CommonBlobOptions {
  /** Backend kind. */
  kind: 's3';
  /** The bucket; it must exist. */
  bucket: string;
  /** Server URL for S3-compatible servers; AWS when absent. */
  endpoint?: string;
  /** Region; default `us-east-1`. */
  region?: string;
  /** Access key; the SDK's default credential chain when absent. */
  accessKeyId?: string;
  /** Secret key, with accessKeyId. */
  secretAccessKey?: string;
  /** Path-style URLs (`endpoint/bucket/key`); default: true with an endpoint, else false. */
  forcePathStyle?: boolean;
}

/** Either backend's options. */
export type BlobStoreOptions = LocalBlobStoreOptions | S3BlobStoreOptions;
