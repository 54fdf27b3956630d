import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

import type { CloudServices } from '../../domain/services';
import { actorOf } from '../auth-hook';
import { ApiTokenSchema, CreatedTokenSchema, IdParams, RoleSchema } from '../schemas';
import type { Typed } from './typed';

const tags = ['tokens'];
const config = { role: 'admin' as const };

const CREATE = {
  config,
  schema: {
    tags,
    summary: 'Create an API token (shown once)',
    body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), role: RoleSchema }),
    response: { 201: CreatedTokenSchema },
  },
};

const LIST = {
  config,
  schema: { tags, summary: 'List API tokens', response: { 200: Type.Array(ApiTokenSchema) } },
};

const DELETE = { config, schema: { tags, summary: 'Revoke an API token', params: IdParams } };

/** `/api/v1/tokens`: admin-only token management. */
export function tokenRoutes(app: FastifyInstance, services: CloudServices): void {
  const api = app as Typed;
  const auth = services.auth;

  api.post('/api/v1/tokens', CREATE, async (request, reply) =>
    reply.code(201).send(auth.create(actorOf(request), request.body.name, request.body.role)),
  );
  api.get('/api/v1/tokens', LIST, async () => auth.list());
  api.delete('/api/v1/tokens/:id', DELETE, async (request, reply) => {
    auth.delete(actorOf(request), request.params.id);
    return reply.code(204).send();
  });
}
