import type { DeviceIdentity } from '../../contract/station';
import { parseUfwHeader, type UfwHeader } from '../../protocol/ufw';
import { runsRelease } from '../../protocol/version';
import { CoreError, errorCode } from './failures';
import type { FirmwareCache } from './firmware-cache';
import type { JobRun } from './job-run';
import type { LinkManager } from './links';
import { formatBytes, formatSeconds, type StationLog } from './log';
import type { StationTiming } from './options';
import { sleep } from './time';

/** What the steps of an update use. */
export interface StepTools {
  /** Downloads and caches `.ufw` files. */
  firmware: FirmwareCache;
  /** Reopens and re-identifies links while the device reboots. */
  links: LinkManager;
  /** The station log. */
  log: StationLog;
  /** Reboot timings. */
  timing: StationTiming;
}

/** Step 1: the release's `.ufw`, from the cache or the cloud, with download progress. */
export async function download(run: JobRun, tools: StepTools): Promise<Uint8Array> {
  run.enter('downloading', run.release.ufw?.size ?? 0);
  return tools.firmware.fetch(
    run.release,
    (done, total) => run.progress(done, total),
    run.abort.signal,
  );
}

/**
 * Step 2: pushes the `.ufw` over the device's link; the session verifies it on the device
 * before resolving, so the job shows 'verifying' once the last byte is out. Any failure
 * here leaves the device on its running firmware, and apply is never sent after one.
 */
export async function transfer(run: JobRun, ufw: Uint8Array, tools: StepTools): Promise<void> {
  const session = run.entry.session;
  if (!session) throw new CoreError('LINK_LOST');
  const header = checkedHeader(run, ufw);
  run.enter('transferring', header.imageLength);
  const started = Date.now();

  const onProgress = (done: number, total: number) => {
    if (done >= total && run.job.phase === 'transferring') run.enter('verifying', total);
    run.progress(done, total);
  };
  try {
    await session.transfer(ufw, onProgress, run.abort.signal);
  } catch (error) {
    throw run.abort.signal.aborted ? new CoreError('CANCELLED') : error;
  }
  if (run.abort.signal.aborted) throw new CoreError('CANCELLED');

  const took = formatSeconds(Date.now() - started);
  tools.log.info('link', `(${run.label}) transfer done ${formatBytes(ufw.length)} in ${took}`);
}

/** The `.ufw` header, checked against the device before a byte is sent. */
function checkedHeader(run: JobRun, ufw: Uint8Array): UfwHeader {
  const header = parseUfwHeader(ufw); // a UfwError carries its own code and words
  const model = run.entry.device.identity?.model;
  if (model && header.model !== model) {
    throw new CoreError('MODEL_MISMATCH', `the file is built for ${header.model}`);
  }
  return header;
}

/**
 * Step 3: tells the device to apply the verified image, then waits for it to come back on
 * the same link and identify with the new version. A link that drops during apply may mean
 * the device already restarted, so the wait decides.
 */
export async function applyAndReboot(run: JobRun, tools: StepTools): Promise<DeviceIdentity> {
  const session = run.entry.session;
  if (!session) throw new CoreError('LINK_LOST');
  run.enter('rebooting');
  const applyAt = Date.now();

  try {
    await session.apply();
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'LINK_LOST' && code !== 'TIMEOUT') throw error;
  }
  return waitForNewVersion(run, tools, applyAt);
}

async function waitForNewVersion(
  run: JobRun,
  tools: StepTools,
  applyAt: number,
): Promise<DeviceIdentity> {
  const wanted = run.release.build_version ?? run.release.version;
  const deadline = Date.now() + tools.timing.rebootTimeoutMs;
  let wentAway = false;

  while (Date.now() < deadline) {
    await sleep(tools.timing.rebootPollMs, run.abort.signal); // aborted only at shutdown
    const identity = await askDevice(run, tools);
    // Its link dropped (and maybe came back already) or it did not answer: it restarted.
    wentAway ||= !identity || run.entry.lostAt >= applyAt;
    if (!identity) continue;
    if (runsRelease(identity.firmwareVersion, wanted)) return identity;
    // Back from a restart on the old firmware: the bootloader kept it.
    if (wentAway) throw new CoreError('NOT_APPLIED', `it runs ${identity.firmwareVersion}`);
  }
  throw new CoreError('REBOOT_TIMEOUT');
}

/** The device's identity if it answers now; null while it is away (reopening its link). */
async function askDevice(run: JobRun, tools: StepTools): Promise<DeviceIdentity | null> {
  const entry = run.entry;
  if (!entry.session) {
    if (mayReconnect(run)) {
      const result = await tools.links.open(entry);
      if (result.ok) return result.value.identity;
    }
    return null;
  }
  return tools.links.reidentify(entry).catch(() => null);
}

/** Serial ports can be reopened any time; Bluetooth only once the device advertises again. */
function mayReconnect(run: JobRun): boolean {
  const entry = run.entry;
  if (entry.device.link === 'serial') return entry.present;
  return entry.advertisedAt > entry.lostAt;
}
