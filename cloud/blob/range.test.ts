import { describe, expect, it } from 'vitest';

import { parseRange } from './range';

const size = 1000;

describe('Range header', () => {
  it('without a header asks for the whole blob', () => {
    expect(parseRange(undefined, size)).toEqual({ kind: 'whole' });
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=100-199', 100, 199],
    ['bytes=0-0', 0, 0],
    ['bytes=500-', 500, 999],
    ['bytes=999-', 999, 999],
    ['bytes=900-5000', 900, 999],
    ['bytes=-100', 900, 999],
    ['bytes=-5000', 0, 999],
    [' bytes=1-2 ', 1, 2],
  ])('%s is bytes %i to %i', (header, start, end) => {
    expect(parseRange(header, size)).toEqual({ kind: 'partial', range: { start, end } });
  });

  it.each(['bytes=1000-', 'bytes=1000-1001', 'bytes=-0'])('%s is unsatisfiable', (header) => {
    expect(parseRange(header, size)).toEqual({ kind: 'unsatisfiable' });
  });

  it('finds every range of an empty blob unsatisfiable', () => {
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  // RFC 9110: a server may ignore a Range header it does not understand and send everything.
  it.each(['items=0-1', 'bytes=5-3', 'bytes=-', 'bytes=0-1,5-6', 'bytes=a-b', 'bytes 0-1'])(
    'ignores %s and sends the whole blob',
    (header) => {
      expect(parseRange(header, size)).toEqual({ kind: 'whole' });
    },
  );
});
