import { open } from 'node:fs/promises';

import type { AgentLogger } from '../log';
import { assertMayContinue } from './checks';
import type { DeviceHooks } from './hooks';
import { DeviceRefusal } from './refusal';
import { FileSlotWriter, type SlotWriter, type SlotWriterHost } from './slot-writer';
import { otherSlot, slotPath, slotSize } from './slots';
import type { DeviceState, StateWriter } from './state-file';
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
  private opening = false;
  private held = 0;

  constructor(private readonly context: SpareSlotContext) {}

  /** The spare slot's file (the slot the device does not run from). */
  get path(): string {
    const { deviceDir, state } = this.context;
    return slotPath(deviceDir, otherSlot(state.running));
  }

  /** True while an update is open (or opening). */
  get busy(): boolean {
    return this.opening || this.writer !== null;
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
   * Opens a writer at `start` (0 empties the slot and names the new image). The state save
   * that names a new image is not waited for here but by the writer's first write, so the
   * station can start streaming during the save while no byte of the image reaches the slot
   * before the state names it.
   */
  async open(image: UpdateImage, start: number): Promise<SlotWriter> {
    this.opening = true;
    try {
      const path = this.path;
      const handle = await open(path, start > 0 ? 'r+' : 'w');
      const named = start === 0 ? this.nameImage(image) : Promise.resolve();
      const host = this.host(path);
      this.writer = new FileSlotWriter(handle, path, image.length, start, host, named);
      return this.writer;
    } finally {
      this.opening = false;
    }
  }

  /** Aborts the open writer, if any. */
  async abort(): Promise<void> {
    await this.writer?.abort();
  }

  private async nameImage(image: UpdateImage): Promise<void> {
    // The slot was emptied before the state names the new image, so a crash between the
    // two can never make old bytes look like the start of this image.
    this.held = 0;
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
      complete: (writtenCrc32) => this.complete(path, writtenCrc32),
      closed: () => {
        this.writer = null;
        this.context.changed();
      },
    };
  }

  private async complete(path: string, writtenCrc32: number | undefined): Promise<void> {
    const { state, stateWriter } = this.context;
    const spare = state.spare;
    if (!spare) throw new DeviceRefusal('UPDATE_CLOSED', 'no image is being written');

    try {
      await checkFinishedImage(path, spare, state.model, writtenCrc32);
    } catch (error) {
      // A bad image is dropped whole, so a later resume never builds on its bytes.
      state.spare = null;
      this.held = 0;
      await stateWriter.save(state);
      throw error;
    }
    spare.pendingApply = true;
    await stateWriter.save(state);
    this.context.log.info(
      `device: (${state.serial}) image ${spare.version ?? '?'} verified, waits for reboot`,
    );
  }
}
