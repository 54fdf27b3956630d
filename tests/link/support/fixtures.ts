import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildImage } from '../../../protocol/image';
import type { DeviceModel } from '../../../protocol/models';
import { encodeUfw } from '../../../protocol/ufw';

/** A `.ufw` for `model` at `version`, of `size` image bytes. */
export function makeUfw(
  overrides: { model?: DeviceModel; version?: string; size?: number } = {},
): Buffer {
  const model = overrides.model ?? 'bota-pin';
  const version = overrides.version ?? 'v1.0.1-001';
  return encodeUfw({ model, version }, buildImage({ model, version }, overrides.size ?? 64 * 1024));
}

/** A fresh temp folder and a function that removes it. */
export async function tempDir(
  prefix: string,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The code of the LinkError a promise rejects with (fails the test if it resolves). */
export async function codeOf(work: Promise<unknown>): Promise<string> {
  const outcome = await work.then(
    () => null,
    (error: unknown) => error,
  );
  if (outcome === null) throw new Error('expected a failure, but it succeeded');
  return String((outcome as { code?: unknown }).code);
}
