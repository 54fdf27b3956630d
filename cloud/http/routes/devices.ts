import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

import type { CloudServices } from '../../domain/services';
import { actorOf } from '../auth-hook';
import {
  AssignmentSchema,
  DeviceSchema,
  HeartbeatRecordSchema,
  IdParams,
  Model,
  ProvisionedDeviceSchema,
} from '../schemas';
import type { Typed } from './typed';

const tags = ['devices'];
const viewer = { role: 'viewer' as const };
const operator = { role: 'operator' as const };

const PROVISION = {
  config: operator,
  schema: {
    tags,
    summary: 'Provision a device (its secret is shown once)',
    body: Type.Object({
      serial: Type.String({ minLength: 1, maxLength: 64 }),
      model: Model,
      firmware_version: Type.Optional(Type.String({ maxLength: 24 })),
    }),
    response: { 201: ProvisionedDeviceSchema },
  },
};

const ROTATE = {
  config: operator,
  schema: {
    tags,
    summary: 'Give a device a new secret',
    params: IdParams,
    response: { 200: ProvisionedDeviceSchema },
  },
};

const LIST = {
  config: viewer,
  schema: {
    tags,
    summary: 'List devices, newest first',
    querystring: Type.Object({
      model: Type.Optional(Model),
      q: Type.Optional(Type.String({ maxLength: 64 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      offset: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
    response: { 200: Type.Object({ devices: Type.Array(DeviceSchema), total: Type.Integer() }) },
  },
};

const BY_SERIAL = {
  config: viewer,
  schema: {
    tags,
    summary: 'One device by serial',
    params: Type.Object({ serial: Type.String({ minLength: 1, maxLength: 64 }) }),
    response: { 200: DeviceSchema },
  },
};

const ONE = {
  config: viewer,
  schema: { tags, summary: 'One device', params: IdParams, response: { 200: DeviceSchema } },
};

const HEARTBEATS = {
  config: viewer,
  schema: {
    tags,
    summary: "A device's recent heartbeats, newest first",
    params: IdParams,
    querystring: Type.Object({
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    }),
    response: { 200: Type.Array(HeartbeatRecordSchema) },
  },
};

const ASSIGNMENTS = {
  config: viewer,
  schema: {
    tags,
    summary: "A device's assignments, newest first",
    params: IdParams,
    response: { 200: Type.Array(AssignmentSchema) },
  },
};

/** `/api/v1/devices`: provisioning and reads. */
export function deviceRoutes(app: FastifyInstance, services: CloudServices): void {
  const api = app as Typed;
  const devices = services.devices;
  const base = '/api/v1/devices';

  api.post(base, PROVISION, async (request, reply) =>
    reply.code(201).send(devices.provision(actorOf(request), request.body)),
  );
  api.post(`${base}/:id/secret`, ROTATE, async (request) =>
    devices.rotateSecret(actorOf(request), request.params.id),
  );
  api.get(base, LIST, async (request) => devices.list(request.query));
  api.get(`${base}/by-serial/:serial`, BY_SERIAL, async (request) =>
    devices.bySerial(request.params.serial),
  );
  api.get(`${base}/:id`, ONE, async (request) => devices.get(request.params.id));
  api.get(`${base}/:id/heartbeats`, HEARTBEATS, async (request) =>
    devices.heartbeats(request.params.id, request.query.limit),
  );
  api.get(`${base}/:id/assignments`, ASSIGNMENTS, async (request) => {
    devices.get(request.params.id);
    return services.assignments.list({ device_id: request.params.id });
  });
}
