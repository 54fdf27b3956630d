import type { Logger } from 'pino';

import {
  type ChannelHandlers,
  channels,
  invalidArguments,
  isChannel,
  unknownChannel,
} from '../../contract/ipc';
import type { Result } from '../../contract/station';

/** Calls one channel with unchecked arguments; never rejects. */
export type Dispatch = (channel: string, args: unknown) => Promise<Result<unknown>>;

/**
 * The single entry for every call from the window, whatever carried it (Electron IPC or
 * browser-mode HTTP): checks the channel exists, validates the arguments with the
 * contract's zod schema, runs the handler. A handler that throws has a bug: the error is
 * logged and the window gets an INTERNAL_ERROR failure rather than a hung promise.
 */
export function createDispatcher(handlers: ChannelHandlers, logger: Logger): Dispatch {
  return async (channel, args) => {
    if (!isChannel(channel)) return { ok: false, error: unknownChannel(channel) };

    const parsed = channels[channel].args.safeParse(args ?? {});
    if (!parsed.success) {
      return { ok: false, error: invalidArguments(channel, parsed.error) };
    }

    try {
      const handler = handlers[channel] as (args: unknown) => Promise<Result<unknown>>;
      return await handler(parsed.data);
    } catch (error) {
      logger.error({ err: error, channel }, `ipc: ${channel} failed with a bug`);
      return {
        ok: false,
        error: {
          code: 'INTERNAL_ERROR',
          message: `The station hit an unexpected error in ${channel}: ${String(error)}`,
          hint: 'Try again; if it repeats, send the station log to support.',
        },
      };
    }
  };
}
