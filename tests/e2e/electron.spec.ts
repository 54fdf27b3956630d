import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

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

  const app = await electron.launch({ executablePath: binary!, args: ['.'] });
  const window = await app.firstWindow();
  await expect(window.getByRole('heading', { name: 'Devices on this station' })).toBeVisible();
  expect(await window.evaluate(() => typeof (window as { bota?: unknown }).bota)).toBe('object');
  await app.close();
});
