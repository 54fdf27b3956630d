import { describe, expect, it } from 'vitest';

import {
  channels,
  decodeWire,
  encodeWire,
  invalidArguments,
  isChannel,
  toEventMessage,
} from './ipc';

describe('the IPC contract', () => {
  it('names every channel domain:action', () => {
    for (const name of Object.keys(channels)) expect(name).toMatch(/^[a-z-]+:[a-z-]+$/);
  });

  it('carries file bytes through the wire encoding unchanged', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    const decoded = decodeWire(encodeWire({ id: 'r1', bytes })) as { bytes: Uint8Array };

    expect(decoded.bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(decoded.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('carries a Node Buffer as bytes too, not as its toJSON form', () => {
    const decoded = decodeWire(encodeWire({ bytes: Buffer.from([1, 2, 3]) })) as {
      bytes: Uint8Array;
    };
    expect([...decoded.bytes]).toEqual([1, 2, 3]);
  });

  it('names each bad field when arguments break a schema', () => {
    const parsed = channels['release:create'].args.safeParse({ version: '1.0', model: 'x' });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;

    const failure = invalidArguments('release:create', parsed.error);
    expect(failure.code).toBe('INVALID_ARGUMENT');
    expect(failure.message).toContain('version: use a version like v1.0.1');
    expect(failure.message).toContain('model');
  });

  it('refuses an empty firmware file', () => {
    const parsed = channels['release:upload'].args.safeParse({
      id: 'r1',
      kind: 'bin',
      bytes: new Uint8Array(0),
    });
    expect(parsed.success).toBe(false);
  });

  it('tells channels from other names, including inherited properties', () => {
    expect(isChannel('device:list')).toBe(true);
    expect(isChannel('toString')).toBe(false);
    expect(isChannel('device:explode')).toBe(false);
  });

  it('maps each station event to its event channel', () => {
    const line = { at: 1, level: 'info' as const, scope: 'link', message: 'hello' };
    expect(toEventMessage({ type: 'log', line })).toEqual({ channel: 'log:line', payload: line });
    expect(toEventMessage({ type: 'device-removed', key: 'serial:/dev/x' })).toEqual({
      channel: 'device:removed',
      payload: { key: 'serial:/dev/x' },
    });
  });
});
