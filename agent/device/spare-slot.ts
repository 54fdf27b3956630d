import { open } from 'node:fs/promises';

import type { AgentLogger } from '../log';
import { assertMayContinue } from './checks';
import type { DeviceHooks } from './hooks';
import { DeviceRefusal } from './refusal';
import {
  FileSlotWriter,
  type SlotWriter,
  type SlotWriterHost,
  type WrittenImage,
} from './slot-writer';
import { otherSlot, slotPath, slotSize } from './slots';
import type { DeviceState, SpareImage, StateWriter } from './state-file';
import type { UpdateImage } from './types';
import { checkFinishedImage } from './verify';

/** What the spare slot needs from its device. */
export interface SpareSlotContext {
  /** The device's folder. */
  deviceDir: string;
  /** The device's live state (shared, mutated here for `spare`). */
  state: DeviceState;
  /** Saves the state. */
  stateWriter: StateWriter;
  /** Fault seams. */
  hooks: DeviceHooks;
  /** Called when an update opens or closes. */
  changed: () => void;
  /** Where the verified image is logged. */
  log: AgentLogger;
}

/**
 * The slot an update is written to: at most one writer at a time, the bytes it holds of
 * which image, and the check that marks a finished image for the bootloader.
 */
export class SpareSlot {
  private writer: SlotWriter | null = null;
  private held = 0;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly context: SpareSlotContext) {}

  /** The spare slot's file (the slot the device does not run from). */
  get path(): string {
    const { deviceDir, state } = this.context;
    return slotPath(deviceDir, otherSlot(state.running));
  }

  /** True while an update is open. */
  get busy(): boolean {
    return this.writer !== null;
  }

  /**
   * Settles once a verified image's bytes are flushed and its mark saved. A reboot waits for
   * it, and so does the next image before it empties the slot.
   */
  settled(): Promise<void> {
    return this.saving;
  }

  /** Bytes of this same image (length + CRC32) the slot holds. */
  heldBytes(image: { length: number; crc32: number }): number {
    const spare = this.context.state.spare;
    if (!spare || spare.length !== image.length || spare.crc32 !== image.crc32) return 0;
    return Math.min(this.held, spare.length);
  }

  /** Re-reads how much the slot holds, after a boot or at open. */
  async measure(): Promise<void> {
    this.held = this.context.state.spare ? await slotSize(this.path) : 0;
  }

  /**
   * Opens a writer at `start` (0 empties the slot and names the new image). Opening the slot
   * file and the state save that names a new image are not waited for here but by the
   * writer's first write, so the station can start streaming meanwhile while no byte of the
   * image reaches the slot before the state names it. A slot that cannot be opened fails
   * that first write, as a flash that cannot be erased would.
   */
  open(image: UpdateImage, start: number): SlotWriter {
    const path = this.path;
    const handle = this.saving.then(() => open(path, start > 0 ? 'r+' : 'w'));
    // The slot is emptied before the state names the new image, so a crash between the
    // two can never make old bytes look like the start of this image.
    if (start === 0) this.held = 0;
    const named = start === 0 ? handle.then(() => this.nameImage(image)) : Promise.resolve();
    this.writer = new FileSlotWriter({ handle, path, named }, image.length, start, this.host(path));
    return this.writer;
  }

  /** Aborts the open writer, if any. */
  async abort(): Promise<void> {
    await this.writer?.abort();
  }

  private async nameImage(image: UpdateImage): Promise<void> {
    this.context.state.spare = {
      model: image.model,
      length: image.length,
      crc32: image.crc32,
      version: image.version ?? null,
      pendingApply: false,
    };
    await this.context.stateWriter.save(this.context.state);
  }

  private host(path: string): SlotWriterHost {
    const { state, hooks } = this.context;
    return {
      serial: state.serial,
      beforeSlotWrite: hooks.beforeSlotWrite,
      assertMayWrite: () => assertMayContinue(state),
      held: (bytes) => {
        this.held = bytes;
      },
      complete: (written, flushed) => this.complete(path, written, flushed),
      closed: () => {
        this.writer = null;
        this.context.changed();
      },
    };
  }

  /**
   * Checks the finished image and marks it pending. The answer does not wait for the disk:
   * the mark is saved once the slot is flushed (`flushed`), in the background, and a reboot
   * waits for both (settled()). A crash before the save boots the running image, as a crash
   * a moment earlier would have, and the bootloader re-checks the slot in any case.
   */
  private async complete(
    path: string,
    written: WrittenImage | undefined,
    flushed: Promise<void>,
  ): Promise<void> {
    const { state, stateWriter } = this.context;
    const spare = state.spare;
    if (!spare) throw new DeviceRefusal('UPDATE_CLOSED', 'no image is being written');

    try {
      await checkFinishedImage(path, spare, state.model, written);
    } catch (error) {
      // A bad image is dropped whole, so a later resume never builds on its bytes.
      state.spare = null;
      this.held = 0;
      await stateWriter.save(state);
      throw error;
    }
    spare.pendingApply = true;
    this.saving = this.saveMark(spare, flushed);
    this.context.log.info(
      `device: (${state.serial}) image ${spare.version ?? '?'} verified, waits for reboot`,
    );
  }

  private async saveMark(spare: SpareImage, flushed: Promise<void>): Promise<void> {
    const { state, stateWriter, log } = this.context;
    try {
      await flushed;
    } catch (error) {
      // Bytes that may not be on disk are not worth a boot attempt: the image is dropped.
      log.error({ err: error }, `device: (${state.serial}) spare slot not flushed; image dropped`);
      if (state.spare === spare) state.spare = null;
      this.held = 0;
    }
    await stateWriter.save(state).catch((error: unknown) => {
      log.error({ err: error }, `device: (${state.serial}) state not saved`);
    });
  }
}
