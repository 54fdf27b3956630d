import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { expandPattern } from './glob';
import { makeTempDir, waitUntil } from './test-helpers';
import { type SerialPortInfo, watchSerialPorts } from './watch';

let dir: string;
let remove: () => Promise<void>;

beforeEach(async () => {
  ({ dir, remove } = await makeTempDir());
});

afterEach(async () => {
  await remove();
});

describe('expandPattern', () => {
  it('matches * and ? in any segment and keeps symlink names', async () => {
    await mkdir(join(dir, 'bench-1'));
    await writeFile(join(dir, 'bench-1', 'pin-station'), '');
    await writeFile(join(dir, 'bench-1', 'pin-device'), '');
    await symlink(join(dir, 'bench-1', 'pin-station'), join(dir, 'bench-1', 'pro-station'));

    expect(await expandPattern(join(dir, 'bench-?', '*-station'))).toEqual([
      join(dir, 'bench-1', 'pin-station'),
      join(dir, 'bench-1', 'pro-station'),
    ]);
    expect(await expandPattern(join(dir, 'bench-1', 'pin-device'))).toEqual([
      join(dir, 'bench-1', 'pin-device'),
    ]);
    expect(await expandPattern(join(dir, 'nothing', '*'))).toEqual([]);
    expect(await expandPattern('relative/*')).toEqual([]);
  });
});

describe('watchSerialPorts', () => {
  it('reports configured ports as they appear and go', async () => {
    const added: SerialPortInfo[] = [];
    const removed: SerialPortInfo[] = [];
    await writeFile(join(dir, 'a-station'), '');
    const watcher = await watchSerialPorts(
      { patterns: [join(dir, '*-station')], includeSystemPorts: false, intervalMs: 20 },
      (port) => added.push(port),
      (port) => removed.push(port),
    );
    expect(added.map((port) => port.path)).toEqual([join(dir, 'a-station')]);

    await writeFile(join(dir, 'b-station'), '');
    await waitUntil(() => added.length === 2);
    await rm(join(dir, 'a-station'));
    await waitUntil(() => removed.length === 1);
    expect(removed[0]?.path).toBe(join(dir, 'a-station'));
    expect(watcher.ports().map((port) => port.path)).toEqual([join(dir, 'b-station')]);
    await watcher.close();
  });
});
