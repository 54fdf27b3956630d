import type { Result, UpdateJob, UpdateRequest } from '../../contract/station';
import type { Release } from '../../protocol/cloud-api';
import { fail, failFrom, ok, toFailure } from './failures';
import { type JobContext, JobRun } from './job-run';
import { jobActive } from './links';
import type { StationCloud } from './ports';
import type { DeviceEntry } from './registry';
import type { AvailableUpdates } from './releases';
import { applyAndReboot, download, type StepTools, transfer } from './update-steps';

interface Target {
  release: Release;
  assignmentId: string | null;
}

/**
 * Update jobs, one per device and any number at once. Each job runs on its own device's
 * link with its own download wait, so no job waits on another (same-release downloads are
 * shared by the firmware cache, not serialised). queued → downloading → transferring →
 * verifying → rebooting → done, or failed with a Failure in words.
 */
export class UpdateJobs {
  // Shortcoming: a finished job lives only on its device's entry, so it is gone once the
  // device is unlisted or the station restarts — better: a small job history in workDir.
  private readonly running = new Map<string, JobRun>();

  constructor(
    private readonly cloud: StationCloud,
    private readonly context: JobContext,
    private readonly tools: StepTools,
    private readonly updates: AvailableUpdates,
  ) {}

  /** Checks the request, queues the job and starts it; resolves with the queued job. */
  async start(entry: DeviceEntry, request: UpdateRequest): Promise<Result<UpdateJob>> {
    const refusal = this.refusal(entry);
    if (refusal) return refusal;

    const target = await this.resolve(request).catch((error: unknown) => failFrom<Target>(error));
    if (!target.ok) return target;
    const mismatch = checkRelease(entry, target.value.release);
    if (mismatch) return mismatch;

    // Checked again: another start may have queued a job while the cloud answered.
    const late = this.refusal(entry);
    if (late) return late;

    const run = new JobRun(entry, target.value.release, target.value.assignmentId, this.context);
    this.running.set(run.job.id, run);
    entry.device.update = run.job;
    this.context.registry.update(entry, { status: 'updating' });
    run.announce();
    void this.run(run);
    return ok(structuredClone(run.job));
  }

  /** Stops a job before the device starts installing; the device keeps its firmware. */
  cancel(jobId: string, entries: DeviceEntry[]): Result<null> {
    const run = this.running.get(jobId);
    if (!run) {
      const known = entries.some((entry) => entry.device.update?.id === jobId);
      return fail(known ? 'JOB_FINISHED' : 'UNKNOWN_JOB');
    }
    if (run.job.phase === 'rebooting') return fail('CANNOT_CANCEL');

    run.abort.abort();
    return ok(null);
  }

  /** Cancels every running job, for shutdown. */
  cancelAll(): void {
    for (const run of this.running.values()) run.abort.abort();
  }

  private refusal(entry: DeviceEntry): Result<UpdateJob> | null {
    if (!entry.session) return fail('NOT_CONNECTED');
    if (!entry.device.identity) return fail('NOT_IDENTIFIED');
    if (jobActive(entry)) return fail('UPDATE_RUNNING');
    return null;
  }

  private async resolve(request: UpdateRequest): Promise<Result<Target>> {
    if ('releaseId' in request) {
      const release = await this.cloud.getRelease(request.releaseId);
      return ok({ release, assignmentId: null });
    }

    const assignment = await this.cloud.getAssignment(request.assignmentId);
    if (assignment.status !== 'pending' && assignment.status !== 'delivered') {
      return fail('ASSIGNMENT_NOT_ACTIVE', `it is ${assignment.status}`);
    }
    const release = await this.cloud.getRelease(assignment.release_id);
    return ok({ release, assignmentId: assignment.id });
  }

  private async run(run: JobRun): Promise<void> {
    try {
      const ufw = await download(run, this.tools);
      await transfer(run, ufw, this.tools);
      await applyAndReboot(run, this.tools);
      this.updates.apply(run.entry); // the new version is no longer an update
      run.finish(null);
    } catch (error) {
      run.finish(toFailure(error, 'INTERNAL'));
    } finally {
      this.running.delete(run.job.id);
      this.settle(run);
    }
  }

  /** Puts the device back to 'connected' (or 'lost') and refreshes what it is offered. */
  private settle(run: JobRun): void {
    const entry = run.entry;
    const pending = entry.device.pendingAssignment;
    const fulfilled = run.job.phase === 'done' && pending?.releaseId === run.release.id;
    if (!entry.session) entry.lastSeenAt = Date.now(); // the grace time starts now

    this.context.registry.update(entry, {
      status: entry.session ? 'connected' : 'lost',
      pendingAssignment: fulfilled ? null : pending,
    });
    if (entry.session) void this.updates.refreshFor(entry);
  }
}

function checkRelease(entry: DeviceEntry, release: Release): Result<UpdateJob> | null {
  if (release.status !== 'released') return fail('RELEASE_NOT_RELEASED');
  if (!release.ufw) return fail('NO_UFW');

  const model = entry.device.identity?.model;
  if (model && model !== release.model) {
    return fail('MODEL_MISMATCH', `release ${release.version} is for ${release.model}`);
  }
  return null;
}
