/**
 * Seams where faults are injected into a device (agent/faults/ builds them). The device
 * itself knows nothing about faults: it only calls these at the two places a real device
 * can fail, writing flash and applying an image at boot.
 */

/** One chunk about to be written to the spare slot. */
export interface SlotWriteContext {
  /** The device's serial number. */
  serial: string;
  /** Where in the image the chunk starts. */
  offset: number;
  /** The bytes to write. */
  chunk: Uint8Array;
  /** Bytes in the whole image. */
  length: number;
  /** The slot file being written, for a fault that must really tear a write. */
  slotPath: string;
}

/**
 * Called before each slot write: returns the bytes to write instead (e.g. corrupted), or
 * nothing to write them as they are; throws a DeviceRefusal to fail the write.
 */
export type SlotWriteHook = (
  write: SlotWriteContext,
) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

/** Called before the bootloader applies a waiting image: a reason refuses it, null allows. */
export type ApplyHook = (boot: { serial: string; version: string | null }) => string | null;

/** The hooks one device runs with. */
export interface DeviceHooks {
  /** Before each chunk reaches the spare slot. */
  beforeSlotWrite?: SlotWriteHook;
  /** Before the bootloader switches to a verified image. */
  beforeApply?: ApplyHook;
}
