import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

import type { CloudServices } from '../../domain/services';
import { actorOf } from '../auth-hook';
import { ApiTokenSchema, CreatedTokenSchema, IdParams, RoleSchema } from '../schemas';
import type { Typed } from './typed';

/** `/api/v1/tokens`: admin-only token management. */
export function tokenRoutes(app: FastifyInstance, services: CloudServices): void {
  const api = app as Typed;
  const config = { role: 'admin' as const };
  const tags = ['tokens'];

  api.post(
    '/api/v1/tokens',
    {
      config,
      schema: {
        tags,
        summary: 'Create an API token (shown once)',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          role: RoleSchema,
        }),
        response: { 201: CreatedTokenSchema },
      },
    },
    async (request, reply) => {
      const token = services.auth.create(actorOf(request), request.body.name, request.body.role);
      return reply.code(201).send(token);
    },
  );

  api.get(
    '/api/v1/tokens',
    {
      config,
      schema: { tags, summary: 'List API tokens', response: { 200: Type.Array(ApiTokenSchema) } },
    },
    async () => services.auth.list(),
  );

  api.delete(
    '/api/v1/tokens/:id',
    { config, schema: { tags, summary: 'Revoke an API token', params: IdParams } },
    async (request, reply) => {
      services.auth.delete(actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
