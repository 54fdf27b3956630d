// The one place ipcRenderer is used: the page gets a small API built from the contract.
// eslint-disable-next-line no-restricted-imports -- this is the typed wrapper the rule names
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

import {
  type BotaApi,
  CHANNEL_NAMES,
  EVENT_IPC_CHANNEL,
  type EventMessage,
  unknownChannel,
} from '../contract/ipc';
import type { Result } from '../contract/station';

/**
 * Exposes `window.bota` (BotaApi): `call(channel, args)` for the contract's queries and
 * commands, `subscribe(listener)` for its events. Unknown channels are refused here, so the
 * page can never reach an IPC channel the contract does not list.
 */
const known = new Set<string>(CHANNEL_NAMES);

const api: BotaApi = {
  call: async (channel, args) => {
    if (!known.has(channel)) return { ok: false, error: unknownChannel(channel) };
    return (await ipcRenderer.invoke(channel, args)) as Result<never>;
  },
  subscribe: (listener, onOpen) => {
    const forward = (_event: IpcRendererEvent, message: unknown): void =>
      listener(message as EventMessage);
    ipcRenderer.on(EVENT_IPC_CHANNEL, forward);
    // IPC is open from the start: state read after this line misses no event.
    if (onOpen) queueMicrotask(onOpen);
    return () => ipcRenderer.removeListener(EVENT_IPC_CHANNEL, forward);
  },
};

contextBridge.exposeInMainWorld('bota', api);
