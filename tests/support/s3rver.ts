import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running s3rver: what an S3 client needs to reach it, and how to stop it. */
export interface RunningS3rver {
  /** `http://127.0.0.1:<port>`; use with forcePathStyle. */
  endpoint: string;
  /** A bucket that exists from the start. */
  bucket: string;
  /** Any region works; this is the one to pass. */
  region: string;
  /** s3rver's built-in account key. */
  accessKeyId: string;
  /** s3rver's built-in account secret. */
  secretAccessKey: string;
  /** Stops the server and removes its data folder. */
  close(): Promise<void>;
}

// The part of s3rver's CommonJS class used here (the package ships no types).
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const require = createRequire(import.meta.url);

// s3rver checks access keys against its one built-in account (it does not verify SigV4
// signatures, but it does refuse unknown keys and expired presigned URLs).
const S3RVER_KEY = 'S3RVER';

/** Starts a real s3rver on 127.0.0.1, any free port, in a fresh temp folder. */
export async function startS3rver(): Promise<RunningS3rver> {
  const S3rver = require('s3rver') as S3rverClass;
  const directory = await mkdtemp(join(tmpdir(), 'bota-s3rver-'));
  const bucket = 'bota-firmware';
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });

  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    region: 'us-east-1',
    accessKeyId: S3RVER_KEY,
    secretAccessKey: S3RVER_KEY,
    close: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
