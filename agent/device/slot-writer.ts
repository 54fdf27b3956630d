import type { FileHandle } from 'node:fs/promises';

import { Crc32 } from '../../protocol/crc32';
import type { SlotWriteHook } from './hooks';
import { DeviceRefusal } from './refusal';

/** Writes one image into the spare slot, chunk by chunk and in order. */
export interface SlotWriter {
  /** Contiguous bytes written so far. */
  readonly offset: number;
  /** Writes `chunk` at `offset`, which must equal `this.offset`. */
  write(offset: number, chunk: Uint8Array): Promise<void>;
  /** Verifies the whole image and marks it to be applied at the next reboot. */
  finish(): Promise<void>;
  /** Stops writing; the running firmware is untouched and the bytes held stay for resume. */
  abort(): Promise<void>;
}

/** What a slot writer needs from its device. */
export interface SlotWriterHost {
  /** The device's serial number, for hooks and messages. */
  readonly serial: string;
  /** Throws a DeviceRefusal when the device may not go on (recording, low battery). */
  assertMayWrite(): void;
  /** Records how many bytes of the image the slot now holds. */
  held(bytes: number): void;
  /**
   * Verifies the finished image and marks it pending; throws a DeviceRefusal if bad.
   * `writtenCrc32` is the CRC32 of every byte this writer put in the slot, when it wrote
   * the whole image itself (not a resume), so the slot need not be read back.
   */
  complete(writtenCrc32: number | undefined): Promise<void>;
  /** The writer is done, one way or another: the device is free for another update. */
  closed(): void;
  /** Optional fault seam. */
  readonly beforeSlotWrite?: SlotWriteHook;
}

/** A SlotWriter over an open slot file. */
export class FileSlotWriter implements SlotWriter {
  private written: number;
  private reserved: number;
  private open = true;
  // Fed with the bytes exactly as they go to flash (after the fault hook), so a bad write
  // still shows as a CRC mismatch. A resumed writer did not see the bytes before its start,
  // so it keeps none and the slot is read back at finish instead.
  private readonly crc: Crc32 | null;

  constructor(
    private readonly handle: FileHandle,
    private readonly slotPath: string,
    private readonly length: number,
    start: number,
    private readonly host: SlotWriterHost,
    /** Settles once the device's state names this image; nothing is written before. */
    private readonly named: Promise<void> = Promise.resolve(),
  ) {
    // A failed save surfaces at the first write (or finish); an abort before then drops it.
    named.catch(() => undefined);
    this.written = start;
    this.reserved = start;
    this.crc = start === 0 ? new Crc32() : null;
  }

  /** Contiguous bytes written so far. */
  get offset(): number {
    return this.written;
  }

  /** Writes one chunk; a refusal closes the writer, keeping what was written for resume. */
  async write(offset: number, chunk: Uint8Array): Promise<void> {
    this.assertOpen();
    this.assertInOrder(offset, chunk);
    this.reserved = offset + chunk.length;

    try {
      await this.named;
      this.host.assertMayWrite();
      const bytes = await this.applyHook(offset, chunk);
      await this.handle.write(bytes, 0, bytes.length, offset);
      this.crc?.update(bytes);
      this.written = offset + chunk.length;
      this.host.held(this.written);
    } catch (error) {
      await this.close();
      throw asRefusal(error);
    }
  }

  /** Checks the image is whole, then lets the device verify and mark it. */
  async finish(): Promise<void> {
    this.assertOpen();
    if (this.written !== this.length) {
      throw new DeviceRefusal(
        'OUT_OF_ORDER',
        `image incomplete: ${this.written} of ${this.length} bytes written; send the rest`,
      );
    }
    await this.named;
    await this.handle.sync();
    await this.close();
    await this.host.complete(this.crc?.value);
  }

  /** Closes without applying anything. */
  async abort(): Promise<void> {
    if (this.open) await this.close();
  }

  private assertOpen(): void {
    if (!this.open) {
      throw new DeviceRefusal('UPDATE_CLOSED', 'this update was closed; begin a new one');
    }
  }

  private assertInOrder(offset: number, chunk: Uint8Array): void {
    if (offset !== this.reserved) {
      throw new DeviceRefusal(
        'OUT_OF_ORDER',
        `chunk at ${offset} but the device expects ${this.reserved}; resend from there`,
      );
    }
    if (offset + chunk.length > this.length) {
      throw new DeviceRefusal(
        'IMAGE_TOO_LARGE',
        `chunk ends at ${offset + chunk.length}, past the ${this.length}-byte image`,
      );
    }
  }

  private async applyHook(offset: number, chunk: Uint8Array): Promise<Uint8Array> {
    const hook = this.host.beforeSlotWrite;
    if (!hook) return chunk;
    const context = { serial: this.host.serial, offset, chunk, length: this.length };
    return (await hook({ ...context, slotPath: this.slotPath })) ?? chunk;
  }

  private async close(): Promise<void> {
    this.open = false;
    this.reserved = this.written;
    await this.handle.close().catch(() => undefined);
    this.host.closed();
  }
}

/** A failed write is a flash write error to everyone above the slot, whatever the cause. */
function asRefusal(error: unknown): DeviceRefusal {
  if (error instanceof DeviceRefusal) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DeviceRefusal('FLASH_WRITE_ERROR', `writing the spare slot failed: ${message}`);
}
