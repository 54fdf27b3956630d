import { mkdir } from 'node:fs/promises';

import { expect, type Locator, type Page, test } from '@playwright/test';

import { type Bench, buildRenderer, startBench } from './support/bench';

/**
 * The station's window in a real browser (Debian's Chromium), against the station in
 * browser mode with virtual devices on pty serial ports, on the virtual radio, and one that
 * heartbeats to the embedded cloud by itself. Each screen is saved to test-results/screens.
 */

const SCREENS = 'test-results/screens';
const UPDATE_TIMEOUT = 120_000;

let bench: Bench;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  await mkdir(SCREENS, { recursive: true });
  buildRenderer();
  bench = await startBench();
});

test.afterAll(async () => {
  await bench?.close();
});

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
}

function card(page: Page, serial: string): Locator {
  return page.getByRole('article', { name: new RegExp(serial) });
}

test('shows every connected device, USB and Bluetooth, with its facts', async ({ page }) => {
  await page.goto(bench.url);

  for (const serial of ['PIN-00001', 'PIN-00002', 'NOTE-00001']) {
    await expect(card(page, serial).getByText('Connected', { exact: true })).toBeVisible({
      timeout: 60_000,
    });
  }
  const pin = card(page, 'PIN-00001');
  await expect(pin.getByText('v1.0.0-001')).toBeVisible();
  await expect(pin.getByText(/USB serial/)).toBeVisible();
  await expect(card(page, 'NOTE-00001').getByText(/Bluetooth ·/)).toBeVisible();
  await expect(page.getByText(/virtual radio/)).toBeVisible();

  await pin.getByRole('button', { name: 'Register with the cloud' }).click();
  await expect(pin.getByText('Registered', { exact: true })).toBeVisible({ timeout: 30_000 });
  await shoot(page, '01-devices');
});

test('creates a release, uploads its files, explains a wrong file, releases it', async ({
  page,
}) => {
  await page.goto(`${bench.url}#/firmware`);
  const form = page.getByRole('form', { name: 'New release' });

  await form.getByLabel('Version').fill('banana');
  await expect(form.getByText('Use a version like v1.0.1 (no build).')).toBeVisible();
  await expect(form.getByRole('button', { name: 'Create draft release' })).toBeDisabled();

  const files = await bench.firmware('bota-pin', 'v1.1.0-001');
  const row = await createDraft(page, 'v1.1.0', 'bota-pin', 'Bota Pin v1.1.0');
  await row.locator('[data-kind=ufw] input[type=file]').setInputFiles(files.bin);
  await expect(row.getByRole('alert')).toContainText('is not a .ufw file');
  await shoot(page, '02-firmware-wrong-file');

  await row.getByRole('button', { name: 'Dismiss' }).click();
  await row.locator('[data-kind=ufw] input[type=file]').setInputFiles(await bench.garbage('.ufw'));
  await expect(row.getByRole('alert')).toContainText(/UFW_/);
  await expect(row.getByRole('alert')).toContainText('Use the .ufw file Bota supplied');
  await shoot(page, '02b-firmware-damaged-ufw');

  await row.getByRole('button', { name: 'Dismiss' }).click();
  await uploadAndRelease(row, files);
  await shoot(page, '03-firmware-released');

  const note = await bench.firmware('bota-note', 'v1.1.0-001');
  await uploadAndRelease(await createDraft(page, 'v1.1.0', 'bota-note', 'Bota Note v1.1.0'), note);
});

async function createDraft(page: Page, version: string, model: string, name: string) {
  const form = page.getByRole('form', { name: 'New release' });
  await form.getByLabel('Version').fill(version);
  await form.getByLabel('Device model').selectOption(model);
  await form.getByRole('button', { name: 'Create draft release' }).click();
  const row = page.getByRole('article', { name });
  await expect(row.getByText('Draft', { exact: true })).toBeVisible();
  return row;
}

async function uploadAndRelease(row: Locator, files: { bin: string; ufw: string }) {
  await row.locator('[data-kind=bin] input[type=file]').setInputFiles(files.bin);
  await expect(row.locator('[data-kind=bin]')).toContainText('Uploaded');
  await row.locator('[data-kind=ufw] input[type=file]').setInputFiles(files.ufw);
  await expect(row.locator('[data-kind=ufw]')).toContainText('Uploaded');
  await row.getByRole('button', { name: /^Release v/ }).click();
  await expect(row.getByText('Released', { exact: true })).toBeVisible();
}

test('offers the update on a USB device and runs it to done', async ({ page }) => {
  test.setTimeout(UPDATE_TIMEOUT + 60_000);
  await page.goto(bench.url);
  const pin = card(page, 'PIN-00001');

  await expect(pin.getByText('Update available: v1.1.0')).toBeVisible({ timeout: 60_000 });
  await shoot(page, '04-update-available');
  await pin.getByRole('button', { name: 'Update to v1.1.0' }).click();
  await pin.getByRole('button', { name: 'Yes, install v1.1.0' }).click();

  await expect(pin.locator('[data-phase]')).toBeVisible();
  await shoot(page, '05-update-running');
  await expect(pin.getByText('Done: the device runs v1.1.0')).toBeVisible({
    timeout: UPDATE_TIMEOUT,
  });
  await expect(pin.getByText('v1.1.0-001')).toBeVisible({ timeout: 30_000 });
  await shoot(page, '06-update-done');
});

test('updates a Bluetooth device too', async ({ page }) => {
  test.setTimeout(UPDATE_TIMEOUT + 60_000);
  await page.goto(bench.url);
  const note = card(page, 'NOTE-00001');

  await note.getByRole('button', { name: 'Update to v1.1.0' }).click({ timeout: 60_000 });
  await note.getByRole('button', { name: 'Yes, install v1.1.0' }).click();
  await expect(note.getByText('Done: the device runs v1.1.0')).toBeVisible({
    timeout: UPDATE_TIMEOUT,
  });
});

test('explains why a recording device cannot update', async ({ page }) => {
  await page.goto(bench.url);
  const pin = card(page, 'PIN-00002');
  bench.serial['PIN-00002']!.send('recording on');
  await expect(pin.getByText('Recording now')).toBeVisible({ timeout: 30_000 });

  await pin.getByRole('button', { name: 'Update to v1.1.0' }).click({ timeout: 60_000 });
  await pin.getByRole('button', { name: 'Yes, install v1.1.0' }).click();

  // The refusal may come back from the call, from the job, or both: one box is shown.
  const failure = pin.getByRole('alert');
  await expect(failure).toBeVisible({ timeout: 60_000 });
  await expect(failure).toContainText(/recording/i);
  await expect(failure).toContainText('What to try');
  await shoot(page, '07-update-refused-recording');
});

test('assigns an HTTP OTA release to a heartbeating device and sees it applied', async ({
  page,
}) => {
  test.setTimeout(UPDATE_TIMEOUT + 60_000);
  await bench.startOtaDevice(50);
  await page.goto(`${bench.url}#/fleet`);

  await page.getByLabel('Search serial or id').fill('PIN-00050');
  await page.getByRole('link', { name: 'PIN-00050' }).click({ timeout: 60_000 });
  await expect(page.getByRole('heading', { name: 'Bota Pin PIN-00050' })).toBeVisible();
  await expect(page.getByText('Direct').first()).toBeVisible({ timeout: 30_000 });

  await page.getByLabel('Release to assign').selectOption({ label: 'v1.1.0' });
  await page.getByRole('button', { name: 'Assign' }).click();
  const history = page.getByRole('table', { name: 'Assignment history' });
  await expect(history.getByText(/Pending|Delivered/).first()).toBeVisible();
  await shoot(page, '08-ota-assigned');

  await expect(history.locator('tr[data-status=applied]')).toBeVisible({ timeout: UPDATE_TIMEOUT });
  await expect(page.getByTestId('cloud-firmware')).toHaveText('v1.1.0-001');
  await shoot(page, '09-ota-applied');

  await page.goto(`${bench.url}#/fleet`);
  await expect(page.getByRole('img', { name: /Devices by model and firmware/ })).toBeVisible();
  await shoot(page, '10-fleet');
});

test('works from the keyboard, with a visible focus', async ({ page }) => {
  await page.goto(bench.url);
  await expect(card(page, 'PIN-00001')).toBeVisible({ timeout: 60_000 });

  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const firmwareTab = page.getByRole('link', { name: 'Firmware' });
  await expect(firmwareTab).toBeFocused();
  const outline = await firmwareTab.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).toBe('solid');

  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Firmware releases' })).toBeVisible();
});

test('shows settings and the live station log', async ({ page }) => {
  await page.goto(`${bench.url}#/settings`);

  await expect(page.getByText('Embedded cloud (runs inside this station)')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Recent log lines' })).toBeVisible();
  await shoot(page, '11-settings');
});

test('installs a pending HTTP OTA assignment over USB from the device card', async ({ page }) => {
  test.setTimeout(UPDATE_TIMEOUT + 60_000);
  await page.goto(`${bench.url}#/firmware`);
  const files = await bench.firmware('bota-pin', 'v1.2.0-001');
  await uploadAndRelease(await createDraft(page, 'v1.2.0', 'bota-pin', 'Bota Pin v1.2.0'), files);

  await page.goto(bench.url);
  await card(page, 'PIN-00001').getByRole('link', { name: 'Cloud record' }).click();
  await page.getByLabel('Release to assign').selectOption({ label: 'v1.2.0' });
  await page.getByRole('button', { name: 'Assign' }).click();
  const history = page.getByRole('table', { name: 'Assignment history' });
  await expect(history.locator('tr[data-status=pending]')).toBeVisible();

  await page.getByRole('link', { name: /^Devices/ }).click();
  const pin = card(page, 'PIN-00001');
  await expect(pin.getByText('v1.2.0 is assigned to this device over HTTP OTA.')).toBeVisible({
    timeout: 60_000,
  });
  await shoot(page, '12-assignment-install-here');
  await pin.getByRole('button', { name: 'Install now over USB' }).click();
  await pin.getByRole('button', { name: 'Yes, install v1.2.0' }).click();
  await expect(pin.getByText('Done: the device runs v1.2.0')).toBeVisible({
    timeout: UPDATE_TIMEOUT,
  });

  await pin.getByRole('link', { name: 'Cloud record' }).click();
  await expect(history.locator('tr[data-status=applied]')).toBeVisible({ timeout: 60_000 });
  await shoot(page, '13-assignment-applied-over-usb');
});
