import type { BotaApi } from '../contract/ipc';

declare global {
  interface Window {
    /** The station's API, present when the window runs inside Electron (see preload/). */
    bota?: BotaApi;
  }
}

export {};
