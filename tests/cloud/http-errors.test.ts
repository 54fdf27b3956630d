import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestCloud, type TestCloud } from '../support/cloud';

describe('HTTP error replies', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud();
  });
  afterAll(async () => t?.close());

  async function send(path: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
    const headers = { authorization: `Bearer ${t.adminToken}`, ...init.headers };
    const reply = await fetch(`${t.url}${path}`, { ...init, headers });
    return { status: reply.status, body: await reply.json() };
  }

  it('answers schema violations with 400 VALIDATION_FAILED', async () => {
    const reply = await send('/api/v1/releases', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 'v1.0.0', model: 'bota-watch' }),
    });
    expect(reply).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('answers broken JSON with 400 and an oversized JSON body with 413', async () => {
    const broken = await send('/api/v1/releases', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"version":',
    });
    expect(broken).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });

    const huge = await send('/api/v1/releases', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 'v1.0.0', model: 'bota-pin', notes: 'x'.repeat(2 << 20) }),
    });
    expect(huge).toMatchObject({ status: 413, body: { code: 'BODY_TOO_LARGE' } });
  });

  it('answers an upload that is not octet-stream with 415', async () => {
    const draft = await t.client.createRelease({ version: 'v1.0.0', model: 'bota-pin' });
    const reply = await send(`/api/v1/releases/${draft.id}/files/bin`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'firmware',
    });
    expect(reply).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });
});
