import { describe, expect, it } from 'vitest';

import { type ChunkVerdict, ReceiveCursor, SendWindow } from './window';

function drain(window: SendWindow): number[] {
  const offsets: number[] = [];
  for (let chunk = window.nextChunk(); chunk; chunk = window.nextChunk()) {
    offsets.push(chunk.offset);
    window.sent(chunk);
  }
  return offsets;
}

describe('SendWindow', () => {
  it('keeps a full window in flight and slides on cumulative acks', () => {
    const window = new SendWindow({ total: 1000, start: 0, windowBytes: 300, chunkBytes: 100 });
    expect(drain(window)).toEqual([0, 100, 200]);
    expect(window.ack(200)).toBe(true);
    expect(drain(window)).toEqual([300, 400]);
    expect(window.ack(150)).toBe(false); // stale
    expect(window.done).toBe(false);
  });

  it('sends a short last chunk and is done once all is acked', () => {
    const window = new SendWindow({ total: 250, start: 0, windowBytes: 1000, chunkBytes: 100 });
    drain(window);
    expect(window.ack(250)).toBe(true);
    expect(window.done).toBe(true);
    expect(window.bytesSent).toBe(250);
  });

  it('rewinds to a NAK offset and resends from there', () => {
    const window = new SendWindow({ total: 1000, start: 0, windowBytes: 500, chunkBytes: 100 });
    drain(window);
    window.nak(200);
    expect(drain(window)).toEqual([200, 300, 400]);
    expect(window.rewinds).toBe(1);
    window.nak(900); // beyond what was sent: ignored
    expect(window.rewinds).toBe(1);
  });

  it('resends everything unacknowledged after a stall', () => {
    const window = new SendWindow({ total: 1000, start: 300, windowBytes: 200, chunkBytes: 100 });
    expect(drain(window)).toEqual([300, 400]);
    window.stalled();
    expect(drain(window)).toEqual([300, 400]);
    expect(window.bytesSent).toBe(400);
  });
});

describe('ReceiveCursor', () => {
  it('takes in-order chunks and acks every N bytes and at the end', () => {
    const cursor = new ReceiveCursor({ start: 0, total: 500, ackEveryBytes: 200 });
    expect(cursor.arrive(0, 100)).toBe('write');
    expect(cursor.shouldAck(100)).toBe(false);
    expect(cursor.arrive(100, 100)).toBe('write');
    expect(cursor.shouldAck(200)).toBe(true);
    cursor.arrive(200, 300);
    expect(cursor.shouldAck(500)).toBe(true);
    expect(cursor.shouldAck(500)).toBe(false);
  });

  it('NAKs a gap once, then waits quietly for the rewind', () => {
    const cursor = new ReceiveCursor({ start: 0, total: 1000, ackEveryBytes: 100 });
    cursor.arrive(0, 100);
    const verdicts: ChunkVerdict[] = [200, 300, 400].map((offset) => cursor.arrive(offset, 100));
    expect(verdicts).toEqual(['gap-nak', 'gap', 'gap']);
    expect(cursor.expected).toBe(100);
    expect(cursor.arrive(100, 100)).toBe('write');
    expect(cursor.arrive(300, 100)).toBe('gap-nak'); // a new gap earns a new NAK
  });

  it('re-acks once per rewind when old chunks come again', () => {
    const cursor = new ReceiveCursor({ start: 0, total: 1000, ackEveryBytes: 100 });
    cursor.arrive(0, 100);
    cursor.arrive(100, 100);
    expect([0, 100].map((offset) => cursor.arrive(offset, 100))).toEqual([
      'duplicate-ack',
      'duplicate',
    ]);
    expect(cursor.arrive(0, 100)).toBe('duplicate-ack'); // rewound again
  });
});
