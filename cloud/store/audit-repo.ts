import type { AuditEntry } from '../../protocol/cloud-api';
import { uuidv7 } from '../ids';
import type { Store } from './database';

/** The audit_log table: who did what, when. */
export class AuditRepo {
  constructor(private readonly store: Store) {}

  /** Appends one entry. */
  add(actor: string, action: string, subject: string, detail: Record<string, unknown> = {}): void {
    this.store.run(
      'INSERT INTO audit_log (id, actor, action, subject, detail, at) VALUES (?, ?, ?, ?, ?, ?)',
      [uuidv7(), actor, action, subject, JSON.stringify(detail), new Date().toISOString()],
    );
  }

  /** The newest entries, newest first. */
  latest(limit: number): AuditEntry[] {
    const rows = this.store.all('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?', [limit]);
    return rows.map((row) => ({
      id: String(row.id),
      actor: String(row.actor),
      action: String(row.action),
      subject: String(row.subject),
      detail: JSON.parse(String(row.detail)) as Record<string, unknown>,
      at: String(row.at),
    }));
  }
}
