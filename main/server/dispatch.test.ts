import pino from 'pino';
import { describe, expect, it } from 'vitest';

import type { ChannelHandlers } from '../../contract/ipc';
import { createDispatcher } from './dispatch';
import { fail, fromCloud, hintFor, ok } from './failures';

/** Handlers where only `release:get` and `device:connect` do anything. */
function handlers(overrides: Partial<ChannelHandlers>): ChannelHandlers {
  return new Proxy(overrides as ChannelHandlers, {
    get: (target, name: string) =>
      target[name as keyof ChannelHandlers] ?? (async () => fail('NOT_HERE', name, 'none')),
  });
}

const quiet = pino({ level: 'silent' });

describe('the dispatcher', () => {
  it('hands the handler arguments the schema has checked and trimmed', async () => {
    const seen: unknown[] = [];
    const dispatch = createDispatcher(
      handlers({ 'release:get': async (args) => (seen.push(args), ok(null as never)) }),
      quiet,
    );

    await dispatch('release:get', { id: '  r-1  ' });
    expect(seen).toEqual([{ id: 'r-1' }]);
  });

  it('never calls the handler for bad arguments', async () => {
    let called = false;
    const dispatch = createDispatcher(
      handlers({ 'device:connect': async () => ((called = true), ok(null as never)) }),
      quiet,
    );

    const result = await dispatch('device:connect', { key: 42 });
    expect(result.ok).toBe(false);
    expect(called).toBe(false);
  });

  it('turns a handler bug into INTERNAL_ERROR instead of a rejected promise', async () => {
    const dispatch = createDispatcher(
      handlers({
        'release:get': async () => {
          throw new TypeError('boom');
        },
      }),
      quiet,
    );

    const result = await dispatch('release:get', { id: 'r-1' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL_ERROR' } });
  });
});

describe('cloud failures', () => {
  it('gives every .ufw problem the same advice and falls back on the HTTP status', () => {
    expect(hintFor('UFW_CRC_MISMATCH', 422)).toContain('.ufw');
    expect(hintFor('SOMETHING_NEW', 404)).toContain('refresh');
    expect(hintFor('SOMETHING_NEW', 599)).toContain('log');
  });

  it('turns a CloudApiError-shaped error into a failure and rethrows anything else', async () => {
    const refusal = Object.assign(new Error('release is not released'), {
      status: 409,
      code: 'RELEASE_NOT_RELEASED',
    });
    const result = await fromCloud(() => Promise.reject(refusal));

    expect(result).toMatchObject({ ok: false, error: { code: 'RELEASE_NOT_RELEASED' } });
    await expect(fromCloud(() => Promise.reject(new RangeError('bug')))).rejects.toThrow('bug');
  });
});
