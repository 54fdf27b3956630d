import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { ApiToken, Role } from '../../protocol/cloud-api';
import type { AuthService } from '../domain/auth';

declare module 'fastify' {
  interface FastifyRequest {
    /** The bearer token that authenticated this request, on routes that need one. */
    token: ApiToken | null;
  }
  interface FastifyContextConfig {
    /** The least role a route needs; routes without one are open. */
    role?: Role;
  }
}

/** Checks the bearer token of every route that names a role in its config. */
export function registerAuth(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('token', null);
  // A callback hook, not an async one: it runs on every heartbeat, and a promise per
  // request is measurable there.
  app.addHook('onRequest', (request, _reply, done) => {
    const needed = request.routeOptions.config.role;
    if (!needed) return done();

    try {
      const token = auth.authenticate(request.headers.authorization);
      auth.authorize(token, needed);
      request.token = token;
      done();
    } catch (error) {
      done(error as Error);
    }
  });
}

/** Who made this request, for the audit log and assignment history. */
export function actorOf(request: FastifyRequest): string {
  return request.token?.name ?? 'anonymous';
}
