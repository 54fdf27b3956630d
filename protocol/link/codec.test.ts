import { describe, expect, it } from 'vitest';

import { buildImage } from '../image';
import { encodeUfwHeader } from '../ufw';
import { LinkCodecError } from './bytes';
import { decodeMessage, encodeMessage, MESSAGE_CODES } from './codec';
import type { LinkIdentity, LinkMessage } from './messages';

const identity: LinkIdentity = {
  model: 'bota-pin-pro',
  serial: 'PRO-00042',
  firmwareVersion: 'v1.0.1-001',
  recording: true,
  battery: 87,
  deviceId: '0190b6a2-7c1e-7000-8000-000000000001',
  canResume: true,
  maxChunk: 65536,
};
const header = encodeUfwHeader(
  { model: 'bota-pin', version: 'v1.0.1-001' },
  buildImage({ model: 'bota-pin', version: 'v1.0.1-001' }, 1024),
);

const samples: LinkMessage[] = [
  { type: 'identify', id: 1 },
  { type: 'provision', id: 2, deviceId: 'd-1', secret: 'sëcret', cloudUrl: 'http://127.0.0.1:9' },
  { type: 'begin', id: 3, transfer: 9, header, totalLength: 1152, resume: true },
  { type: 'data', transfer: 9, offset: 4096, bytes: Uint8Array.from([0, 1, 2, 0, 255]) },
  { type: 'verify', id: 4, transfer: 9 },
  { type: 'apply', id: 5 },
  { type: 'abort', id: 65535 },
  { type: 'ping', id: 6 },
  { type: 'detach', id: 7 },
  { type: 'ok', id: 5 },
  { type: 'identity', id: 1, identity },
  { type: 'identity', id: 1, identity: { ...identity, deviceId: null, recording: false } },
  { type: 'ready', id: 3, transfer: 9, offset: 2048, windowBytes: 524288, maxChunk: 65536 },
  { type: 'error', id: 3, code: 'RECORDING_ACTIVE', message: 'the device is recording' },
  { type: 'ack', transfer: 9, offset: 131072 },
  { type: 'nak', transfer: 9, offset: 98304 },
  { type: 'transfer-failed', transfer: 9, code: 'LOW_BATTERY', message: 'battery at 12 %' },
  {
    type: 'heartbeat',
    heartbeat: {
      deviceId: 'd-1',
      timestamp: 1_796_316_051_674,
      signature: 'ab'.repeat(32),
      body: '{}',
    },
  },
  { type: 'status', identity },
];

function normalise(message: LinkMessage): unknown {
  // Buffers serialise through their own toJSON; plain arrays make the two sides comparable.
  return JSON.parse(
    JSON.stringify(message, (_key, value: unknown) => {
      if (value instanceof Uint8Array) return [...value];
      const json = value as { type?: unknown; data?: unknown } | null;
      return json?.type === 'Buffer' ? json.data : value;
    }),
  );
}

function expectMalformed(bytes: Uint8Array): void {
  expect(() => decodeMessage(bytes)).toThrow(LinkCodecError);
}

describe('link codec', () => {
  it('round-trips every message type', () => {
    const types = new Set(samples.map((sample) => sample.type));
    expect([...types].sort()).toEqual(Object.keys(MESSAGE_CODES).sort());
    for (const sample of samples) {
      expect(normalise(decodeMessage(encodeMessage(sample)))).toEqual(normalise(sample));
    }
  });

  it('keeps data messages compact: six bytes before the chunk', () => {
    const bytes = encodeMessage({
      type: 'data',
      transfer: 1,
      offset: 7,
      bytes: new Uint8Array(200),
    });
    expect(bytes.length).toBe(206);
  });

  it('rejects every truncation of every message', () => {
    for (const sample of samples) {
      if (sample.type === 'data') continue; // a data message's chunk may be any length
      const bytes = encodeMessage(sample);
      for (let length = 0; length < bytes.length; length++) {
        expectMalformed(bytes.subarray(0, length));
      }
    }
  });

  it('rejects trailing bytes, unknown types and bad fields', () => {
    expectMalformed(Buffer.concat([encodeMessage({ type: 'ok', id: 1 }), Buffer.from([0])]));
    expectMalformed(Buffer.from([0x7e, 0, 0]));
    expectMalformed(Buffer.alloc(0));

    const status = encodeMessage({ type: 'status', identity });
    const badModel = Buffer.from(status);
    badModel[1] = 99;
    expectMalformed(badModel);
    const badBattery = Buffer.from(status);
    badBattery[3] = 101;
    expectMalformed(badBattery);
    const badFlags = Buffer.from(status);
    badFlags[2] = 0x80;
    expectMalformed(badFlags);

    const begin = encodeMessage(samples[2]!);
    const badFlag = Buffer.from(begin);
    badFlag[8] = 2;
    expectMalformed(badFlag);
  });

  it('refuses to encode a begin whose header is not 128 bytes', () => {
    const message = { ...samples[2], header: new Uint8Array(10) } as LinkMessage;
    expect(() => encodeMessage(message)).toThrow(RangeError);
  });
});
