// Retention (PIPL: keep personal data no longer than needed): closed orders older than N days
// lose the citizen's name and phone everywhere they are stored, and their files. Idempotent; safe on many nodes.
import type { Database } from '../db/database.js';
import { badRequest } from '../core/errors.js';
import { setting } from '../core/config.js';

export function retentionDays(flag?: number): number {
  const days = flag ?? setting('JIESU_RETENTION_DAYS');
  if (!Number.isInteger(days) || days < 1) throw badRequest('security.retentionDays', {}, 'days');
  return days;
}

export interface RetentionReport {
  days: number;
  cutoff: string;
  orders: number;
  events: number;
  contacts: number;
  callers: number;
  /** Files on those orders, deleted: photos and scans may show the citizen. */
  attachments: number;
}

/** Anonymises in batches, each in its own transaction; rows are claimed with SKIP LOCKED. */
export async function runRetention(
  db: Database,
  opts: { days: number; actorId?: number | null; batch?: number; onProgress?: (done: number) => void },
): Promise<RetentionReport> {
  const batch = opts.batch ?? 500;
  const cutoff = new Date(Date.now() - opts.days * 86_400_000);
  const report: RetentionReport = { days: opts.days, cutoff: cutoff.toISOString(), orders: 0, events: 0, contacts: 0, callers: 0, attachments: 0 };
  for (;;) {
    const n = await db.tx(async (q) => {
      const { rows } = await q.query<{ id: number; contact_id: number | null }>(
        `SELECT id, contact_id FROM workorders
          WHERE status = 'closed' AND closed_at < $1 AND anonymised_at IS NULL
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [cutoff, batch],
      );
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      const contactIds = rows.map((r) => r.contact_id).filter((c): c is number => c != null);
      await q.query(
        `UPDATE workorders SET citizen_name = NULL, citizen_phone = NULL, citizen_name_enc = NULL, citizen_phone_enc = NULL,
         citizen_phone_bidx = NULL, anonymised_at = now() WHERE id = ANY($1::int[])`,
        [ids],
      );
      // The projection is the fold of the events, so the `created` event (and any other event
      // that carried the citizen) loses it too: the fold still equals the row.
      const ev = await q.query(
        `UPDATE workorder_events SET data = jsonb_set(data, '{citizen}', 'null')
          WHERE workorder_id = ANY($1::int[]) AND data ? 'citizen' AND data->'citizen' <> 'null'::jsonb`,
        [ids],
      );
      const ct = await q.query(
        `UPDATE contacts SET caller_phone = NULL, caller_name = NULL, caller_phone_enc = NULL, caller_name_enc = NULL, caller_phone_bidx = NULL
          WHERE (workorder_id = ANY($1::int[]) OR id = ANY($2::int[])
                 OR id IN (SELECT contact_id FROM dup_callers WHERE workorder_id = ANY($1::int[]) AND contact_id IS NOT NULL))
            AND (caller_phone IS NOT NULL OR caller_name IS NOT NULL OR caller_phone_enc IS NOT NULL OR caller_name_enc IS NOT NULL)`,
        [ids, contactIds],
      );
      const dc = await q.query(
        `UPDATE dup_callers SET phone = NULL, name = NULL, phone_enc = NULL, name_enc = NULL, phone_bidx = NULL
          WHERE (workorder_id = ANY($1::int[]) OR source_order_id = ANY($1::int[]))
            AND (phone IS NOT NULL OR name IS NOT NULL OR phone_enc IS NOT NULL OR name_enc IS NOT NULL)`,
        [ids],
      );
      const at = await q.query('DELETE FROM workorder_attachments WHERE workorder_id = ANY($1::int[])', [ids]);
      report.orders += rows.length;
      report.events += ev.rowCount;
      report.contacts += ct.rowCount;
      report.callers += dc.rowCount;
      report.attachments += at.rowCount;
      return rows.length;
    });
    opts.onProgress?.(report.orders);
    if (n < batch) break;
  }
  await db.query("INSERT INTO audit_events (actor_id, action, data) VALUES ($1, 'retention.run', $2)", [opts.actorId ?? null, JSON.stringify(report)]);
  return report;
}
