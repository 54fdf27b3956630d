import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

import { Crc32 } from '../../protocol/crc32';
import { CloudError } from '../errors';
import { uuidv7 } from '../ids';

/** An upload written to a temp file, with its size and checksums. */
export interface ReceivedFile {
  /** The temp file; the caller deletes it. */
  path: string;
  /** Bytes. */
  size: number;
  /** CRC32 of the whole file, unsigned. */
  crc32: number;
  /** SHA-256 of the whole file, hex. */
  sha256: string;
}

/**
 * Streams a request body to a new file in `tmpDir`, counting bytes and computing CRC32 and
 * SHA-256 on the way. Past `maxBytes` it keeps reading but drops the bytes, so the client
 * still receives the 413 reply instead of a reset connection, then throws FILE_TOO_LARGE.
 * On any failure the temp file is gone.
 */
export async function receiveUpload(
  body: Readable,
  tmpDir: string,
  maxBytes: number,
): Promise<ReceivedFile> {
  const path = join(tmpDir, `upload-${uuidv7()}`);
  try {
    return await writeCounted(body, path, maxBytes);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

async function writeCounted(body: Readable, path: string, maxBytes: number): Promise<ReceivedFile> {
  const out = createWriteStream(path, { flags: 'wx' });
  const crc = new Crc32();
  const sha = createHash('sha256');
  let size = 0;

  // Shortcoming: an oversized upload is read to its end before the 413 — better: answer at
  // once when Content-Length already exceeds the limit, then close the connection.
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) continue;
    crc.update(chunk);
    sha.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);

  if (size > maxBytes) {
    throw new CloudError(
      413,
      'FILE_TOO_LARGE',
      `the file is ${size} bytes; this cloud accepts at most ${maxBytes} bytes per file`,
      { size, max_bytes: maxBytes },
    );
  }
  return { path, size, crc32: crc.value, sha256: sha.digest('hex') };
}
