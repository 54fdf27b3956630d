import { CoreError } from './failures';

/** Resolves after `ms`, or rejects with CANCELLED when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CoreError('CANCELLED'));
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', onAbort, { once: true });

    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(new CoreError('CANCELLED'));
    }
  });
}

/** `promise`, or a TIMEOUT CoreError once `ms` pass without it settling. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CoreError('TIMEOUT')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
