/**
 * Firmware versions in the two forms Bota uses: a release as the portal shows it (`v1.0.1`)
 * and a build as a device reports it (`v1.0.1-001`: release v1.0.1, build 1).
 */
export interface FirmwareVersion {
  /** Major release number. */
  major: number;
  /** Minor release number. */
  minor: number;
  /** Patch release number. */
  patch: number;
  /** Build number within the release, when the version names one. */
  build?: number;
}

const VERSION_PATTERN = /^v(\d{1,4})\.(\d{1,4})\.(\d{1,4})(?:-(\d{1,6}))?$/;

/** Thrown for a string that is not a firmware version. */
export class VersionFormatError extends Error {
  /** Stable code for callers and API replies. */
  readonly code = 'VERSION_FORMAT';

  constructor(readonly input: string) {
    super(`"${input}" is not a firmware version: expected v<major>.<minor>.<patch>[-<build>]`);
  }
}

/** Parses `v1.0.1` or `v1.0.1-001`; throws VersionFormatError for anything else. */
export function parseVersion(input: string): FirmwareVersion {
  const match = VERSION_PATTERN.exec(input.trim());
  if (!match) throw new VersionFormatError(input);

  const [, major, minor, patch, build] = match;
  const version: FirmwareVersion = {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
  };
  if (build !== undefined) version.build = Number(build);
  return version;
}

/** True when `input` parses as a firmware version. */
export function isVersion(input: string): boolean {
  return VERSION_PATTERN.test(input.trim());
}

/** True when `input` is a release version, without a build (`v1.0.1`). */
export function isReleaseVersion(input: string): boolean {
  return isVersion(input) && parseVersion(input).build === undefined;
}

/** The version written back in its canonical form (build padded to three digits). */
export function formatVersion(version: FirmwareVersion): string {
  const release = `v${version.major}.${version.minor}.${version.patch}`;
  if (version.build === undefined) return release;
  return `${release}-${String(version.build).padStart(3, '0')}`;
}

/** The release a version belongs to: `v1.0.1-001` → `v1.0.1`. */
export function releaseOf(input: string): string {
  const { major, minor, patch } = parseVersion(input);
  return formatVersion({ major, minor, patch });
}

/** Orders two releases by major, minor and patch only; builds are ignored. */
export function compareReleases(a: string, b: string): number {
  const left = parseVersion(a);
  const right = parseVersion(b);
  return left.major - right.major || left.minor - right.minor || left.patch - right.patch;
}

/**
 * Orders two versions fully: releases first, then builds, where a version without a build
 * sorts before any build of the same release.
 */
export function compareVersions(a: string, b: string): number {
  const byRelease = compareReleases(a, b);
  if (byRelease !== 0) return byRelease;
  return (parseVersion(a).build ?? -1) - (parseVersion(b).build ?? -1);
}

/**
 * The one definition of "an update": true when `release` is a later release than the one
 * the device runs. A device on `v1.0.1-007` is not offered `v1.0.1`.
 */
export function isNewerThanDevice(release: string, deviceVersion: string): boolean {
  return compareReleases(release, deviceVersion) > 0;
}

/**
 * The one definition of "applied": true when the device's reported version is a build of
 * the assigned release (`v1.0.1-001` runs `v1.0.1`). A release that names a build must
 * match that build exactly.
 */
export function runsRelease(deviceVersion: string, release: string): boolean {
  if (compareReleases(deviceVersion, release) !== 0) return false;
  const wanted = parseVersion(release).build;
  return wanted === undefined || wanted === parseVersion(deviceVersion).build;
}
