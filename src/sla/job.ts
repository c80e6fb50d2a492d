// The escalation job. Each run claims the deadlines whose next instant has come
// (`FOR UPDATE … SKIP LOCKED`, together with their order's row, so several nodes split
// the work and never wait on each other), fires the highest level reached, and records
// it under a unique key (order, cycle, kind, level): every level fires exactly once.
import type { Queryable } from '../db/database.js';
import type { AppContext } from '../core/context.js';
import { deliverWebhooks, enqueueWebhook, notifyUsers, type DeliveryResult } from '../notifications/index.js';
import { appendSystemEvent, endSuspension } from '../workorders/index.js';
import { cityTimeText } from '../core/time.js';
import { notifyLiaisons } from '../sms/index.js';
import { levelAt, nextAt, rank, type Kind, type Level } from './deadlines.js';
import { loadCalendar, type SlaSettings } from './settings.js';

export interface Fired {
  orderId: number;
  number: string;
  kind: Kind;
  level: Exclude<Level, 'green'>;
  dueAt: string;
}

export interface TickResult {
  now: string;
  claimed: number;
  fired: Fired[];
  /** Suspensions (挂起) that reached their end: the clock runs again. */
  resumed: { orderId: number; number: string }[];
  webhooks: DeliveryResult;
}

const KIND_ZH: Record<Kind, string> = { sign: '签收', reply: '答复' };
const LEVEL_ZH = { yellow: '即将超时', red: '已超时', escalated: '超时未办，升级督办' };

async function recipients(q: Queryable, unitId: number | null): Promise<number[]> {
  const { rows } = await q.query<{ id: number }>(`SELECT id FROM users WHERE active AND (unit_id = $1 OR 'supervisor' = ANY(roles)) ORDER BY id`, [unitId]);
  return rows.map((r) => r.id);
}

async function fire(ctx: AppContext, q: Queryable, s: SlaSettings, row: any, level: Exclude<Level, 'green'>, now: Date): Promise<void> {
  const kindZh = KIND_ZH[row.kind as Kind];
  const due = new Date(row.due_at).toISOString();
  // People read the deadline in the city's clock; `data.dueAt` stays ISO for programs.
  const dueText = cityTimeText(row.due_at, 'zh-CN', ctx.config.timeZone);
  let unitId: number | null = row.unit_id;
  if (level === 'escalated') {
    const p = await q.query<{ parent_id: number | null }>('SELECT parent_id FROM units WHERE id = $1', [row.unit_id]);
    unitId = p.rows[0]?.parent_id ?? null;
  }
  const title = `工单 ${row.number} ${kindZh}${LEVEL_ZH[level]}`;
  const body =
    `「${row.title}」${kindZh}时限 ${dueText}。` +
    (level === 'escalated' ? '已超时仍未办理，请上级单位督促。' : level === 'red' ? '已超时，请尽快办理。' : '即将到期，请及时办理。');
  const data = { deadline: row.kind, level, dueAt: due, unitId: row.unit_id, notifiedUnitId: unitId, cycle: row.cycle };
  await notifyUsers(q, await recipients(q, unitId), {
    kind: `sla.${level}`,
    title,
    body,
    workorderId: row.workorder_id,
    data: { ...data, number: row.number, title: row.title },
  });
  if (s.webhookUrl) {
    await enqueueWebhook(
      q,
      s.webhookUrl,
      { event: `sla.${level}`, order: { id: row.workorder_id, number: row.number, title: row.title }, ...data, title, at: now.toISOString() },
      now,
    );
  }
  // The unit's liaisons get a text message at the red level, where the city chose it (src/sms).
  if (level === 'red') {
    await notifyLiaisons(q, {
      kind: 'liaison_red',
      unitId: row.unit_id,
      orderId: row.workorder_id,
      params: { number: row.number, title: row.title, deadline: kindZh },
    });
  }
  if (s.autoSupervise && level !== 'yellow') {
    await appendSystemEvent(ctx, q, row.workorder_id, 'supervised', {
      note: level === 'red' ? `系统自动督办：${kindZh}已超时` : '系统二级督办：超时未办，已通报上级单位',
      automatic: true,
      level: level === 'red' ? 1 : 2,
      deadline: row.kind,
      dueAt: due,
      unitId: unitId,
    });
  }
}

/** One run of the job at `now`: fires what is due, then delivers pending webhooks. */
export async function tick(ctx: AppContext, now: Date = new Date(), opts: { batch?: number; deliver?: boolean } = {}): Promise<TickResult> {
  const batch = opts.batch ?? 200;
  const out: TickResult = { now: now.toISOString(), claimed: 0, fired: [], resumed: [], webhooks: { sent: 0, failed: 0, dead: 0 } };
  // Suspensions that reached their end first, so that deadlines they move are judged moved. Each
  // node claims other orders (SKIP LOCKED); an order ended by another node meanwhile is skipped.
  for (;;) {
    const n = await ctx.db.tx(async (q) => {
      const { rows } = await q.query<{ id: number }>(
        `SELECT id FROM workorders WHERE suspended_until <= $1 ORDER BY suspended_until LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, batch],
      );
      if (rows.length === 0) return 0;
      const { calendar } = await loadCalendar(q, ctx);
      for (const r of rows) {
        const o = await endSuspension(ctx, q, r.id, calendar);
        if (o) out.resumed.push({ orderId: o.id, number: o.number });
      }
      return rows.length;
    });
    if (n < batch) break;
  }
  for (;;) {
    const n = await ctx.db.tx(async (q) => {
      const { rows } = await q.query<any>(
        `SELECT d.*, w.number, w.title FROM order_deadlines d JOIN workorders w ON w.id = d.workorder_id
         WHERE d.next_at <= $1 AND d.state = 'running'
         ORDER BY d.next_at LIMIT $2 FOR UPDATE OF d, w SKIP LOCKED`,
        [now, batch],
      );
      if (rows.length === 0) return 0;
      const { settings } = await loadCalendar(q, ctx);
      for (const r of rows) {
        const t = { due: +new Date(r.due_at), warn: +new Date(r.warn_at), escalate: +new Date(r.escalate_at) };
        const target = levelAt(t, now.getTime());
        if (rank(target) > rank(r.level)) {
          // A deadline missed while no job ran fires its highest level once (not yellow, then red, …).
          const level = target as Exclude<Level, 'green'>;
          const ins = await q.query(
            `INSERT INTO sla_escalations (workorder_id, cycle, kind, level, due_at, job_now) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (workorder_id, cycle, kind, level) DO NOTHING RETURNING id`,
            [r.workorder_id, r.cycle, r.kind, level, r.due_at, now],
          );
          if (ins.rowCount > 0) {
            await fire(ctx, q, settings, r, level, now);
            out.fired.push({ orderId: r.workorder_id, number: r.number, kind: r.kind, level, dueAt: new Date(r.due_at).toISOString() });
          }
        }
        const level = rank(target) > rank(r.level) ? target : (r.level as Level);
        const next = nextAt(t, level);
        await q.query('UPDATE order_deadlines SET level = $3, next_at = $4, updated_at = now() WHERE workorder_id = $1 AND kind = $2', [
          r.workorder_id,
          r.kind,
          level,
          next == null ? null : new Date(next),
        ]);
      }
      return rows.length;
    });
    out.claimed += n;
    if (n < batch) break;
  }
  if (opts.deliver !== false) out.webhooks = await deliverWebhooks(ctx.db, now);
  return out;
}
