/**
 * The one interface behind which firmware files live, whatever the backend: files on the
 * cloud's own disk served at signed URLs, or objects in an S3-compatible bucket served at
 * presigned URLs. Both kinds of URL answer HTTP Range requests so a device can resume.
 */
export interface BlobStore {
  /** Which backend this is. */
  readonly kind: 'local' | 's3';
  /** Stores the finished file at `path` (size bytes) under `key`. */
  put(key: string, path: string, size: number): Promise<void>;
  /** A URL that GETs the blob, with Range support, until expiresAt. */
  presign(key: string, ttlS: number): Promise<{ url: string; expiresAt: Date }>;
  /** Streams the whole blob. */
  read(key: string): Promise<NodeJS.ReadableStream>;
  /** Removes the blob; removing a blob that is not there is not an error. */
  delete(key: string): Promise<void>;
  /** Releases connections and handles. */
  close(): Promise<void>;
}

/** The stable codes a blob store fails with. */
export type BlobErrorCode =
  | 'BLOB_KEY_INVALID'
  | 'BLOB_KEY_CONFLICT'
  | 'BLOB_NOT_FOUND'
  | 'BLOB_SIZE_MISMATCH'
  | 'BLOB_SOURCE_MISSING'
  | 'BLOB_BACKEND_FAILED';

/** An expected blob failure: a stable code and a message that says what to do. */
export class BlobError extends Error {
  /** Stable SCREAMING_SNAKE code. */
  readonly code: BlobErrorCode;

  constructor(code: BlobErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlobError';
    this.code = code;
  }
}
