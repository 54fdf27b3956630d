import type { Store } from './database';

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: units of work submitted in the same turn of the event loop run in ONE write
 * transaction, each in its own savepoint, and each caller is answered only after the commit.
 * A commit costs far more than the statements in it (measured: ~75 µs per transaction vs
 * ~20 µs per heartbeat in batches of 20), so under load this multiplies write throughput
 * while one failing unit still undoes only itself.
 */
export class WriteBatcher {
  private queue: Job[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    /** Called for every unit of a batch whose commit failed, to drop cached state. */
    private readonly onBatchFailed: () => void = () => {},
  ) {}

  /** Runs `work` in the next batch; resolves with its result once committed. */
  submit<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const jobs = this.queue;
    this.queue = [];
    this.scheduled = false;

    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.store.transaction(() => {
        for (const job of jobs) outcomes.push(this.runOne(job));
      });
    } catch (error) {
      this.onBatchFailed();
      for (const job of jobs) job.reject(error);
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.value);
    });
  }

  private runOne(job: Job): { ok: boolean; value: unknown } {
    try {
      return { ok: true, value: this.store.savepoint(job.work) };
    } catch (error) {
      return { ok: false, value: error };
    }
  }
}
