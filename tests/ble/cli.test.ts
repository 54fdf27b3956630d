// agent/ble-cli.ts refuses bad arguments with a message and exit code 2, before any radio.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', '..', 'agent', 'ble-cli.ts');

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (piece: Buffer) => (stderr += piece.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('ble-cli arguments', () => {
  it.each([
    [['--dir', '/tmp/x', '--model', 'bota-watch'], /--model bota-watch is not a Bota model/],
    [['--dir', '/tmp/x', '--phy', '3M'], /--phy 3M is not a PHY/],
    [['--dir', '/tmp/x', '--mtu', '600'], /ATT MTU 600 is outside 23 to 517/],
    [['--model', 'bota-pin'], /--dir is required/],
  ])('refuses %j', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
