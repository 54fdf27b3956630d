import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { _electron as electron, expect, test } from '@playwright/test';

/**
 * The same window inside Electron, through Playwright's Electron support. Electron is an
 * optional dependency whose binary cannot be downloaded everywhere; without it this test is
 * reported as skipped with that reason.
 */
function electronBinary(): string | null {
  try {
    const binary: unknown = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();

test('opens the station window in Electron with the preload API', async () => {
  test.skip(binary === null, 'Electron binary not installed (optional dependency)');

  const built = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  expect(built.status).toBe(0);
  const dataDir = await mkdtemp(join(tmpdir(), 'bota-electron-'));

  const app = await electron.launch({
    executablePath: binary!,
    args: ['.', '--data-dir', dataDir],
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('heading', { name: 'Devices on this station' })).toBeVisible();
    expect(await window.evaluate(() => typeof (window as { bota?: unknown }).bota)).toBe('object');
    await window.screenshot({ path: 'test-results/screens/electron.png' });
  } finally {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
