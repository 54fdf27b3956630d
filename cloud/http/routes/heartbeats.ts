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

const tags = ['heartbeats'];
const signedBy = `Signed by headers ${DEVICE_HEADER}, ${TIMESTAMP_HEADER}, ${SIGNATURE_HEADER}`;

const DIRECT = {
  schema: {
    tags,
    summary: 'A device-signed heartbeat',
    description: signedBy,
    security: [],
    response: { 200: HeartbeatReplySchema },
  },
};

const RELAYED = {
  config: { role: 'operator' as const },
  schema: {
    tags,
    summary: 'A device-signed heartbeat relayed by a station (never carries a manifest)',
    description: `${signedBy}, plus the station's bearer token`,
    response: { 200: HeartbeatReplySchema },
  },
};

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

  app.post(HEARTBEAT_PATH, DIRECT, async (request) =>
    services.heartbeats.receive(incoming(request), false),
  );
  app.post(RELAYED_HEARTBEAT_PATH, RELAYED, async (request) =>
    services.heartbeats.receive(incoming(request), true),
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
