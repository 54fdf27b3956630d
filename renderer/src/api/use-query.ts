import { useCallback, useEffect, useState } from 'react';

import type { ArgsOf, Channel, ValueOf } from '../../../contract/ipc';
import type { Result } from '../../../contract/station';
import { useApi } from './context';

/** A query's state: still loading, or its latest result. */
export interface QueryState<T> {
  /** The latest result; null while the first call is in flight. */
  result: Result<T> | null;
  /** Calls again (after a change, or on a timer). */
  reload: () => void;
}

/**
 * Runs a query channel and keeps its latest result. `key` names the arguments: the query
 * runs again when it changes. `refreshMs` re-polls cloud data that has no pushed events.
 */
export function useQuery<C extends Channel>(
  channel: C,
  args: ArgsOf<C>,
  key: string,
  refreshMs?: number,
): QueryState<ValueOf<C>> {
  const api = useApi();
  const [result, setResult] = useState<Result<ValueOf<C>> | null>(null);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    let live = true;
    void api.call(channel, args).then((next) => {
      if (live) setResult(next);
    });
    return () => {
      live = false;
    };
    // `key` stands for `args`, which is a fresh object every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, channel, key, generation]);

  useEffect(() => {
    if (!refreshMs) return undefined;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, reload]);

  return { result, reload };
}
