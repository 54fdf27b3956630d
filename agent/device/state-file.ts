import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { DeviceModel } from '../../protocol/models';

/** One of the device's two firmware slots. */
export type SlotName = 'a' | 'b';

/** The image the spare slot holds or is receiving. */
export interface SpareImage {
  /** The model the image was offered for. */
  model: DeviceModel;
  /** Bytes the whole image has. */
  length: number;
  /** CRC32 the whole image must have, unsigned. */
  crc32: number;
  /** The version the sender named, when it named one. */
  version: string | null;
  /** True once the image was verified and waits for the next reboot. */
  pendingApply: boolean;
}

/** How the last boot went. */
export interface BootRecord {
  /** True when the bootloader switched to a new image. */
  applied: boolean;
  /** Why a waiting image was refused, when it was. */
  refusedReason: string | null;
  /** ms since the epoch. */
  at: number;
}

/** What a device keeps across restarts, as written to `state.json`. */
export interface DeviceState {
  /** Format of this file, bumped when its shape changes. */
  format: 1;
  /** The device's model. */
  model: DeviceModel;
  /** Printed serial number. */
  serial: string;
  /** The slot the device boots from. */
  running: SlotName;
  /** Version in the running slot's descriptor. */
  firmwareVersion: string;
  /** The spare slot's image, when one was begun. */
  spare: SpareImage | null;
  /** The cloud identity, once provisioned. */
  identity: { deviceId: string; secret: string; cloudUrl: string } | null;
  /** True while recording. */
  recording: boolean;
  /** Battery charge, 0 to 100. */
  battery: number;
  /** The most recent boot, or null before the first reboot. */
  lastBoot: BootRecord | null;
}

/** Reads `state.json`, or undefined when the device has never booted. */
export async function loadState(path: string): Promise<DeviceState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as DeviceState;
}

/** Writes `state.json` atomically (see writeJsonAtomic). */
export function saveState(path: string, state: DeviceState): Promise<void> {
  return writeJsonAtomic(path, state);
}

/**
 * Writes JSON atomically: a temp file beside the target is written and fsynced, then renamed
 * over it, so a crash leaves either the old or the new content, never half of one.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.state-${randomUUID()}.tmp`);

  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(value, null, 2));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Serialises saves of one device's state so they land in the order they were asked for. */
export class StateWriter {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  /** Queues a save of a snapshot of `state`; resolves once it is on disk. */
  save(state: DeviceState): Promise<void> {
    const snapshot = structuredClone(state);
    const next = this.tail.then(() => saveState(this.path, snapshot));
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every queued save has finished. */
  flush(): Promise<void> {
    return this.tail;
  }
}
