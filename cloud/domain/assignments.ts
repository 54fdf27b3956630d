import type { Assignment, AssignmentStatus } from '../../protocol/cloud-api';
import { runsRelease } from '../../protocol/version';
import { CloudError, notFound } from '../errors';
import { uuidv7 } from '../ids';
import { ACTIVE_STATUSES, type Transition } from '../store/assignments-repo';
import type { CloudContext } from './context';

/** HTTP OTA assignments: pending → delivered → applied, or failed / cancelled. */
export class AssignmentService {
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly context: CloudContext) {}

  /** Assigns a released release to a device of its model. */
  create(actor: string, input: { device_id: string; release_id: string }): Assignment {
    const { devices, releases } = this.context.repos;
    const device = devices.byId(input.device_id);
    if (!device) throw notFound('device', input.device_id);
    const release = releases.byId(input.release_id);
    if (!release) throw notFound('release', input.release_id);

    if (release.status !== 'released') {
      throw new CloudError(
        409,
        'RELEASE_NOT_RELEASED',
        `release ${release.version} is still a draft; release it first`,
      );
    }
    if (release.model !== device.model) {
      throw new CloudError(
        422,
        'MODEL_MISMATCH',
        `release ${release.version} is for ${release.model}; ` +
          `device ${device.serial} is a ${device.model}`,
      );
    }
    if (device.firmware_version && runsRelease(device.firmware_version, release.version)) {
      throw new CloudError(
        409,
        'ALREADY_RUNNING',
        `device ${device.serial} already runs ${device.firmware_version}, ` +
          `a build of ${release.version}; nothing to update`,
      );
    }
    return this.insert(actor, input);
  }

  /** One assignment with its history; 404 ASSIGNMENT_NOT_FOUND. */
  get(id: string): Assignment {
    const assignment = this.context.repos.assignments.byId(id);
    if (!assignment) throw notFound('assignment', id);
    return assignment;
  }

  /** Assignments, newest first. */
  list(filter: { status?: AssignmentStatus; device_id?: string }): Assignment[] {
    return this.context.repos.assignments.list({
      status: filter.status,
      deviceId: filter.device_id,
    });
  }

  /** Cancels a pending or delivered assignment; 409 ASSIGNMENT_FINISHED otherwise. */
  cancel(actor: string, id: string): Assignment {
    const current = this.get(id);
    const moved = this.change(current, {
      status: 'cancelled',
      reason: `cancelled by ${actor}`,
      actor,
    });
    if (!moved) {
      throw new CloudError(
        409,
        'ASSIGNMENT_FINISHED',
        `the assignment is already ${current.status}; ` +
          'only pending or delivered ones can be cancelled',
      );
    }
    return this.get(id);
  }

  /**
   * Moves an active assignment to `to`, writing the history row and an audit entry in the
   * same transaction. False when it was no longer active.
   */
  change(assignment: Assignment, to: Transition): boolean {
    const from = to.status === 'delivered' ? (['pending'] as const) : ACTIVE_STATUSES;
    const { assignments, audit, store } = this.context.repos;
    const moved = store.transaction(() => {
      const done = assignments.transition(assignment.id, from, to);
      if (done)
        audit.add(to.actor, `assignment.${to.status}`, assignment.id, { reason: to.reason });
      return done;
    });

    // Shortcoming: inside a group-commit batch this line is written before the commit, so a
    // failed commit leaves it in the log — better: log from a post-commit hook.
    if (moved) {
      const why = to.reason ? ` (${to.reason})` : '';
      this.context.log.info(
        `assignment: (${assignment.id}) ${assignment.status} → ${to.status}${why}`,
      );
    }
    return moved;
  }

  /** Fails every assignment delivered longer ago than the delivery timeout. */
  sweep(now = Date.now()): number {
    const cutoff = new Date(now - this.context.settings.deliveryTimeoutMs).toISOString();
    let failed = 0;
    for (const id of this.context.repos.assignments.deliveredBefore(cutoff)) {
      const assignment = this.context.repos.assignments.byId(id);
      if (
        assignment &&
        this.change(assignment, { status: 'failed', reason: 'timed out', actor: 'timer' })
      ) {
        failed += 1;
      }
    }
    return failed;
  }

  /** Starts the periodic delivery-timeout sweep. */
  startSweeper(): void {
    const every = Math.min(Math.max(this.context.settings.deliveryTimeoutMs / 4, 10), 30_000);
    this.sweeper = setInterval(() => this.sweepSafely(), every);
    this.sweeper.unref();
  }

  /** Stops the sweep. */
  stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  private sweepSafely(): void {
    try {
      this.sweep();
    } catch (error) {
      this.context.log.error({ err: error }, 'assignment: delivery-timeout sweep failed');
    }
  }

  private insert(actor: string, input: { device_id: string; release_id: string }): Assignment {
    const id = uuidv7();
    const { assignments, audit, store } = this.context.repos;
    try {
      store.transaction(() => {
        assignments.insert({ id, deviceId: input.device_id, releaseId: input.release_id, actor });
        audit.add(actor, 'assignment.create', id, { ...input });
      });
    } catch (error) {
      if (!/UNIQUE constraint failed/i.test(String(error))) throw error;
      throw this.activeConflict(input.device_id);
    }
    this.context.log.info(`assignment: (${id}) created pending for device ${input.device_id}`);
    return this.get(id);
  }

  private activeConflict(deviceId: string): CloudError {
    const active = this.context.repos.assignments.activeFor(deviceId);
    return new CloudError(
      409,
      'ASSIGNMENT_ACTIVE',
      `the device already has a ${active?.status ?? 'active'} assignment ${active?.id ?? ''} ` +
        `(${active?.version ?? ''}); cancel it or wait for it to finish`,
      { assignment_id: active?.id ?? null },
    );
  }
}
