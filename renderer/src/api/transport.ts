import type { BotaApi } from '../../../contract/ipc';
import { createHttpClient } from './http-client';

/**
 * The one interface the window uses, whatever carries it: `window.bota` from the preload
 * script inside Electron, else the HTTP/WebSocket client with the token from the URL. The
 * token is kept for the tab's life so a reload without `?token=` still works.
 */

const TOKEN_KEY = 'bota.token';

/** What the window runs on, and why not when it cannot. */
export type Transport = { api: BotaApi; kind: 'electron' | 'browser' } | { error: string };

/** Picks the transport once at start. */
export function detectTransport(): Transport {
  if (window.bota) return { api: window.bota, kind: 'electron' };

  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    // Out of the address bar (and bookmarks, screenshots); the tab keeps it for reloads.
    history.replaceState(null, '', `${location.pathname}${location.hash}`);
  }
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    return {
      error:
        'This page needs the station access token. Open the address the station printed ' +
        'when it started (it ends in ?token=...).',
    };
  }
  return { api: createHttpClient(token), kind: 'browser' };
}
