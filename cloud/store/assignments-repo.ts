import type { Assignment, AssignmentEvent, AssignmentStatus } from '../../protocol/cloud-api';
import { uuidv7 } from '../ids';
import type { Row, Store } from './database';

/** The statuses in which a device's assignment still counts as active. */
export const ACTIVE_STATUSES: readonly AssignmentStatus[] = ['pending', 'delivered'];

/** A status change, as written to the history. */
export interface Transition {
  /** The status entered. */
  status: AssignmentStatus;
  /** Why, for failed and cancelled. */
  reason: string | null;
  /** Who or what caused it. */
  actor: string;
}

/** The assignments and assignment_events tables. */
export class AssignmentsRepo {
  // Device id → its active assignment (or null), read on every heartbeat. Filled only from
  // committed state (outside transactions) and emptied by every insert and transition, so
  // an entry present is never stale, even after a rollback.
  private readonly activeCache = new Map<string, Assignment | null>();

  constructor(private readonly store: Store) {}

  /**
   * Inserts a pending assignment and its first history row. The partial unique index
   * `assignments_one_active` makes this throw when the device already has an active one.
   */
  insert(assignment: { id: string; deviceId: string; releaseId: string; actor: string }): void {
    const now = new Date().toISOString();
    this.activeCache.clear();
    this.store.run(
      `INSERT INTO assignments (id, device_id, release_id, status, created_at, updated_at)
       VALUES (?, ?, ?, 'pending', ?, ?)`,
      [assignment.id, assignment.deviceId, assignment.releaseId, now, now],
    );
    this.addEvent(assignment.id, { status: 'pending', reason: null, actor: assignment.actor }, now);
  }

  /**
   * The single place a status changes: updates the row and appends the history row. Callers
   * run it inside a transaction so both land together. Returns false when the assignment was
   * no longer in `from` (someone else moved it first).
   */
  transition(id: string, from: readonly AssignmentStatus[], to: Transition): boolean {
    const now = new Date().toISOString();
    const placeholders = from.map(() => '?').join(', ');
    this.activeCache.clear();
    const changed = this.store.run(
      `UPDATE assignments SET status = ?, reason = ?, updated_at = ?, revision = revision + 1,
        delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END
       WHERE id = ? AND status IN (${placeholders})`,
      [to.status, to.reason, now, to.status, now, id, ...from],
    );
    if (changed === 0) return false;

    this.addEvent(id, to, now);
    return true;
  }

  /** One assignment with its history, or null. */
  byId(id: string): Assignment | null {
    const row = this.store.get(`${SELECT} WHERE a.id = ?`, [id]);
    if (!row) return null;
    return { ...toAssignment(row), history: this.history(id) };
  }

  /** The device's pending or delivered assignment, or null. */
  activeFor(deviceId: string): Assignment | null {
    const cached = this.activeCache.get(deviceId);
    if (cached !== undefined) return cached;

    const row = this.store.get(
      `${SELECT} WHERE a.device_id = ? AND a.status IN ('pending', 'delivered')`,
      [deviceId],
    );
    const active = row ? toAssignment(row) : null;
    if (!this.store.inTransaction) this.activeCache.set(deviceId, active);
    return active;
  }

  /** Assignments, newest first. */
  list(filter: { status?: AssignmentStatus; deviceId?: string }): Assignment[] {
    const rows = this.store.all(
      `${SELECT} WHERE (?1 IS NULL OR a.status = ?1) AND (?2 IS NULL OR a.device_id = ?2)
       ORDER BY a.id DESC`,
      [filter.status ?? null, filter.deviceId ?? null],
    );
    return rows.map(toAssignment);
  }

  /** Ids of delivered assignments delivered before `cutoff` (ISO 8601). */
  deliveredBefore(cutoff: string): string[] {
    const rows = this.store.all(
      `SELECT id FROM assignments WHERE status = 'delivered' AND delivered_at < ?`,
      [cutoff],
    );
    return rows.map((row) => String(row.id));
  }

  /** Assignments per status. */
  countByStatus(): { status: AssignmentStatus; count: number }[] {
    const rows = this.store.all(
      'SELECT status, COUNT(*) AS n FROM assignments GROUP BY status ORDER BY status',
    );
    return rows.map((row) => ({
      status: String(row.status) as AssignmentStatus,
      count: Number(row.n),
    }));
  }

  private history(id: string): AssignmentEvent[] {
    const rows = this.store.all(
      'SELECT * FROM assignment_events WHERE assignment_id = ? ORDER BY id',
      [id],
    );
    return rows.map((row) => ({
      status: String(row.status) as AssignmentStatus,
      reason: row.reason === null ? null : String(row.reason),
      actor: String(row.actor),
      at: String(row.at),
    }));
  }

  private addEvent(assignmentId: string, to: Transition, at: string): void {
    this.store.run(
      `INSERT INTO assignment_events (id, assignment_id, status, reason, actor, at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [uuidv7(), assignmentId, to.status, to.reason, to.actor, at],
    );
  }
}

const SELECT = `SELECT a.*, r.version AS version FROM assignments a
  JOIN releases r ON r.id = a.release_id`;

function toAssignment(row: Row): Assignment {
  return {
    id: String(row.id),
    device_id: String(row.device_id),
    release_id: String(row.release_id),
    version: String(row.version),
    status: String(row.status) as AssignmentStatus,
    reason: row.reason === null ? null : String(row.reason),
    created_at: String(row.created_at),
    updated_at: String(row.updated_at),
    revision: Number(row.revision),
  };
}
