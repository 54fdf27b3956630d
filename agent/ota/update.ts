import type { OtaManifest } from '../../protocol/heartbeat';
import type { VirtualDevice } from '../device/device';
import { DeviceRefusal } from '../device/refusal';
import { DownloadFailed, downloadImage, type DownloadOptions } from './download';

/** How one update attempt ended. */
export type UpdateOutcome =
  | { kind: 'applied'; version: string }
  | { kind: 'deferred'; why: string }
  | { kind: 'failed'; reason: string };

/** Refusals that mean "not now" rather than "this update failed". */
const DEFERRING = new Set(['BUSY', 'OFFLINE']);

/**
 * One HTTP OTA update, start to end: download into the spare slot (resuming what the slot
 * already holds of this image), verify, reboot, and check the bootloader took the image.
 * Every failure comes back as a reason the cloud can show.
 */
export async function runUpdate(
  device: VirtualDevice,
  manifest: OtaManifest,
  options: DownloadOptions,
): Promise<UpdateOutcome> {
  if (device.recording) return { kind: 'deferred', why: 'recording' };

  try {
    const image = {
      model: device.model,
      length: manifest.size,
      crc32: manifest.crc32,
      version: manifest.version,
    };
    const open = (resume: boolean) => device.beginUpdate(image, { resume });
    const writer = await downloadImage(manifest, open, options);
    await writer.finish();
  } catch (error) {
    return outcomeOf(error);
  }

  await device.reboot();
  const boot = device.lastBoot;
  if (!boot?.applied) {
    return { kind: 'failed', reason: `bootloader refused the image: ${boot?.refusedReason}` };
  }
  return { kind: 'applied', version: device.firmwareVersion };
}

function outcomeOf(error: unknown): UpdateOutcome {
  if (error instanceof DownloadFailed) return { kind: 'failed', reason: error.message };
  if (error instanceof Error && error.name === 'AbortError') {
    return { kind: 'deferred', why: 'stopped' };
  }
  if (!(error instanceof DeviceRefusal)) throw error;
  if (DEFERRING.has(error.code)) return { kind: 'deferred', why: error.message };
  return { kind: 'failed', reason: reasonOf(error) };
}

/** The words the device reports for a refusal, led by what a person searches for. */
function reasonOf(refusal: DeviceRefusal): string {
  switch (refusal.code) {
    case 'CRC_MISMATCH':
      return `CRC mismatch: ${refusal.message}`;
    case 'MODEL_MISMATCH':
      return `wrong model: ${refusal.message}`;
    case 'FLASH_WRITE_ERROR':
      return `flash write error: ${refusal.message}`;
    case 'RECORDING_ACTIVE':
      return `recording started during the update: ${refusal.message}`;
    default:
      return `${refusal.code}: ${refusal.message}`;
  }
}
