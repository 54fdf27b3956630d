import type { FastifyError, FastifyInstance } from 'fastify';

import type { ApiError } from '../../protocol/cloud-api';
import { BlobError } from '../blob';
import { CloudError } from '../errors';

/** Turns every failure into the `{ code, message }` JSON the API promises. */
export function registerErrorReplies(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      code: 'ROUTE_NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}; see /api/v1/openapi.json`,
    } satisfies ApiError);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = toApiError(error);
    if (status >= 500) request.log.error({ err: error }, 'http: request failed');
    reply.code(status).send(body);
  });
}

function toApiError(error: FastifyError): { status: number; body: ApiError } {
  if (error instanceof CloudError) {
    const body: ApiError = { code: error.code, message: error.message };
    if (error.details) body.details = error.details;
    return { status: error.status, body };
  }
  if (error instanceof BlobError) {
    return {
      status: error.code === 'BLOB_NOT_FOUND' ? 404 : 502,
      body: { code: error.code, message: error.message },
    };
  }
  if (error.validation) {
    const message = `invalid request: ${error.message}; see /api/v1/openapi.json`;
    return { status: 400, body: { code: 'VALIDATION_FAILED', message } };
  }
  return fastifyError(error);
}

function fastifyError(error: FastifyError): { status: number; body: ApiError } {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: { code: 'BODY_TOO_LARGE', message: 'the request body is too large' },
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE', message: error.message } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return {
        status: 400,
        body: { code: 'VALIDATION_FAILED', message: `body is not valid JSON: ${error.message}` },
      };
  }
  const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
  const code = status >= 500 ? 'INTERNAL' : (error.code ?? 'BAD_REQUEST');
  const message = status >= 500 ? 'the cloud failed unexpectedly; see its log' : error.message;
  return { status, body: { code, message } };
}
