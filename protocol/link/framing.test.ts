import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { cobsDecode, cobsEncode } from './cobs';
import { encodeFrame, FrameDecoder, type FrameDropReason } from './framing';

function collect(maxMessageBytes = 4096) {
  const messages: Buffer[] = [];
  const drops: FrameDropReason[] = [];
  const decoder = new FrameDecoder(
    maxMessageBytes,
    (message) => messages.push(Buffer.from(message)),
    (reason) => drops.push(reason),
  );
  return { decoder, messages, drops };
}

/** Inputs that hit every COBS edge: zeros at run boundaries, runs of exactly 254 and 255. */
function edgeInputs(): Buffer[] {
  const run = (length: number) => Buffer.alloc(length, 0x41);
  return [
    Buffer.alloc(0),
    Buffer.from([0]),
    Buffer.from([0, 0]),
    Buffer.concat([run(253), Buffer.from([0])]),
    Buffer.concat([run(254), Buffer.from([0])]),
    Buffer.concat([run(254), Buffer.from([0]), run(3)]),
    run(254),
    run(255),
    run(508),
    Buffer.concat([Buffer.from([0]), run(254), Buffer.from([0, 0]), run(600)]),
  ];
}

describe('COBS', () => {
  it('round-trips edge cases and never emits a zero', () => {
    for (const input of edgeInputs()) {
      const encoded = cobsEncode(input);
      expect(encoded.includes(0)).toBe(false);
      expect(cobsDecode(encoded)?.equals(input)).toBe(true);
    }
  });

  it('round-trips random data with many zeros', () => {
    for (let round = 0; round < 200; round++) {
      const input = randomBytes(1 + Math.floor(Math.random() * 3000));
      for (let at = 0; at < input.length; at += 1 + Math.floor(Math.random() * 400)) input[at] = 0;
      expect(cobsDecode(cobsEncode(input))?.equals(input)).toBe(true);
    }
  });

  it('rejects a block whose code runs past the end', () => {
    expect(cobsDecode(Buffer.from([5, 1, 2]))).toBeUndefined();
  });
});

describe('serial frames', () => {
  it('decodes messages split at every possible point', () => {
    const message = randomBytes(600);
    const frame = encodeFrame(message);
    for (let split = 0; split <= frame.length; split++) {
      const { decoder, messages } = collect();
      decoder.push(frame.subarray(0, split));
      decoder.push(frame.subarray(split));
      expect(messages).toHaveLength(1);
      expect(messages[0]?.equals(message)).toBe(true);
    }
  });

  it('decodes a stream of large frames with zero runs and full blocks, read in any sizes', () => {
    const { decoder, messages } = collect(40 * 1024);
    const sent = Array.from({ length: 30 }, (_, n) => {
      const message = randomBytes(1 + Math.floor(Math.random() * 40 * 1024));
      if (n % 3 === 0) message.fill(0x41, 0, Math.min(message.length, 254 * 3));
      if (n % 3 === 1) message.fill(0, 0, Math.min(message.length, 600));
      return message;
    });
    const wire = Buffer.concat(sent.map((message) => encodeFrame(message)));
    for (let at = 0; at < wire.length;) {
      const size = 1 + Math.floor(Math.random() * 5000);
      decoder.push(wire.subarray(at, at + size));
      at += size;
    }
    expect(messages).toHaveLength(sent.length);
    messages.forEach((message, n) => expect(message.equals(sent[n]!)).toBe(true));
  });

  it('drops a corrupted frame and keeps the next one', () => {
    const { decoder, messages, drops } = collect();
    const damaged = encodeFrame(Buffer.from('first message'));
    damaged[5] = (damaged[5] ?? 0) ^ 0x10 || 1;
    decoder.push(Buffer.concat([damaged, encodeFrame(Buffer.from('second message'))]));
    expect(messages.map(String)).toEqual(['second message']);
    expect(drops).toEqual(['bad-crc']);
  });

  it('resynchronises after line noise between and inside frames', () => {
    const { decoder, messages } = collect();
    const noise = Buffer.from([0x13, 0x37, 0xff, 0x42, 0x99]);
    const frames = [1, 2, 3].map((n) => encodeFrame(Buffer.from(`message ${n}`)));
    const inside = Buffer.concat([frames[1]!.subarray(0, 6), noise, frames[1]!.subarray(6)]);
    decoder.push(Buffer.concat([noise, frames[0]!, inside, noise, frames[2]!]));
    expect(messages.map(String)).toEqual(['message 1', 'message 3']);
  });

  it('drops a frame longer than the limit without holding it all', () => {
    const { decoder, messages, drops } = collect(100);
    decoder.push(encodeFrame(randomBytes(500)));
    decoder.push(encodeFrame(Buffer.from('small')));
    expect(messages.map(String)).toEqual(['small']);
    expect(drops).toEqual(['too-long']);
  });

  it('ignores noise with no zero at all until the next delimiter', () => {
    const { decoder, messages } = collect();
    decoder.push(Buffer.alloc(50, 0x55));
    decoder.push(encodeFrame(Buffer.from('after')));
    expect(messages.map(String)).toEqual(['after']);
  });
});
