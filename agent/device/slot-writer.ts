import { writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

import { Crc32 } from '../../protocol/crc32';
import { IMAGE_DESCRIPTOR_BYTES } from '../../protocol/image';
import type { SlotWriteHook } from './hooks';
import { DeviceRefusal } from './refusal';

/** Writes one image into the spare slot, chunk by chunk and in order. */
export interface SlotWriter {
  /** Contiguous bytes written so far. */
  readonly offset: number;
  /** Writes `chunk` at `offset`, which must equal `this.offset`. */
  write(offset: number, chunk: Uint8Array): Promise<void>;
  /**
   * Verifies the whole image and marks it to be applied at the next reboot; the slot's
   * flush and the mark's save finish in the background (see SpareSlot.settled).
   */
  finish(): Promise<void>;
  /** Stops writing; the running firmware is untouched and the bytes held stay for resume. */
  abort(): Promise<void>;
}

/** What a writer saw of an image it wrote whole, so a check need not read the slot back. */
export interface WrittenImage {
  /** CRC32 of every byte written. */
  crc32: number;
  /** The image's first IMAGE_DESCRIPTOR_BYTES bytes, as written. */
  head: Uint8Array;
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
   * `written` is what this writer saw going into the slot, when it wrote the whole image
   * itself (not a resume), so the slot need not be read back. `flushed` settles once the
   * slot's bytes are on disk (it rejects if they could not be flushed): the mark must not
   * be saved before.
   */
  complete(written: WrittenImage | undefined, flushed: Promise<void>): Promise<void>;
  /** The writer is done, one way or another: the device is free for another update. */
  closed(): void;
  /** Optional fault seam. */
  readonly beforeSlotWrite?: SlotWriteHook;
}

/** How a FileSlotWriter reaches its slot file. */
export interface SlotFile {
  /** The slot file, opened (and emptied for a new image) while the station starts sending. */
  handle: Promise<FileHandle>;
  /** Its path, for hooks and messages. */
  path: string;
  /** Settles once the device's state names this image; nothing is written before. */
  named: Promise<void>;
}

/** Written bytes between background flushes of the slot to disk. */
const SYNC_EVERY_BYTES = 128 * 1024;

/**
 * A SlotWriter over a slot file. Chunks go to the file in line (a page-cache write of one
 * chunk takes microseconds, less than a trip through the thread pool) and are flushed to disk
 * in the background every SYNC_EVERY_BYTES, as flash is written while the image streams in;
 * finish() verifies from what was written and leaves only the tail to flush.
 */
export class FileSlotWriter implements SlotWriter {
  private written: number;
  private reserved: number;
  private open = true;
  private file: FileHandle | null = null;
  private syncedTo: number;
  private syncing: Promise<void> | null = null;
  // Fed with the bytes exactly as they go to flash (after the fault hook), so a bad write
  // still shows as a CRC mismatch. A resumed writer did not see the bytes before its start,
  // so it keeps neither and the slot is read back at finish instead.
  private readonly crc: Crc32 | null;
  private readonly head: Buffer | null;

  constructor(
    private readonly slot: SlotFile,
    private readonly length: number,
    start: number,
    private readonly host: SlotWriterHost,
  ) {
    // A failed open or save surfaces at the first write (or finish); an abort drops it.
    slot.handle.catch(() => undefined);
    slot.named.catch(() => undefined);
    this.written = start;
    this.reserved = start;
    this.syncedTo = start;
    this.crc = start === 0 ? new Crc32() : null;
    this.head = start === 0 ? Buffer.alloc(Math.min(IMAGE_DESCRIPTOR_BYTES, length)) : null;
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
      const file = this.file ?? (await this.ready());
      this.host.assertMayWrite();
      const bytes = await this.applyHook(offset, chunk);
      writeAt(file, bytes, offset);
      this.crc?.update(bytes);
      this.keepHead(bytes, offset);
      this.written = offset + chunk.length;
      this.host.held(this.written);
      this.syncInBackground(file);
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
    const file = this.file ?? (await this.ready());
    this.open = false;
    const flushed = this.flushAndClose(file);
    flushed.catch(() => undefined); // the host hears of a failed flush through its promise

    const written = this.crc && this.head ? { crc32: this.crc.value, head: this.head } : undefined;
    try {
      await this.host.complete(written, flushed);
    } finally {
      this.host.closed();
    }
  }

  /** Closes without applying anything. */
  async abort(): Promise<void> {
    if (this.open) await this.close();
  }

  /** Makes every written byte durable, then closes the file. */
  private async flushAndClose(file: FileHandle): Promise<void> {
    try {
      await this.syncing;
      await file.sync();
    } finally {
      await file.close().catch(() => undefined);
    }
  }

  /** The open slot file, once the state names the image. */
  private async ready(): Promise<FileHandle> {
    const file = await this.slot.handle;
    await this.slot.named;
    this.file = file;
    return file;
  }

  /** Keeps the bytes that fall in the image's head, where its descriptor is. */
  private keepHead(bytes: Uint8Array, offset: number): void {
    if (!this.head || offset >= this.head.length) return;
    this.head.set(bytes.subarray(0, this.head.length - offset), offset);
  }

  /** Starts one flush when enough bytes are unflushed and none is running; never waited for. */
  private syncInBackground(file: FileHandle): void {
    if (this.syncing || this.written - this.syncedTo < SYNC_EVERY_BYTES) return;
    const upTo = this.written;
    this.syncing = file
      .datasync()
      .then(() => {
        this.syncedTo = upTo;
      })
      // A failed flush is found again by finish(), whose own sync reports it.
      .catch(() => undefined)
      .finally(() => {
        this.syncing = null;
      });
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
    return (await hook({ ...context, slotPath: this.slot.path })) ?? chunk;
  }

  private async close(): Promise<void> {
    this.open = false;
    this.reserved = this.written;
    await this.syncing;
    const file = await this.slot.handle.catch(() => null);
    await file?.close().catch(() => undefined);
    this.host.closed();
  }
}

/** Writes all of `bytes` at `offset`, from the event loop. */
function writeAt(file: FileHandle, bytes: Uint8Array, offset: number): void {
  for (let done = 0; done < bytes.length;) {
    done += writeSync(file.fd, bytes, done, bytes.length - done, offset + done);
  }
}

/** A failed write is a flash write error to everyone above the slot, whatever the cause. */
function asRefusal(error: unknown): DeviceRefusal {
  if (error instanceof DeviceRefusal) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DeviceRefusal('FLASH_WRITE_ERROR', `writing the spare slot failed: ${message}`);
}
