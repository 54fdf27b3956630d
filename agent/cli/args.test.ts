import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { type AgentCommand, duration, parseCommand, UsageError } from './args';

async function parse(...argv: string[]): Promise<AgentCommand> {
  const command = await parseCommand(argv);
  if (command === 'help') throw new Error('unexpected help');
  return command;
}

describe('agent command line', () => {
  it('reads the fleet, its interval and its faults', async () => {
    const { fleet } = await parse(
      ...['--devices', '3', '--model', 'bota-note', '--cloud', 'http://127.0.0.1:9/'],
      ...['--interval', '250ms', '--drop-after', '1000', '--refuse-apply', '--data-dir', '/tmp/x'],
    );
    expect(fleet).toMatchObject({
      devices: 3,
      model: 'bota-note',
      cloudUrl: 'http://127.0.0.1:9',
      dataDir: '/tmp/x',
      intervalMs: 250,
      scenario: { fleet: { dropAfterBytes: 1000, refuseApply: true } },
    });
  });

  it('merges a scenario file, flags winning for the whole fleet', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bota-args-'));
    const file = join(dir, 'faults.json');
    const scenario = {
      fleet: { dropAfterBytes: 5, slowBytesPerS: 100 },
      devices: { 'PIN-00002': { corruptByteAt: 9 } },
    };
    await writeFile(file, JSON.stringify(scenario));
    try {
      const { fleet } = await parse('--cloud', 'http://c', '--scenario', file, '--drop-after', '7');
      expect(fleet.scenario).toEqual({
        fleet: { dropAfterBytes: 7, slowBytesPerS: 100 },
        devices: { 'PIN-00002': { corruptByteAt: 9 } },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says what is wrong with bad input', async () => {
    await expect(parseCommand([])).rejects.toThrow(/--cloud URL is required/);
    await expect(parseCommand(['--cloud', 'http://c', '--devices', 'ten'])).rejects.toThrow(
      UsageError,
    );
    await expect(parseCommand(['--cloud', 'http://c', '--model', 'bota-watch'])).rejects.toThrow(
      /--model/,
    );
    await expect(parseCommand(['--cloud', 'http://c', '--bogus'])).rejects.toThrow(UsageError);
    expect(await parseCommand(['--help'])).toBe('help');
  });

  it('reads durations in ms, s and m, bare numbers as seconds', () => {
    expect(duration('500ms', 'x')).toBe(500);
    expect(duration('1.5s', 'x')).toBe(1500);
    expect(duration('2m', 'x')).toBe(120_000);
    expect(duration('60', 'x')).toBe(60_000);
    expect(() => duration('soon', '--interval')).toThrow(/--interval/);
  });
});
