import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

import type { CloudServices } from '../../domain/services';
import { AuditEntrySchema, FleetSummarySchema } from '../schemas';
import type { Typed } from './typed';

const tags = ['misc'];

const HEALTH = {
  schema: {
    tags,
    summary: 'Liveness',
    security: [],
    response: { 200: Type.Object({ ok: Type.Literal(true) }) },
  },
};

const FLEET = {
  config: { role: 'viewer' as const },
  schema: { tags, summary: 'Fleet counts', response: { 200: FleetSummarySchema } },
};

const AUDIT = {
  config: { role: 'admin' as const },
  schema: {
    tags,
    summary: 'The newest audit entries',
    querystring: Type.Object({
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    }),
    response: { 200: Type.Array(AuditEntrySchema) },
  },
};

/** Health, fleet counts, the audit log and the OpenAPI document. */
export function miscRoutes(app: FastifyInstance, services: CloudServices): void {
  const api = app as Typed;

  api.get('/api/v1/health', HEALTH, async () => ({ ok: true as const }));
  api.get('/api/v1/fleet', FLEET, async () => services.fleet());
  api.get('/api/v1/audit', AUDIT, async (request) =>
    services.context.repos.audit.latest(request.query.limit ?? 100),
  );
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
