import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { BlobError } from './blob-store';
import { blobKeyProblem } from './keys';
import { type LocalBlobStore, type OpenedBlob } from './local-store';
import { parseRange } from './range';
import { checkBlobSignature, type SignatureProblem } from './signing';

const MESSAGES = {
  URL_SIGNATURE_INVALID:
    'The download URL is not one this cloud signed (altered or incomplete). ' +
    'Ask the cloud for a new file link.',
  URL_EXPIRED: 'The download URL has expired. Ask the cloud for a new file link.',
} as const;

interface BlobQuery {
  expires?: unknown;
  sig?: unknown;
}

/** Serves `GET /blobs/<key>?expires=&sig=` from a local store: signature, expiry, Range. */
export function registerLocalBlobRoutes(app: FastifyInstance, store: LocalBlobStore): void {
  // HEAD is routed here too so it is answered from the file's size, not by reading the
  // whole blob and throwing it away as fastify's automatic HEAD route would.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/blobs/*',
    // Described for the OpenAPI document only; the query is checked by hand so every
    // refusal carries its own code (a schema would answer a generic 400).
    schema: {
      summary: 'Download a stored firmware file through a signed, expiring URL',
      description:
        'No bearer token: the URL itself is the permission. Supports Range ' +
        '(bytes=N-, bytes=N-M, bytes=-N), If-Range and HEAD. 403 URL_EXPIRED / ' +
        'URL_SIGNATURE_INVALID, 404 BLOB_NOT_FOUND, 416 RANGE_NOT_SATISFIABLE.',
      tags: ['blobs'],
    },
    handler: (request, reply) => serveDownload(store, request, reply),
  });
}

async function serveDownload(store: LocalBlobStore, request: FastifyRequest, reply: FastifyReply) {
  const key = (request.params as Record<string, string | undefined>)['*'] ?? '';
  const problem = blobKeyProblem(key);
  if (problem !== null) {
    const message = `Bad blob key: ${problem}. Use the URL the cloud gave you, unchanged.`;
    return reply.code(400).send({ code: 'BLOB_KEY_INVALID', message });
  }

  const refused = refusal(store, key, request.query as BlobQuery);
  if (refused !== null) {
    request.log.debug({ key, refused }, 'blob: download refused');
    return reply.code(403).send({ code: refused, message: MESSAGES[refused] });
  }

  const blob = await openOrNull(store, key);
  if (!blob) {
    const message = `No blob "${key}": it was deleted or never stored. Ask for a new file link.`;
    return reply.code(404).send({ code: 'BLOB_NOT_FOUND', message });
  }
  return sendBlob(request, reply, blob);
}

function refusal(store: LocalBlobStore, key: string, query: BlobQuery): SignatureProblem | null {
  const nowS = Math.floor(store.now() / 1000);
  const { expires, sig } = query;
  return checkBlobSignature({ secret: store.secret, key, expires, sig, nowS });
}

async function openOrNull(store: LocalBlobStore, key: string): Promise<OpenedBlob | null> {
  try {
    return await store.openBlob(key);
  } catch (error) {
    if (error instanceof BlobError && error.code === 'BLOB_NOT_FOUND') return null;
    throw error;
  }
}

// Answers 200 (whole), 206 (one range) or 416, streaming from the open handle.
async function sendBlob(request: FastifyRequest, reply: FastifyReply, blob: OpenedBlob) {
  const ranged = rangeApplies(request, blob.etag);
  const wanted = parseRange(ranged ? request.headers.range : undefined, blob.size);
  reply.header('accept-ranges', 'bytes').header('etag', blob.etag);

  if (wanted.kind === 'unsatisfiable') {
    await blob.handle.close();
    reply.header('content-range', `bytes */${blob.size}`);
    const message = `The blob has ${blob.size} bytes; the requested range lies outside it.`;
    return reply.code(416).send({ code: 'RANGE_NOT_SATISFIABLE', message });
  }

  const { start, end } =
    wanted.kind === 'partial' ? wanted.range : { start: 0, end: blob.size - 1 };
  if (wanted.kind === 'partial') {
    reply.code(206).header('content-range', `bytes ${start}-${end}/${blob.size}`);
  }
  reply.header('content-type', 'application/octet-stream');
  reply.header('content-length', String(end - start + 1));
  request.log.debug({ start, end, size: blob.size }, 'blob: download');

  if (request.method === 'HEAD' || end < start) {
    await blob.handle.close();
    return reply.send();
  }
  return reply.send(blob.handle.createReadStream({ start, end }));
}

// If-Range: a resuming client sends the ETag it started with; when the blob has changed
// since, the range would splice two files together, so the whole new blob is sent instead.
function rangeApplies(request: FastifyRequest, etag: string): boolean {
  const ifRange = request.headers['if-range'];
  return ifRange === undefined || ifRange === etag;
}
