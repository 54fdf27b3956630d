import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

import type { CloudServices } from '../../domain/services';
import { actorOf } from '../auth-hook';
import { AssignmentSchema, AssignmentStatusSchema, IdParams } from '../schemas';
import type { Typed } from './typed';

const tags = ['assignments'];
const admin = { role: 'admin' as const };
const viewer = { role: 'viewer' as const };

const CREATE = {
  config: admin,
  schema: {
    tags,
    summary: 'Assign a released release to a device',
    body: Type.Object({
      device_id: Type.String({ minLength: 1, maxLength: 64 }),
      release_id: Type.String({ minLength: 1, maxLength: 64 }),
    }),
    response: { 201: AssignmentSchema },
  },
};

const LIST = {
  config: viewer,
  schema: {
    tags,
    summary: 'List assignments, newest first',
    querystring: Type.Object({
      status: Type.Optional(AssignmentStatusSchema),
      device_id: Type.Optional(Type.String({ maxLength: 64 })),
    }),
    response: { 200: Type.Array(AssignmentSchema) },
  },
};

const ONE = {
  config: viewer,
  schema: {
    tags,
    summary: 'One assignment with its history',
    params: IdParams,
    response: { 200: AssignmentSchema },
  },
};

const CANCEL = {
  config: admin,
  schema: {
    tags,
    summary: 'Cancel a pending or delivered assignment',
    params: IdParams,
    response: { 200: AssignmentSchema },
  },
};

/** `/api/v1/assignments`: HTTP OTA assignments. */
export function assignmentRoutes(app: FastifyInstance, services: CloudServices): void {
  const api = app as Typed;
  const assignments = services.assignments;
  const base = '/api/v1/assignments';

  api.post(base, CREATE, async (request, reply) =>
    reply.code(201).send(assignments.create(actorOf(request), request.body)),
  );
  api.get(base, LIST, async (request) => assignments.list(request.query));
  api.get(`${base}/:id`, ONE, async (request) => assignments.get(request.params.id));
  api.post(`${base}/:id/cancel`, CANCEL, async (request) =>
    assignments.cancel(actorOf(request), request.params.id),
  );
}
