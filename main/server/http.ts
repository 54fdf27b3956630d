import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';

import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

import { decodeWire, encodeWire, type EventMessage } from '../../contract/ipc';
import type { Failure } from '../../contract/station';
import type { Dispatch } from './dispatch';

/**
 * Browser mode: the IPC contract over HTTP on 127.0.0.1. Calls are `POST /rpc/<channel>`
 * with the argument object as the body; events stream over the WebSocket `/events`. A
 * random access token, printed in the URL the station logs, guards every call and the
 * WebSocket upgrade; the built renderer is served alongside.
 */

/** How to start the browser-mode server. */
export interface ServerOptions {
  /** Runs a call (shared with the Electron IPC handler). */
  dispatch: Dispatch;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  subscribe(listener: (message: EventMessage) => void): () => void;
  /** The built renderer (out/renderer) to serve, when it exists. */
  rendererDir?: string;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Access token; default a fresh random one. */
  token?: string;
  /** Logger for requests (debug) and failures. */
  logger: Logger;
}

/** A running browser-mode server. */
export interface StationServer {
  /** Base URL, e.g. `http://127.0.0.1:5170`. */
  url: string;
  /** The URL to open: base URL with the access token. */
  openUrl: string;
  /** The access token. */
  token: string;
  /** Stops listening and closes every event stream. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 40 * 1024 * 1024; // a 16 MiB firmware file as base64, with room

/** The Content-Security-Policy for the served window: nothing but itself. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Starts the server; resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<StationServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  // Fastify's own logger stays off: calls are logged at debug by the dispatcher's logger.
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES });

  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? {} : decodeWire(body as string));
    } catch {
      done(
        Object.assign(new Error('the request body is not JSON'), { statusCode: 400 }),
        undefined,
      );
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    reply.header('X-Content-Type-Options', 'nosniff');
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) =>
    sendFailure(reply, error.statusCode ?? 500, requestFailure(error)),
  );
  await app.register(fastifyWebsocket);
  registerRpc(app, options.dispatch, token, options.logger);
  registerEvents(app, options.subscribe, token);
  await registerRenderer(app, options.rendererDir);

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://127.0.0.1:${port}`;
  return { url, openUrl: `${url}/?token=${token}`, token, close: () => app.close() };
}

function registerRpc(
  app: FastifyInstance,
  dispatch: Dispatch,
  token: string,
  logger: Logger,
): void {
  app.post<{ Params: { channel: string } }>('/rpc/:channel', async (request, reply) => {
    if (!authorized(request, token)) return sendFailure(reply, 401, unauthorized());

    const result = await dispatch(request.params.channel, request.body);
    logger.debug({ channel: request.params.channel, ok: result.ok }, 'http: rpc call');
    const status = result.ok ? 200 : statusFor(result.error.code);
    return reply.code(status).type('application/json').send(encodeWire(result));
  });
}

function registerEvents(
  app: FastifyInstance,
  subscribe: ServerOptions['subscribe'],
  token: string,
): void {
  app.get(
    '/events',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        if (!authorized(request, token)) await sendFailure(reply, 401, unauthorized());
      },
    },
    (socket) => {
      const unsubscribe = subscribe((message) => socket.send(encodeWire(message)));
      socket.on('close', unsubscribe);
    },
  );
}

async function registerRenderer(app: FastifyInstance, rendererDir?: string): Promise<void> {
  if (rendererDir && existsSync(rendererDir)) {
    await app.register(fastifyStatic, { root: rendererDir, index: 'index.html' });
    return;
  }
  app.get('/', async (_request, reply) =>
    reply.type('text/plain').send('The window is not built: run `npx electron-vite build`.'),
  );
}

/** Accepts the token as a bearer header (calls) or `?token=` (the WebSocket upgrade). */
function authorized(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization;
  const query = (request.query as Record<string, unknown> | undefined)?.token;
  const offered = header?.startsWith('Bearer ') ? header.slice(7) : query;
  if (typeof offered !== 'string') return false;

  const a = Buffer.from(offered);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Fastify's own refusals (body too large, not JSON) as failures in words. */
function requestFailure(error: Error & { statusCode?: number; code?: string }): Failure {
  if (error.statusCode === 413) {
    return {
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The file is larger than the station accepts in one upload.',
      hint: 'Check that it is the firmware file Bota supplied; firmware fits in 16 MiB.',
    };
  }
  return {
    code: error.statusCode === 400 ? 'BAD_REQUEST' : 'INTERNAL_ERROR',
    message: `The station could not read the request: ${error.message}`,
    hint: 'Reload the window and try again.',
  };
}

function unauthorized(): Failure {
  return {
    code: 'UNAUTHORIZED',
    message: 'This request did not carry the station access token.',
    hint: 'Open the station with the address it printed at start (it ends in ?token=...).',
  };
}

function sendFailure(reply: FastifyReply, status: number, error: Failure) {
  return reply
    .code(status)
    .type('application/json')
    .send(encodeWire({ ok: false, error }));
}

/** HTTP statuses for failures that are the caller's fault; expected outcomes stay 200. */
function statusFor(code: string): number {
  if (code === 'INVALID_ARGUMENT') return 400;
  if (code === 'UNKNOWN_CHANNEL') return 404;
  if (code === 'INTERNAL_ERROR') return 500;
  return 200;
}
