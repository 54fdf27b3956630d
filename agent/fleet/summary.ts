import type { FleetMember } from './fleet';

/** What the fleet looks like right now. */
export interface FleetSummary {
  /** Devices in the fleet. */
  total: number;
  /** Devices per running firmware version, highest count first. */
  versions: { version: string; count: number }[];
  /** Devices downloading an update. */
  downloading: number;
  /** Devices offline for a reboot. */
  rebooting: number;
  /** Devices whose last update failed. */
  failed: number;
  /** Devices recording. */
  recording: number;
  /** Devices with no cloud identity (they do not heartbeat). */
  unprovisioned: number;
}

/** Counts the fleet. */
export function summarize(members: readonly FleetMember[]): FleetSummary {
  const versions = new Map<string, number>();
  const summary: FleetSummary = {
    total: members.length,
    versions: [],
    downloading: 0,
    rebooting: 0,
    failed: 0,
    recording: 0,
    unprovisioned: 0,
  };
  for (const { device, ota } of members) {
    const version = device.firmwareVersion;
    versions.set(version, (versions.get(version) ?? 0) + 1);
    if (ota.phase === 'downloading') summary.downloading += 1;
    if (!device.online) summary.rebooting += 1;
    if (ota.phase === 'failed') summary.failed += 1;
    if (device.recording) summary.recording += 1;
    if (!device.deviceId) summary.unprovisioned += 1;
  }
  summary.versions = [...versions]
    .map(([version, count]) => ({ version, count }))
    .sort((a, b) => b.count - a.count || a.version.localeCompare(b.version));
  return summary;
}

/** The summary as a few short lines for a terminal. */
export function renderSummary(summary: FleetSummary, heading: string): string[] {
  const versions = summary.versions.map(({ version, count }) => `${version} ×${count}`);
  return [
    heading,
    `versions     ${versions.join('   ') || '-'}`,
    `downloading ${pad(summary.downloading)}   rebooting ${pad(summary.rebooting)}   ` +
      `failed ${pad(summary.failed)}   recording ${pad(summary.recording)}` +
      (summary.unprovisioned ? `   unprovisioned ${summary.unprovisioned}` : ''),
  ];
}

/** The summary on one line, for logs. */
export function summaryLine(summary: FleetSummary): string {
  const versions = summary.versions.map(({ version, count }) => `${version}=${count}`).join(' ');
  return (
    `fleet: ${summary.total} devices; ${versions}; downloading ${summary.downloading}, ` +
    `rebooting ${summary.rebooting}, failed ${summary.failed}, recording ${summary.recording}`
  );
}

function pad(count: number): string {
  return String(count).padStart(4);
}
