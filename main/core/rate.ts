/**
 * Transfer rate smoothed over a short window: the bytes moved between the oldest sample
 * still inside the window and the newest, over the time between them. A per-callback rate
 * would jump with every acknowledgement burst; this reads steadily.
 */
export class RateMeter {
  private samples: { at: number; bytes: number }[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records that `bytes` have been done so far; returns the smoothed rate in bytes/s. */
  record(bytes: number): number {
    const at = this.now();
    this.samples.push({ at, bytes });

    // Keep one sample older than the window so the rate spans the whole window.
    while (this.samples.length > 2 && (this.samples[1]?.at ?? at) <= at - this.windowMs) {
      this.samples.shift();
    }
    return this.rate();
  }

  /** The current smoothed rate in bytes/s (0 until two samples exist). */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at <= first.at) return 0;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.at - first.at));
  }

  /** Starts over, for the next step of a job. */
  reset(): void {
    this.samples = [];
  }
}

/**
 * Lets a call through at most once per interval; the last held-back call can be flushed so
 * the final figure is never lost.
 */
export class Throttle {
  private lastAt = Number.NEGATIVE_INFINITY;
  private pending = false;

  constructor(
    private readonly intervalMs: number,
    private readonly action: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs the action now if the interval has passed, else remembers it is owed. */
  poke(): void {
    const at = this.now();
    if (at - this.lastAt >= this.intervalMs) {
      this.lastAt = at;
      this.pending = false;
      this.action();
      return;
    }
    this.pending = true;
  }

  /** Runs the action if a call is owed. */
  flush(): void {
    if (!this.pending) return;
    this.pending = false;
    this.lastAt = this.now();
    this.action();
  }
}
