import { useCallback, useState } from 'react';

import type { Failure, Result } from '../../../contract/station';

/** One action button's state: whether it runs, and the failure it last came back with. */
export interface ActionState {
  /** True while an action is in flight. */
  busy: boolean;
  /** The last failure, until dismissed or the next run. */
  failure: Failure | null;
  /** Runs a call; its failure (if any) lands in `failure`. */
  run: (action: () => Promise<Result<unknown>>) => Promise<void>;
  /** Clears the failure. */
  dismiss: () => void;
}

/** Runs calls one at a time and keeps their failure to show in words. */
export function useAction(): ActionState {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  const run = useCallback(async (action: () => Promise<Result<unknown>>) => {
    setBusy(true);
    setFailure(null);
    const result = await action();
    setBusy(false);
    if (!result.ok) setFailure(result.error);
  }, []);

  return { busy, failure, run, dismiss: useCallback(() => setFailure(null), []) };
}
