import { Readable } from 'node:stream';

import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

import type { CloudServices } from '../../domain/services';
import { CloudError } from '../../errors';
import { actorOf } from '../auth-hook';
import {
  FileKind,
  FileLinkSchema,
  IdParams,
  Model,
  ReleaseSchema,
  ReleaseStatusSchema,
} from '../schemas';
import type { Typed } from './typed';

const tags = ['releases'];
const admin = { role: 'admin' as const };
const viewer = { role: 'viewer' as const };
const FileParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  kind: FileKind,
});

const CREATE = {
  config: admin,
  schema: {
    tags,
    summary: 'Create a draft release',
    body: Type.Object({
      version: Type.String({ minLength: 1, maxLength: 24 }),
      model: Model,
      notes: Type.Optional(Type.String({ maxLength: 10_000 })),
    }),
    response: { 201: ReleaseSchema },
  },
};

const LIST = {
  config: viewer,
  schema: {
    tags,
    summary: 'List releases, newest version first',
    querystring: Type.Object({
      model: Type.Optional(Model),
      status: Type.Optional(ReleaseStatusSchema),
    }),
    response: { 200: Type.Array(ReleaseSchema) },
  },
};

const LATEST = {
  config: viewer,
  schema: {
    tags,
    summary: 'The newest released release of a model (404 NO_RELEASE)',
    querystring: Type.Object({ model: Model }),
    response: { 200: ReleaseSchema },
  },
};

const ONE = {
  config: viewer,
  schema: { tags, summary: 'One release', params: IdParams, response: { 200: ReleaseSchema } },
};

const DELETE = {
  config: admin,
  schema: { tags, summary: 'Delete a draft release', params: IdParams },
};

const UPLOAD = {
  config: admin,
  schema: {
    tags,
    summary: 'Upload the .bin or .ufw (raw application/octet-stream body, streamed)',
    params: FileParams,
    response: { 200: ReleaseSchema },
  },
};

const PUBLISH = {
  config: admin,
  schema: {
    tags,
    summary: 'Release a complete draft',
    params: IdParams,
    response: { 200: ReleaseSchema },
  },
};

const LINK = {
  config: { role: 'operator' as const },
  schema: {
    tags,
    summary: 'A time-limited download link',
    params: FileParams,
    response: { 200: FileLinkSchema },
  },
};

/** `/api/v1/releases`: drafts, file uploads, releasing, links. */
export function releaseRoutes(app: FastifyInstance, services: CloudServices): void {
  const api = app as Typed;
  const releases = services.releases;
  const base = '/api/v1/releases';

  api.post(base, CREATE, async (request, reply) =>
    reply.code(201).send(releases.create(actorOf(request), request.body)),
  );
  api.get(base, LIST, async (request) => releases.list(request.query));
  api.get(`${base}/latest`, LATEST, async (request) => releases.latest(request.query.model));
  api.get(`${base}/:id`, ONE, async (request) => releases.get(request.params.id));
  api.delete(`${base}/:id`, DELETE, async (request, reply) => {
    await releases.delete(actorOf(request), request.params.id);
    return reply.code(204).send();
  });
  api.put(`${base}/:id/files/:kind`, UPLOAD, async (request) => {
    const { id, kind } = request.params;
    return releases.upload(actorOf(request), id, kind, rawBody(request.body));
  });
  api.post(`${base}/:id/release`, PUBLISH, async (request) =>
    releases.publish(actorOf(request), request.params.id),
  );
  api.get(`${base}/:id/files/:kind/link`, LINK, async (request) =>
    releases.fileLink(request.params.id, request.params.kind),
  );
}

/** The upload as the raw stream; any other content type was parsed and is refused. */
function rawBody(body: unknown): Readable {
  if (body instanceof Readable) return body;
  throw new CloudError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'send the file as the raw body with content-type application/octet-stream',
  );
}
