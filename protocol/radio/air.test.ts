import { describe, expect, it } from 'vitest';

import { AirFrameError, AirFrameReader, type AirMessage, encodeAirFrame } from './air';
import { parseRadioAddress } from './air-socket';

describe('air frames', () => {
  const messages: AirMessage[] = [
    { type: 'scan', on: true },
    {
      type: 'write',
      handle: 3,
      service: 'aa',
      characteristic: 'bb',
      withoutResponse: true,
      data: Uint8Array.from([1, 2, 3, 250]),
    },
    { type: 'completed', handle: 3, packets: 1 },
  ];

  it('decodes what it encodes, whatever pieces the stream arrives in', () => {
    const stream = Buffer.concat(messages.map(encodeAirFrame));
    const reader = new AirFrameReader();
    const out: AirMessage[] = [];
    for (let at = 0; at < stream.length; at += 7)
      out.push(...reader.push(stream.subarray(at, at + 7)));

    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({ type: 'scan', on: true });
    const write = out[1] as Extract<AirMessage, { type: 'write' }>;
    expect([...write.data]).toEqual([1, 2, 3, 250]);
    expect(write.withoutResponse).toBe(true);
  });

  it('refuses a stream that is not the radio protocol', () => {
    const reader = new AirFrameReader();
    expect(() => reader.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(AirFrameError);
  });

  it('reads TCP and Unix socket addresses and refuses others', () => {
    expect(parseRadioAddress('127.0.0.1:41234')).toEqual({ host: '127.0.0.1', port: 41234 });
    expect(parseRadioAddress('/tmp/radio.sock')).toEqual({ path: '/tmp/radio.sock' });
    expect(() => parseRadioAddress('radio')).toThrow(/not a radio address/);
  });
});
