// The deadlines of the orders still at a unit, as the time-limit module would have set them.
import type { AppContext } from '../core/context.js';
import { bulkLoad } from '../db/bulk.js';
import { computeTimes, levelAt, nextAt, choosePolicy, loadCalendar, policyFromRow } from '../sla/index.js';
import type { WorkOrder } from '../workorders/index.js';

/** Deadlines of the orders still at a unit, as the time-limit module would have set them. */
export async function seedDeadlines(ctx: AppContext, running: WorkOrder[], end: Date) {
  const { db } = ctx;
  const { calendar, settings } = await loadCalendar(db, ctx);
  const policies = (await db.query('SELECT * FROM sla_policies')).rows.map(policyFromRow);
  const rows: unknown[][] = [];
  for (const o of running) {
    const p = choosePolicy(policies, o);
    const start = Date.parse(o.dispatchedAt!);
    for (const kind of ['sign', 'reply'] as const) {
      const dur = kind === 'sign' ? p.sign : p.reply;
      const ext = kind === 'reply' ? o.extensionDays : 0;
      const t = computeTimes(calendar, settings, start, dur, ext);
      const met = kind === 'sign' && o.signedAt != null;
      const level = met ? 'green' : levelAt(t, end.getTime());
      const next = met ? null : nextAt(t, level);
      rows.push([
        o.id,
        kind,
        o.dispatchCount,
        o.mainUnitId,
        p.id || null,
        dur,
        ext,
        new Date(start),
        new Date(t.due),
        new Date(t.warn),
        new Date(t.escalate),
        met ? 'met' : 'running',
        met ? o.signedAt : null,
        level,
        next == null ? null : new Date(next),
      ]);
    }
  }
  await bulkLoad(
    db,
    'order_deadlines',
    [
      ['workorder_id', 'int'],
      ['kind', 'text'],
      ['cycle', 'int'],
      ['unit_id', 'int'],
      ['policy_id', 'int'],
      ['duration', 'jsonb'],
      ['extension_days', 'int'],
      ['started_at', 'timestamptz'],
      ['due_at', 'timestamptz'],
      ['warn_at', 'timestamptz'],
      ['escalate_at', 'timestamptz'],
      ['state', 'text'],
      ['met_at', 'timestamptz'],
      ['level', 'text'],
      ['next_at', 'timestamptz'],
    ].map(([name, type]) => ({ name: name!, type: type! })),
    rows,
    { trusted: true },
  );
}
