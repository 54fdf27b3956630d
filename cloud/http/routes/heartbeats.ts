import type { FastifyInstance, FastifyRequest } from 'fastify';

import {
  DEVICE_HEADER,
  HEARTBEAT_PATH,
  RELAYED_HEARTBEAT_PATH,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from '../../../protocol/heartbeat';
import type { IncomingHeartbeat } from '../../domain/heartbeat-check';
import type { CloudServices } from '../../domain/services';
import { HeartbeatReplySchema } from '../schemas';

/** Largest heartbeat body accepted. */
const HEARTBEAT_BODY_LIMIT = 16 * 1024;

/**
 * The two heartbeat routes. They live in their own plugin scope so that JSON bodies reach
 * them as raw bytes: the signature covers the exact bytes sent, not a re-serialization.
 */
export async function heartbeatRoutes(
  app: FastifyInstance,
  services: CloudServices,
): Promise<void> {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: HEARTBEAT_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
  const tags = ['heartbeats'];

  app.post(
    HEARTBEAT_PATH,
    {
      schema: {
        tags,
        summary: 'A device-signed heartbeat',
        description: `Signed by headers ${DEVICE_HEADER}, ${TIMESTAMP_HEADER}, ${SIGNATURE_HEADER}`,
        response: { 200: HeartbeatReplySchema },
      },
    },
    async (request) => services.heartbeats.receive(incoming(request), false),
  );

  app.post(
    RELAYED_HEARTBEAT_PATH,
    {
      config: { role: 'operator' },
      schema: {
        tags,
        summary: 'A device-signed heartbeat relayed by a station (never carries a manifest)',
        response: { 200: HeartbeatReplySchema },
      },
    },
    async (request) => services.heartbeats.receive(incoming(request), true),
  );
}

function incoming(request: FastifyRequest): IncomingHeartbeat {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    deviceId: header(DEVICE_HEADER),
    timestamp: header(TIMESTAMP_HEADER),
    signature: header(SIGNATURE_HEADER),
    body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
  };
}
