// The one place ipcMain is used: every handler it registers comes from the contract.
// eslint-disable-next-line no-restricted-imports -- this is the typed wrapper the rule names
import { ipcMain, type WebContents } from 'electron';

import { channels, EVENT_IPC_CHANNEL, type EventMessage } from '../../contract/ipc';
import type { Dispatch } from '../server/dispatch';

/**
 * Registers one `ipcMain.handle` per contract channel, each going through the dispatcher
 * (zod validation, failures as values). Calls from any frame but our own window's are
 * refused, so a page that got loaded by mistake can reach nothing.
 */
export function registerIpcHandlers(
  dispatch: Dispatch,
  isTrustedUrl: (url: string) => boolean,
): () => void {
  const names = Object.keys(channels);
  for (const channel of names) {
    ipcMain.handle(channel, async (event, args) => {
      if (!event.senderFrame || !isTrustedUrl(event.senderFrame.url)) {
        return {
          ok: false,
          error: {
            code: 'UNTRUSTED_SENDER',
            message: `${channel} was called from a page the station did not load.`,
            hint: 'Restart the station.',
          },
        };
      }
      return dispatch(channel, args);
    });
  }
  return () => names.forEach((channel) => ipcMain.removeHandler(channel));
}

/** Pushes one event to a window, unless it has gone. */
export function sendEvent(contents: WebContents, message: EventMessage): void {
  if (!contents.isDestroyed()) contents.send(EVENT_IPC_CHANNEL, message);
}
