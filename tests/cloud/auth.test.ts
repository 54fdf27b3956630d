import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CloudClient } from '../../cloud/client';
import type { Role } from '../../protocol/cloud-api';
import { freshSerial, startTestCloud, type TestCloud } from '../support/cloud';

interface Call {
  method: string;
  path: string;
  body?: unknown;
  needs: Role;
}

const ROLES: Role[] = ['viewer', 'operator', 'admin'];
const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

describe('roles', () => {
  let t: TestCloud;
  const tokens = new Map<Role, string>();
  let calls: Call[];

  beforeAll(async () => {
    t = await startTestCloud();
    for (const role of ROLES)
      tokens.set(role, (await t.client.createToken(`${role} token`, role)).token);
    const release = await t.makeRelease('bota-pin', 'v1.0.1');
    const { device } = await t.provision('bota-pin');
    // Calls whose success would change what later calls see use ids that do not exist: the
    // role check runs before the lookup, so a 404 proves the caller was let through.
    calls = [
      { method: 'GET', path: '/api/v1/devices', needs: 'viewer' },
      { method: 'GET', path: `/api/v1/devices/${device.id}`, needs: 'viewer' },
      { method: 'GET', path: `/api/v1/devices/${device.id}/heartbeats`, needs: 'viewer' },
      { method: 'GET', path: '/api/v1/releases', needs: 'viewer' },
      { method: 'GET', path: `/api/v1/releases/${release.id}`, needs: 'viewer' },
      { method: 'GET', path: '/api/v1/assignments', needs: 'viewer' },
      { method: 'GET', path: '/api/v1/fleet', needs: 'viewer' },
      { method: 'GET', path: `/api/v1/releases/${release.id}/files/bin/link`, needs: 'operator' },
      { method: 'POST', path: '/api/v1/devices/missing/secret', needs: 'operator' },
      {
        method: 'POST',
        path: '/api/v1/releases',
        body: { version: '1', model: 'bota-pin' },
        needs: 'admin',
      },
      { method: 'POST', path: '/api/v1/releases/missing/release', needs: 'admin' },
      { method: 'DELETE', path: '/api/v1/releases/missing', needs: 'admin' },
      {
        method: 'POST',
        path: '/api/v1/assignments',
        body: { device_id: 'x', release_id: 'y' },
        needs: 'admin',
      },
      { method: 'POST', path: '/api/v1/assignments/missing/cancel', needs: 'admin' },
      { method: 'GET', path: '/api/v1/tokens', needs: 'admin' },
      { method: 'GET', path: '/api/v1/audit', needs: 'admin' },
    ];
  });
  afterAll(async () => t?.close());

  async function call(
    entry: Call,
    token?: string,
  ): Promise<{ status: number; code?: string; message?: string }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (entry.body) headers['content-type'] = 'application/json';
    const reply = await fetch(`${t.url}${entry.path}`, {
      method: entry.method,
      headers,
      body: entry.body ? JSON.stringify(entry.body) : undefined,
    });
    const text = await reply.text();
    return { status: reply.status, ...(text ? (JSON.parse(text) as object) : {}) };
  }

  it('holds each role to its rights on every guarded route', async () => {
    for (const entry of calls) {
      for (const role of ROLES) {
        const reply = await call(entry, tokens.get(role));
        const label = `${role} ${entry.method} ${entry.path} → ${reply.status} ${reply.code}`;
        if (RANK[role] >= RANK[entry.needs]) {
          expect(reply.status, label).not.toBe(401);
          expect(reply.status, label).not.toBe(403);
        } else {
          expect([reply.status, reply.code], label).toEqual([403, 'FORBIDDEN']);
          expect(reply.message, label).toContain(`needs the ${entry.needs} role`);
        }
      }
    }
  });

  it('answers 401 UNAUTHENTICATED without a token or with an unknown one', async () => {
    for (const entry of calls) {
      expect((await call(entry)).code).toBe('UNAUTHENTICATED');
      expect((await call(entry, 'bota_made_up')).status).toBe(401);
    }
  });

  it('answers unknown routes with a JSON 404', async () => {
    const reply = await fetch(`${t.url}/api/v1/nothing-here`);
    expect(reply.status).toBe(404);
    expect(await reply.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('leaves health and the OpenAPI document open', async () => {
    expect((await fetch(`${t.url}/api/v1/health`)).status).toBe(200);
    const openapi = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as {
      paths: object;
    };
    expect(Object.keys(openapi.paths)).toContain('/api/v1/assignments');
  });

  it('lets an operator provision but not assign, and a revoked token stops working', async () => {
    const operator = new CloudClient({ baseUrl: t.url, token: tokens.get('operator') });
    const provisioned = await operator.provisionDevice({
      serial: freshSerial('bota-note'),
      model: 'bota-note',
    });
    expect(provisioned.secret.length).toBeGreaterThan(30);
    await expect(
      operator.provisionDevice({ serial: provisioned.device.serial, model: 'bota-note' }),
    ).rejects.toMatchObject({
      status: 409,
      code: 'DEVICE_EXISTS',
    });

    const listed = await t.client.listTokens();
    const operatorRow = listed.find((token) => token.name === 'operator token');
    expect(JSON.stringify(listed)).not.toContain(tokens.get('operator'));
    await t.client.deleteToken(operatorRow?.id ?? '');
    await expect(operator.listDevices()).rejects.toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
  });

  it('reports an unreachable cloud as CLOUD_UNREACHABLE with status 0', async () => {
    const nowhere = new CloudClient({ baseUrl: 'http://127.0.0.1:1' });
    await expect(nowhere.health()).rejects.toMatchObject({ status: 0, code: 'CLOUD_UNREACHABLE' });
  });
});
