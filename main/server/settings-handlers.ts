import { isDeepStrictEqual } from 'node:util';

import type { ChannelHandlers, SettingsView, StationSettings } from '../../contract/ipc';
import { readStationFile, saveSettings } from '../config';
import { ok } from './failures';

/** Prefix of a masked secret; a saved value starting with it keeps the stored secret. */
export const MASK = '••••';

/** What the settings channels need to know about the running station. */
export interface SettingsContext {
  /** Where station.json lives. */
  dataDir: string;
  /** The settings this run started with. */
  running: StationSettings;
  /** The cloud URL in use now. */
  activeCloudUrl: string;
  /** The token the station uses with its cloud now. */
  activeToken: string;
}

/** Reads and saves the station's settings; saved changes apply at the next start. */
export function settingsHandlers(
  context: SettingsContext,
): Pick<ChannelHandlers, 'settings:get' | 'settings:update'> {
  return {
    'settings:get': async () => ok(await view(context)),
    'settings:update': async (wanted) => {
      const stored = (await readStationFile(context.dataDir)).settings;
      await saveSettings(context.dataDir, keepMaskedSecrets(wanted, stored));
      return ok(await view(context));
    },
  };
}

async function view(context: SettingsContext): Promise<SettingsView> {
  const stored = (await readStationFile(context.dataDir)).settings;
  return {
    settings: maskSecrets(stored),
    activeCloudUrl: context.activeCloudUrl,
    dataDir: context.dataDir,
    restartNeeded: !isDeepStrictEqual(stored, context.running),
    tokenHint: mask(context.activeToken),
  };
}

/** The last four characters of a secret behind the mask. */
export function mask(secret: string): string {
  return `${MASK}${secret.slice(-4)}`;
}

function maskSecrets(settings: StationSettings): StationSettings {
  const cloud =
    settings.cloud.mode === 'remote'
      ? { ...settings.cloud, token: mask(settings.cloud.token) }
      : settings.cloud;
  const blob =
    settings.blob.kind === 's3' && settings.blob.secretAccessKey
      ? { ...settings.blob, secretAccessKey: mask(settings.blob.secretAccessKey) }
      : settings.blob;
  return { cloud, blob };
}

/** A form sends back the masked value for an untouched secret: keep the stored one. */
function keepMaskedSecrets(wanted: StationSettings, stored: StationSettings): StationSettings {
  const cloud =
    wanted.cloud.mode === 'remote' &&
    wanted.cloud.token.startsWith(MASK) &&
    stored.cloud.mode === 'remote'
      ? { ...wanted.cloud, token: stored.cloud.token }
      : wanted.cloud;
  const blob =
    wanted.blob.kind === 's3' &&
    wanted.blob.secretAccessKey?.startsWith(MASK) &&
    stored.blob.kind === 's3'
      ? { ...wanted.blob, secretAccessKey: stored.blob.secretAccessKey }
      : wanted.blob;
  return { cloud, blob };
}
