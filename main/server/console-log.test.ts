import { describe, expect, it } from 'vitest';

import { readable } from './console-log';

describe('the terminal log format', () => {
  it('writes a pino line as time, level and message', () => {
    const at = new Date(2026, 11, 3, 16, 58, 2).getTime();
    const line = JSON.stringify({ time: at, level: 40, msg: 'link: (PIN-00001) lost' });

    expect(readable(line)).toBe('16:58:02 warn  link: (PIN-00001) lost\n');
  });

  it('passes through a line that is not JSON', () => {
    expect(readable('plain words\n')).toBe('plain words\n');
  });
});
