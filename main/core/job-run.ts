import { randomUUID } from 'node:crypto';

import type { Failure, UpdateJob, UpdatePhase } from '../../contract/station';
import type { Release } from '../../protocol/cloud-api';
import type { EventHub } from './events';
import type { StationLog } from './log';
import { RateMeter, Throttle } from './rate';
import type { DeviceEntry, DeviceRegistry } from './registry';

/** What a running job needs from the station around it. */
export interface JobContext {
  /** Where device changes are announced. */
  registry: DeviceRegistry;
  /** Where job progress is announced. */
  events: EventHub;
  /** The station log. */
  log: StationLog;
  /** Least time between progress events. */
  progressIntervalMs: number;
  /** Window the rate is smoothed over. */
  rateWindowMs: number;
}

/**
 * One update job's live state: the public UpdateJob, its cancel switch, its smoothed rate,
 * and the throttle that keeps progress events to about ten a second. Phase changes are
 * announced at once (after any owed progress event), progress only through the throttle.
 */
export class JobRun {
  /** The public view, mutated in place and copied out on every event. */
  readonly job: UpdateJob;
  /** Aborts the download or transfer when the job is cancelled. */
  readonly abort = new AbortController();
  private readonly meter: RateMeter;
  private readonly throttle: Throttle;

  constructor(
    /** The device it runs on. */
    readonly entry: DeviceEntry,
    /** The release being installed. */
    readonly release: Release,
    assignmentId: string | null,
    private readonly context: JobContext,
  ) {
    this.job = newJob(entry.device.key, release, assignmentId);
    this.meter = new RateMeter(context.rateWindowMs);
    this.throttle = new Throttle(context.progressIntervalMs, () => this.announce());
  }

  /** The device's serial for log lines. */
  get label(): string {
    return this.entry.device.identity?.serial ?? this.entry.device.key;
  }

  /** True once the job is done or failed. */
  get finished(): boolean {
    return this.job.phase === 'done' || this.job.phase === 'failed';
  }

  /** Moves to `phase` with a fresh byte count, and announces it. */
  enter(phase: UpdatePhase, bytesTotal = 0): void {
    this.throttle.flush();
    const from = this.job.phase;
    Object.assign(this.job, { phase, bytesDone: 0, bytesTotal, bytesPerSecond: 0 });
    this.meter.reset();

    this.context.log.info('update', `(${this.label}) ${this.job.version} ${from} → ${phase}`, {
      job_id: this.job.id,
    });
    this.announce();
    this.context.registry.changed(this.entry);
  }

  /** Records progress in the current step; announced at most every progress interval. */
  progress(done: number, total: number): void {
    this.job.bytesDone = done;
    this.job.bytesTotal = total;
    this.job.bytesPerSecond = Math.round(this.meter.record(done));
    this.throttle.poke();
  }

  /** Ends the job as done (no failure) or failed. */
  finish(failure: Failure | null): void {
    this.throttle.flush();
    const phase: UpdatePhase = failure ? 'failed' : 'done';
    Object.assign(this.job, { phase, failure, finishedAt: Date.now(), bytesPerSecond: 0 });

    const ending = failure ? `failed: ${failure.code} ${failure.message}` : 'done';
    const line = `(${this.label}) ${this.job.version} ${ending}`;
    if (failure) this.context.log.warn('update', line, { job_id: this.job.id });
    else this.context.log.info('update', line, { job_id: this.job.id });
    this.announce();
  }

  /** Sends the job as it stands now. */
  announce(): void {
    this.context.events.emit({ type: 'update', job: structuredClone(this.job) });
  }
}

function newJob(deviceKey: string, release: Release, assignmentId: string | null): UpdateJob {
  return {
    id: randomUUID(),
    deviceKey,
    releaseId: release.id,
    version: release.version,
    assignmentId,
    phase: 'queued',
    bytesDone: 0,
    bytesTotal: 0,
    bytesPerSecond: 0,
    startedAt: Date.now(),
    finishedAt: null,
    failure: null,
  };
}
