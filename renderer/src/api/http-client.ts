import { type BotaApi, decodeWire, encodeWire, type EventMessage } from '../../../contract/ipc';
import type { Result } from '../../../contract/station';

/**
 * BotaApi for browser mode: calls are `POST /rpc/<channel>` and events arrive on the
 * `/events` WebSocket, both carrying the access token the station printed in its URL. The
 * socket reconnects on its own, so a restarted station picks its window back up.
 */

const RECONNECT_MS = 1000;

/** Builds the client for the station that served this page. */
export function createHttpClient(token: string, origin = window.location.origin): BotaApi {
  const listeners = new Set<(message: EventMessage) => void>();
  const openers = new Set<() => void>();
  openEvents(origin, token, { listeners, openers });

  return {
    call: async (channel, args) => {
      const reply = await postCall(origin, token, channel, args);
      return reply as Result<never>;
    },
    subscribe: (listener, onOpen) => {
      listeners.add(listener);
      if (onOpen) openers.add(onOpen);
      return () => {
        listeners.delete(listener);
        if (onOpen) openers.delete(onOpen);
      };
    },
  };
}

async function postCall(
  origin: string,
  token: string,
  channel: string,
  args: unknown,
): Promise<Result<unknown>> {
  try {
    const response = await fetch(`${origin}/rpc/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: encodeWire(args ?? {}),
    });
    const reply = decodeWire(await response.text()) as Partial<Result<unknown>>;
    if (typeof reply.ok === 'boolean') return reply as Result<unknown>;
    return {
      ok: false,
      error: {
        code: 'STATION_REPLY',
        message: `The station answered ${response.status} without a result.`,
        hint: 'Reload the window; if it repeats, restart the station.',
      },
    };
  } catch (error) {
    return {
      ok: false,
      error: {
        code: 'STATION_UNREACHABLE',
        message: `The station did not answer (${String(error)}).`,
        hint: 'Check the station is still running, then reload this page.',
      },
    };
  }
}

/** Who hears the event stream. */
interface Audience {
  /** Event listeners. */
  listeners: Set<(message: EventMessage) => void>;
  /** Called on every (re)open. */
  openers: Set<() => void>;
}

function openEvents(origin: string, token: string, audience: Audience): void {
  const url = `${origin.replace(/^http/, 'ws')}/events?token=${encodeURIComponent(token)}`;
  const socket = new WebSocket(url);
  socket.onopen = () => audience.openers.forEach((opened) => opened());
  socket.onmessage = (event) => {
    const message = decodeWire(String(event.data)) as EventMessage;
    audience.listeners.forEach((listener) => listener(message));
  };
  socket.onclose = () => {
    setTimeout(() => openEvents(origin, token, audience), RECONNECT_MS);
  };
}
