import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

import type { CloudServices } from '../../domain/services';
import { AuditEntrySchema, FleetSummarySchema } from '../schemas';
import type { Typed } from './typed';

/** Health, fleet counts, the audit log and the OpenAPI document. */
export function miscRoutes(app: FastifyInstance, services: CloudServices): void {
  const api = app as Typed;

  api.get(
    '/api/v1/health',
    {
      schema: {
        tags: ['misc'],
        summary: 'Liveness',
        response: { 200: Type.Object({ ok: Type.Literal(true) }) },
      },
    },
    async () => ({ ok: true as const }),
  );

  api.get(
    '/api/v1/fleet',
    {
      config: { role: 'viewer' },
      schema: { tags: ['misc'], summary: 'Fleet counts', response: { 200: FleetSummarySchema } },
    },
    async () => services.fleet(),
  );

  api.get(
    '/api/v1/audit',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['misc'],
        summary: 'The newest audit entries',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Array(AuditEntrySchema) },
      },
    },
    async (request) => services.context.repos.audit.latest(request.query.limit ?? 100),
  );

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
