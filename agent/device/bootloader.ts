import type { DeviceModel } from '../../protocol/models';
import type { DeviceHooks } from './hooks';
import { otherSlot, readSlotDescriptor, slotCrc32, slotPath, slotSize } from './slots';
import type { BootRecord, DeviceState, SpareImage } from './state-file';

/** What the bootloader decided about a waiting spare image. */
export type BootDecision = { boot: 'spare'; version: string } | { boot: 'running'; reason: string };

/**
 * Checks the spare slot the way the device's bootloader does before switching to it: the
 * file holds the whole image, its CRC32 matches, and its descriptor names this model. Any
 * doubt keeps the running image, because a device must never boot half an image.
 */
export async function checkSpare(
  path: string,
  spare: SpareImage,
  model: DeviceModel,
): Promise<BootDecision> {
  const size = await slotSize(path);
  if (size < spare.length) {
    return { boot: 'running', reason: `spare slot holds ${size} of ${spare.length} bytes` };
  }

  const crc = await slotCrc32(path, spare.length);
  if (crc !== spare.crc32) return { boot: 'running', reason: 'CRC mismatch in spare slot' };

  const descriptor = await readSlotDescriptor(path);
  if (!descriptor) return { boot: 'running', reason: 'image has no descriptor' };
  if (descriptor.model !== model) {
    return { boot: 'running', reason: `image is for ${descriptor.model}, not ${model}` };
  }
  return { boot: 'spare', version: descriptor.version };
}

/**
 * One power-on: when a verified image waits in the spare slot, re-checks it and switches
 * the running slot to it, else keeps the running image. Mutates `state` and returns what
 * happened; the caller persists the state.
 */
export async function bootDevice(
  deviceDir: string,
  state: DeviceState,
  hooks: DeviceHooks,
): Promise<BootRecord> {
  const spare = state.spare;
  if (!spare?.pendingApply) return { applied: false, refusedReason: null, at: Date.now() };

  const refused = hooks.beforeApply?.({ serial: state.serial, version: spare.version });
  const decision: BootDecision = refused
    ? { boot: 'running', reason: refused }
    : await checkSpare(slotPath(deviceDir, otherSlot(state.running)), spare, state.model);

  state.spare = null;
  if (decision.boot === 'running') {
    return { applied: false, refusedReason: decision.reason, at: Date.now() };
  }
  state.running = otherSlot(state.running);
  state.firmwareVersion = decision.version;
  return { applied: true, refusedReason: null, at: Date.now() };
}
