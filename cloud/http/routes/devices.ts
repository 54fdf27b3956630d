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

/** `/api/v1/devices`: provisioning and reads. */
export function deviceRoutes(app: FastifyInstance, services: CloudServices): void {
  const api = app as Typed;
  const tags = ['devices'];
  const viewer = { role: 'viewer' as const };
  const operator = { role: 'operator' as const };

  api.post(
    '/api/v1/devices',
    {
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
    },
    async (request, reply) =>
      reply.code(201).send(services.devices.provision(actorOf(request), request.body)),
  );

  api.post(
    '/api/v1/devices/:id/secret',
    {
      config: operator,
      schema: {
        tags,
        summary: 'Give a device a new secret',
        params: IdParams,
        response: { 200: ProvisionedDeviceSchema },
      },
    },
    async (request) => services.devices.rotateSecret(actorOf(request), request.params.id),
  );

  api.get(
    '/api/v1/devices',
    {
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
        response: {
          200: Type.Object({ devices: Type.Array(DeviceSchema), total: Type.Integer() }),
        },
      },
    },
    async (request) => services.devices.list(request.query),
  );

  api.get(
    '/api/v1/devices/by-serial/:serial',
    {
      config: viewer,
      schema: {
        tags,
        summary: 'One device by serial',
        params: Type.Object({ serial: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: DeviceSchema },
      },
    },
    async (request) => services.devices.bySerial(request.params.serial),
  );

  api.get(
    '/api/v1/devices/:id',
    {
      config: viewer,
      schema: { tags, summary: 'One device', params: IdParams, response: { 200: DeviceSchema } },
    },
    async (request) => services.devices.get(request.params.id),
  );

  api.get(
    '/api/v1/devices/:id/heartbeats',
    {
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
    },
    async (request) => services.devices.heartbeats(request.params.id, request.query.limit),
  );

  api.get(
    '/api/v1/devices/:id/assignments',
    {
      config: viewer,
      schema: {
        tags,
        summary: "A device's assignments, newest first",
        params: IdParams,
        response: { 200: Type.Array(AssignmentSchema) },
      },
    },
    async (request) => {
      services.devices.get(request.params.id);
      return services.assignments.list({ device_id: request.params.id });
    },
  );
}
