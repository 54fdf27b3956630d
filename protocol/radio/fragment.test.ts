import { describe, expect, it } from 'vitest';

import { Fragmenter, FragmentError, FragmentJoiner } from './fragment';

function bytes(length: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

describe('control message fragmentation', () => {
  it('keeps a message that fits in one fragment whole, with more-follows clear', () => {
    const [only, ...rest] = new Fragmenter(244).split(bytes(243));
    expect(rest).toHaveLength(0);
    expect(only).toHaveLength(244);
    expect(only![0]).toBe(0);
  });

  it('cuts a long message into full fragments, marking all but the last', () => {
    const fragments = new Fragmenter(244).split(bytes(1000));
    expect(fragments.map((fragment) => fragment.length)).toEqual([244, 244, 244, 244, 29]);
    expect(fragments.map((fragment) => fragment[0])).toEqual([0x80, 0x81, 0x82, 0x83, 0x04]);
  });

  it('joins fragments back into the same messages, in order', () => {
    const fragmenter = new Fragmenter(20);
    const joiner = new FragmentJoiner();
    const messages = [bytes(0), bytes(19), bytes(20, 3), bytes(500, 7)];

    const joined = messages
      .flatMap((message) => fragmenter.split(message))
      .map((fragment) => joiner.push(fragment))
      .filter((message) => message !== null);

    expect(joined).toEqual(messages);
  });

  it('carries the sequence on past 127 across many messages', () => {
    const fragmenter = new Fragmenter(10);
    const joiner = new FragmentJoiner();
    for (let i = 0; i < 300; i++) {
      const message = bytes(25, i);
      const out = fragmenter.split(message).map((fragment) => joiner.push(fragment));
      expect(out.at(-1)).toEqual(message);
    }
  });

  it('refuses a lost fragment instead of joining the wrong halves', () => {
    const fragments = new Fragmenter(10).split(bytes(40));
    const joiner = new FragmentJoiner();
    joiner.push(fragments[0]!);
    expect(() => joiner.push(fragments[2]!)).toThrow(FragmentError);
  });

  it('refuses a fragment size with no room for data', () => {
    expect(() => new Fragmenter(1)).toThrow(RangeError);
  });
});
