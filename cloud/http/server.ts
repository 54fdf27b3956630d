import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';

import { type BlobStore, registerBlobRoutes } from '../blob';
import type { CloudServices } from '../domain/services';
import { registerAuth } from './auth-hook';
import { registerErrorReplies } from './errors';
import { assignmentRoutes } from './routes/assignments';
import { deviceRoutes } from './routes/devices';
import { heartbeatRoutes } from './routes/heartbeats';
import { miscRoutes } from './routes/misc';
import { releaseRoutes } from './routes/releases';
import { tokenRoutes } from './routes/tokens';
import { ApiErrorSchema } from './schemas';

/** Largest JSON body on the management routes (files go through the streamed upload). */
const JSON_BODY_LIMIT = 1024 * 1024;

/** The OpenAPI document's frame; @fastify/swagger fills in the paths from the schemas. */
const OPENAPI = {
  openapi: {
    info: {
      title: 'Bota cloud',
      version: '1',
      description: 'Releases, devices, HTTP OTA assignments, heartbeats',
    },
    components: { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer' } } },
    security: [{ bearer: [] }],
  },
  refResolver: {
    buildLocalReference: (json: { $id?: unknown }, _base: unknown, _fragment: unknown, i: number) =>
      String(json.$id ?? `def-${i}`),
  },
};

/** Builds the cloud's fastify server: every route, auth, errors, OpenAPI. Not yet listening. */
export async function buildServer(
  services: CloudServices,
  blob: BlobStore,
  log: Logger,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Requests are logged once, at debug, by registerRequestLog.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: JSON_BODY_LIMIT,
    // A download the client abandoned mid-stream would otherwise hold close() open forever.
    forceCloseConnections: true,
  });
  await app.register(swagger, OPENAPI);
  app.addSchema(ApiErrorSchema);

  registerErrorReplies(app);
  registerAuth(app, services.auth);
  registerRequestLog(app, log);
  // Upload bodies are handed to the route as the raw stream: it counts, limits and stores.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) =>
    done(null, payload),
  );

  registerRoutes(app, services);
  await app.register(async (scope) => heartbeatRoutes(scope, services));
  registerBlobRoutes(app, blob);
  return app;
}

function registerRoutes(app: FastifyInstance, services: CloudServices): void {
  miscRoutes(app, services);
  tokenRoutes(app, services);
  deviceRoutes(app, services);
  releaseRoutes(app, services);
  assignmentRoutes(app, services);
}

function registerRequestLog(app: FastifyInstance, log: Logger): void {
  // Decided once at start: a hook on every request costs the heartbeat path even when idle.
  if (!log.isLevelEnabled('debug')) return;
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      `http: ${request.method} ${request.url} → ${reply.statusCode} ` +
        `in ${reply.elapsedTime.toFixed(1)} ms`,
    );
  });
}
