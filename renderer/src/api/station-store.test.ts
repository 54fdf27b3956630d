import { describe, expect, it } from 'vitest';

import type { BotaApi, EventMessage } from '../../../contract/ipc';
import type { ConnectedDevice, Result } from '../../../contract/station';
import { StationStore } from './station-store';

/** A device as the core reports it. */
function device(recording: boolean): ConnectedDevice {
  return {
    key: 'serial:/dev/pts/3',
    link: 'serial',
    address: '/dev/pts/3',
    name: 'pts/3',
    status: 'connected',
    signal: null,
    identity: {
      model: 'bota-pin',
      serial: 'PIN-00001',
      firmwareVersion: 'v1.0.0-001',
      recording,
      battery: 90,
      deviceId: null,
      canResume: true,
    },
    update: null,
    availableUpdate: null,
    pendingAssignment: null,
  };
}

/**
 * A transport whose device:list answer is held back until `answer()`, so a test can push
 * an event while the store's load is in flight — the race a real browser hits.
 */
function slowTransport() {
  let listener: (message: EventMessage) => void = () => {};
  let opened: () => void = () => {};
  let release: (value: Result<unknown>) => void = () => {};
  const api: BotaApi = {
    call: (channel) => {
      if (channel === 'device:list') {
        return new Promise((done) => (release = done as typeof release)) as never;
      }
      const value = channel === 'bluetooth:state' ? { state: 'virtual', reason: null } : [];
      return Promise.resolve({ ok: true, value }) as never;
    },
    subscribe: (next, onOpen) => {
      listener = next;
      opened = onOpen ?? (() => {});
      return () => {};
    },
  };
  return {
    api,
    push: (m: EventMessage) => listener(m),
    open: () => opened(),
    release: (value: Result<unknown>) => release(value),
  };
}

describe('the station store', () => {
  it('keeps an event that arrives while its load is answered with older state', async () => {
    const transport = slowTransport();
    const store = new StationStore(transport.api);
    transport.open();
    await Promise.resolve();

    transport.push({ channel: 'device:changed', payload: device(true) });
    transport.release({ ok: true, value: [device(false)] });
    await new Promise((done) => setTimeout(done, 0));

    const snapshot = store.getSnapshot();
    expect(snapshot.loaded).toBe(true);
    expect(snapshot.devices.map((d) => d.identity?.recording)).toEqual([true]);
  });
});
