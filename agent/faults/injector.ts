import { closeSync, openSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { seededRandom } from '../../protocol/random';
import type { DeviceHooks, SlotWriteContext } from '../device/hooks';
import { DeviceRefusal } from '../device/refusal';
import type { FaultSpec } from './spec';

/** Thrown by a stream's reader when a fault dropped the connection (the caller cut it). */
export class ConnectionDropped extends Error {
  /** Stable code. */
  readonly code = 'CONNECTION_DROPPED';
}

/** What happens to one incoming chunk. */
export interface StreamVerdict {
  /** The bytes to take (maybe corrupted, maybe cut short). */
  chunk: Uint8Array;
  /** Set when the connection must be dropped right after this chunk: why. */
  drop: string | null;
}

/** Where a chunk sits in the stream it arrived on. */
export interface StreamChunk {
  /** Image position of the chunk's first byte. */
  offset: number;
  /** The bytes. */
  chunk: Uint8Array;
  /** Bytes that arrived on this connection before the chunk. */
  connectionBytes: number;
}

/** What the recording fault may do to its device. */
export interface RecordingControl {
  /** Starts or stops recording. */
  setRecording(on: boolean): void;
}

/**
 * Every fault of one device, in one place. The HTTP download and the link device side
 * pass each incoming chunk through `onStreamChunk`; the device's slot writer and
 * bootloader run the hooks from `deviceHooks`.
 */
export class DeviceFaults {
  private dropsDone = 0;
  private recordingDone = false;
  private readonly random: () => number;

  constructor(
    private readonly spec: FaultSpec,
    private readonly serial: string,
  ) {
    this.random = seededRandom(spec.seed ?? hashSerial(serial));
  }

  /** Connections dropped so far. */
  get drops(): number {
    return this.dropsDone;
  }

  /**
   * The chunk as it should arrive: delayed, corrupted, or cut short with a reason to drop
   * the connection right after it (the caller writes the chunk, then cuts the connection).
   */
  async onStreamChunk(stream: StreamChunk): Promise<StreamVerdict> {
    await this.throttle(stream.chunk.length);
    const chunk = this.corrupt(stream);

    const cut = this.cutAfterBytes(stream);
    if (cut !== undefined) return { chunk: chunk.subarray(0, cut), drop: this.drop('after bytes') };
    const chance = this.spec.dropProbability;
    if (chance !== undefined && this.random() < chance) {
      return { chunk, drop: this.drop('at random') };
    }
    return { chunk, drop: null };
  }

  /** The hooks the device runs at its slot writer and bootloader. */
  deviceHooks(control: RecordingControl): DeviceHooks {
    const hooks: DeviceHooks = {};
    const spec = this.spec;
    const atSlot = [spec.recordAtByte, spec.dieAtByte, spec.flashErrorAtByte];
    if (atSlot.some((position) => position !== undefined)) {
      hooks.beforeSlotWrite = (write) => this.beforeSlotWrite(write, control);
    }
    if (spec.refuseApply) {
      const reason = spec.refuseApply === true ? 'refused by fault injection' : spec.refuseApply;
      hooks.beforeApply = () => reason;
    }
    return hooks;
  }

  /** Bytes of this chunk to keep before the connection drops, or undefined for no drop. */
  private cutAfterBytes(stream: StreamChunk): number | undefined {
    const limit = this.spec.dropAfterBytes;
    if (limit === undefined) return undefined;
    if (this.spec.dropCount !== undefined && this.dropsDone >= this.spec.dropCount)
      return undefined;
    if (stream.connectionBytes + stream.chunk.length < limit) return undefined;
    return Math.max(0, limit - stream.connectionBytes);
  }

  private drop(why: string): string {
    this.dropsDone += 1;
    return `fault: ${this.serial} connection dropped ${why} (drop ${this.dropsDone})`;
  }

  private async throttle(bytes: number): Promise<void> {
    const rate = this.spec.slowBytesPerS;
    if (rate !== undefined) await sleep((bytes / rate) * 1000);
  }

  private corrupt(stream: StreamChunk): Uint8Array {
    const at = this.spec.corruptByteAt;
    const { offset, chunk } = stream;
    if (at === undefined || at < offset || at >= offset + chunk.length) return chunk;
    const copy = Uint8Array.from(chunk);
    copy[at - offset] = (copy[at - offset] ?? 0) ^ 0xff;
    return copy;
  }

  private beforeSlotWrite(write: SlotWriteContext, control: RecordingControl): undefined {
    const end = write.offset + write.chunk.length;
    const { dieAtByte, flashErrorAtByte, recordAtByte } = this.spec;
    if (dieAtByte !== undefined && end > dieAtByte) tearWriteAndDie(write, dieAtByte);
    if (flashErrorAtByte !== undefined && end > flashErrorAtByte) {
      throw new DeviceRefusal(
        'FLASH_WRITE_ERROR',
        `flash write failed at byte ${flashErrorAtByte} (injected fault)`,
      );
    }
    if (recordAtByte !== undefined && end > recordAtByte && !this.recordingDone) {
      this.startRecording(control);
    }
    return undefined;
  }

  private startRecording(control: RecordingControl): void {
    this.recordingDone = true;
    control.setRecording(true);
    const stopAfter = this.spec.recordForMs;
    if (stopAfter !== undefined) setTimeout(() => control.setRecording(false), stopAfter).unref();
    throw new DeviceRefusal(
      'RECORDING_ACTIVE',
      'recording started during the update (injected fault); the update stopped',
    );
  }
}

/**
 * Writes the part of the chunk before `dieAt` to the slot file, then kills this process
 * outright: a real torn write, exactly what a power cut mid-flash leaves behind.
 */
function tearWriteAndDie(write: SlotWriteContext, dieAt: number): never {
  const part = write.chunk.subarray(0, Math.max(0, dieAt - write.offset));
  const fd = openSync(write.slotPath, 'r+');
  writeSync(fd, part, 0, part.length, write.offset);
  closeSync(fd);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: the process was killed');
}

function hashSerial(serial: string): number {
  let hash = 2166136261;
  for (const char of serial) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
  return hash >>> 0;
}
