// Each dispatched order's deadlines (sign-by, reply-by), kept in `order_deadlines` by an
// order listener, so they commit or roll back with the order's own change.
import type { Queryable } from '../db/database.js';
import type { AppContext, OrderEventListener } from '../core/context.js';
import { badRequest } from '../core/errors.js';
import type { WorkOrder } from '../workorders/index.js';
import { dayKey, type Duration, type WorkCalendar } from './calendar.js';
import { findPolicy, policyFor, loadCalendar, type CalendarYearInfo, type LoadedCalendar, type SlaSettings } from './settings.js';

export const KINDS = ['sign', 'reply'] as const;
export type Kind = (typeof KINDS)[number];
export const LEVELS = ['green', 'yellow', 'red', 'escalated'] as const;
export type Level = (typeof LEVELS)[number];
export const rank = (l: Level) => LEVELS.indexOf(l);

export interface Times {
  due: number;
  warn: number;
  escalate: number;
}

/**
 * Due, warning and escalation instants of a deadline started at `start`, extended by whole
 * working days and moved by `suspendedMs` of working time the clock stood still (挂起).
 */
export function computeTimes(cal: WorkCalendar, s: SlaSettings, start: number, d: Duration, extensionDays: number, suspendedMs = 0): Times {
  const base = cal.add(start, d);
  let due = extensionDays > 0 ? cal.addWorkingDays(base, extensionDays) : base;
  const total = cal.workingMsBetween(start, due);
  let warn = total > 0 ? cal.addWorkingMs(start, Math.round(total * s.warnShare)) : due;
  if (suspendedMs > 0) {
    due = cal.addWorkingMs(due, suspendedMs);
    warn = cal.addWorkingMs(warn, suspendedMs);
  }
  return { due, warn, escalate: cal.add(due, s.escalateAfter) };
}

/** The instant the job must look at a deadline again, given the level already fired. */
export function nextAt(t: Times, fired: Level): number | null {
  return fired === 'green' ? t.warn : fired === 'yellow' ? t.due : fired === 'red' ? t.escalate : null;
}

/** The level a running deadline has at `now`. */
export function levelAt(t: Times, now: number): Level {
  return now >= t.escalate ? 'escalated' : now >= t.due ? 'red' : now >= t.warn ? 'yellow' : 'green';
}

const d = (t: number | null) => (t == null ? null : new Date(t));

async function startDeadlines(q: Queryable, ctx: AppContext, order: WorkOrder, at: string) {
  const { calendar, settings } = await loadCalendar(q, ctx);
  const policy = await policyFor(q, ctx, order);
  const start = Date.parse(at);
  // Both deadlines in one statement: one round trip inside the action's transaction.
  const params: unknown[] = [order.id, order.dispatchCount, order.mainUnitId, policy.id || null, d(start)];
  const rows = KINDS.map((kind) => {
    const dur = kind === 'sign' ? policy.sign : policy.reply;
    const t = computeTimes(calendar, settings, start, dur, 0);
    const n = params.push(kind, JSON.stringify(dur), d(t.due), d(t.warn), d(t.escalate));
    const [k, du, due, warn, esc] = [n - 4, n - 3, n - 2, n - 1, n].map((i) => `$${i}`);
    return `($1, ${k}, $2, $3, $4, ${du}::jsonb, 0, $5::timestamptz, ${due}::timestamptz, ${warn}::timestamptz, ${esc}::timestamptz, 'running', NULL::timestamptz, 'green', ${warn}::timestamptz, now())`;
  });
  await q.query(
    `INSERT INTO order_deadlines (workorder_id, kind, cycle, unit_id, policy_id, duration, extension_days, started_at, due_at, warn_at, escalate_at, state, met_at, level, next_at, updated_at)
     VALUES ${rows.join(', ')}
     ON CONFLICT (workorder_id, kind) DO UPDATE SET cycle = EXCLUDED.cycle, unit_id = EXCLUDED.unit_id, policy_id = EXCLUDED.policy_id,
       duration = EXCLUDED.duration, extension_days = 0, started_at = EXCLUDED.started_at, due_at = EXCLUDED.due_at,
       warn_at = EXCLUDED.warn_at, escalate_at = EXCLUDED.escalate_at, state = 'running', met_at = NULL, level = 'green',
       next_at = EXCLUDED.next_at, paused_at = NULL, suspended_ms = 0, suspensions = '[]', updated_at = now()`,
    params,
  );
}

/** Recomputes the running deadlines of one order from their start, duration and extension (after a calendar or settings change). */
export async function recomputeOrder(q: Queryable, ctx: AppContext, orderId: number, loaded?: { calendar: WorkCalendar; settings: SlaSettings }) {
  const { calendar, settings } = loaded ?? (await loadCalendar(q, ctx));
  const { rows } = await q.query<any>(`SELECT * FROM order_deadlines WHERE workorder_id = $1 AND state = 'running' FOR UPDATE`, [orderId]);
  for (const r of rows) {
    const t = computeTimes(calendar, settings, new Date(r.started_at).getTime(), r.duration, r.extension_days, Number(r.suspended_ms));
    await q.query(
      'UPDATE order_deadlines SET due_at = $3, warn_at = $4, escalate_at = $5, next_at = $6, updated_at = now() WHERE workorder_id = $1 AND kind = $2',
      [orderId, r.kind, d(t.due), d(t.warn), d(t.escalate), d(nextAt(t, r.level))],
    );
  }
  return rows.length;
}

export interface RecomputeResult {
  /** Running deadlines recomputed. */
  recomputed: number;
  /** Open orders whose due time moved. */
  moved: number;
}

/**
 * Recomputes every running deadline on a calendar (after the calendar or the working hours
 * changed) inside the caller's transaction, writing only the deadlines whose times moved.
 * With `dryRun` it only counts (no locks, no writes): how many orders a change would move.
 */
export async function recomputeRunning(
  q: Queryable,
  ctx: AppContext,
  loaded?: Pick<LoadedCalendar, 'calendar' | 'settings'>,
  opts: { dryRun?: boolean } = {},
): Promise<RecomputeResult> {
  const { calendar, settings } = loaded ?? (await loadCalendar(q, ctx));
  const { rows } = await q.query<any>(
    `SELECT workorder_id, kind, started_at, duration, extension_days, suspended_ms, level, due_at, warn_at, escalate_at, next_at
       FROM order_deadlines WHERE state = 'running' ORDER BY workorder_id, kind${opts.dryRun ? '' : ' FOR UPDATE'}`,
  );
  const changed: { id: number; kind: string; t: Times; next: number | null }[] = [];
  const movedOrders = new Set<number>();
  for (const r of rows) {
    const t = computeTimes(calendar, settings, new Date(r.started_at).getTime(), r.duration, r.extension_days, Number(r.suspended_ms));
    const next = nextAt(t, r.level);
    const same = (a: unknown, b: number | null) => (a == null ? b == null : b != null && new Date(a as string).getTime() === b);
    if (!same(r.due_at, t.due)) movedOrders.add(r.workorder_id);
    if (!same(r.due_at, t.due) || !same(r.warn_at, t.warn) || !same(r.escalate_at, t.escalate) || !same(r.next_at, next)) {
      changed.push({ id: r.workorder_id, kind: r.kind, t, next });
    }
  }
  const iso = (t: number | null) => (t == null ? null : new Date(t).toISOString());
  for (let i = 0; !opts.dryRun && i < changed.length; i += 1000) {
    const part = changed.slice(i, i + 1000);
    await q.query(
      `UPDATE order_deadlines d SET due_at = c.due, warn_at = c.warn, escalate_at = c.escalate, next_at = c.next, updated_at = now()
         FROM unnest($1::int[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[]) AS c(id, kind, due, warn, escalate, next)
        WHERE d.workorder_id = c.id AND d.kind = c.kind`,
      [
        part.map((c) => c.id),
        part.map((c) => c.kind),
        part.map((c) => iso(c.t.due)),
        part.map((c) => iso(c.t.warn)),
        part.map((c) => iso(c.t.escalate)),
        part.map((c) => iso(c.next)),
      ],
    );
  }
  return { recomputed: rows.length, moved: movedOrders.size };
}

async function setState(q: Queryable, orderId: number, kinds: readonly Kind[], state: 'met' | 'suspended' | 'cleared', at: string) {
  await q.query(
    `UPDATE order_deadlines SET state = $3, met_at = CASE WHEN $3 = 'met' THEN $4::timestamptz ELSE met_at END, next_at = NULL, paused_at = NULL, updated_at = now()
     WHERE workorder_id = $1 AND kind = ANY($2::text[]) AND state IN ('running', 'paused')`,
    [orderId, kinds, state, at],
  );
}

/** 挂起 approved: the running deadlines stand still from the suspension's start (the job and the overdue lists skip them). */
async function pause(q: Queryable, orderId: number, from: string) {
  await q.query(
    `UPDATE order_deadlines SET state = 'paused', paused_at = $2, next_at = NULL, updated_at = now() WHERE workorder_id = $1 AND state = 'running'`,
    [orderId, from],
  );
}

/**
 * The clock runs again: each paused deadline moves by exactly the suspended working time (the
 * event's `workingMs`, on the calendar in force), which it keeps with the reason.
 */
async function resume(q: Queryable, ctx: AppContext, orderId: number, data: Record<string, any>) {
  const { calendar, settings } = await loadCalendar(q, ctx);
  const { rows } = await q.query<any>(`SELECT * FROM order_deadlines WHERE workorder_id = $1 AND state = 'paused' FOR UPDATE`, [orderId]);
  for (const r of rows) {
    const from = new Date(r.paused_at).toISOString();
    const to: string = data.endedAt;
    const workingMs = typeof data.workingMs === 'number' ? data.workingMs : calendar.workingMsBetween(Date.parse(from), Date.parse(to));
    const suspendedMs = Number(r.suspended_ms) + workingMs;
    const t = computeTimes(calendar, settings, new Date(r.started_at).getTime(), r.duration, r.extension_days, suspendedMs);
    await q.query(
      `UPDATE order_deadlines SET state = 'running', paused_at = NULL, suspended_ms = $3, suspensions = suspensions || $4::jsonb,
         due_at = $5, warn_at = $6, escalate_at = $7, next_at = $8, updated_at = now()
       WHERE workorder_id = $1 AND kind = $2`,
      [
        orderId,
        r.kind,
        suspendedMs,
        JSON.stringify([{ from, to, workingMs, reason: data.reason ?? null }]),
        d(t.due),
        d(t.warn),
        d(t.escalate),
        d(nextAt(t, r.level)),
      ],
    );
  }
}

async function checkExtension(q: Queryable, order: WorkOrder, days: number) {
  const policy = await findPolicy(q, order);
  const { rows } = await q.query<{ extension_days: number }>(`SELECT extension_days FROM order_deadlines WHERE workorder_id = $1 AND kind = 'reply'`, [
    order.id,
  ]);
  const used = rows[0]?.extension_days ?? 0;
  if (used + days > policy.maxExtensionDays) {
    throw badRequest('sla.extensionLimit', { used, max: policy.maxExtensionDays }, 'days');
  }
}

export function deadlineListener(ctx: AppContext): OrderEventListener {
  return async (q, { order, event }) => {
    switch (event.type) {
      case 'dispatched':
        return startDeadlines(q, ctx, order, event.at);
      case 'signed':
        return setState(q, order.id, ['sign'], 'met', event.at);
      case 'replied':
        return setState(q, order.id, ['reply'], 'met', event.at);
      case 'returned':
        // Back at the center: the unit's clock stops; a new dispatch starts new deadlines.
        return setState(q, order.id, KINDS, 'suspended', event.at);
      case 'closed':
      case 'surveyed':
        return setState(q, order.id, KINDS, 'cleared', event.at);
      case 'suspension_approved':
        return pause(q, order.id, event.data.startedAt ?? event.at);
      case 'suspension_ended':
        return resume(q, ctx, order.id, { ...event.data, endedAt: event.data.endedAt ?? event.at });
      case 'extension_approved': {
        // The policy caps approved extensions per dispatch; a longer request can be approved with fewer days.
        await checkExtension(q, order, event.data.days);
        await q.query(`UPDATE order_deadlines SET extension_days = extension_days + $2 WHERE workorder_id = $1 AND kind = 'reply'`, [
          order.id,
          event.data.days,
        ]);
        await recomputeOrder(q, ctx, order.id);
        return;
      }
    }
  };
}

/** A time the clock stood still (挂起) and the deadline moved by. */
export interface DeadlineSuspension {
  from: string;
  to: string;
  workingMs: number;
  reason: string | null;
}

export interface DeadlineView {
  kind: Kind;
  /** `paused`: the order is suspended, the clock stands still (`suspended` is the older "returned to the center"). */
  state: 'running' | 'met' | 'suspended' | 'cleared' | 'paused';
  cycle: number;
  unitId: number | null;
  policyId: number | null;
  duration: Duration;
  extensionDays: number;
  startedAt: string;
  dueAt: string;
  warnAt: string;
  escalateAt: string;
  metAt: string | null;
  /** For a running deadline: green, yellow or red at `now`; otherwise the last level fired. */
  level: Level;
  /** Highest level the escalation job has fired. */
  firedLevel: Level;
  onTime: boolean | null;
  /** Working ms left until due (negative: overdue), for a running deadline. */
  remainingWorkingMs: number | null;
  remainingWorkingHours: number | null;
  /** Working hours in a day of the calendar (the periods' total), to read the hours left as working days. */
  workingDayHours: number;
  /** The calendar of each year from start to due the deadline was computed on (an administrator's, the built-in data, or weekends only). */
  calendars: CalendarYearInfo[];
  /** Since when the clock stands still, while the order is suspended. */
  pausedAt: string | null;
  /** Working time the deadline has moved by for suspensions, and why (each suspension). */
  suspendedWorkingMs: number;
  suspensions: DeadlineSuspension[];
}

const iso = (v: unknown) => new Date(v as string).toISOString();
const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) + 1 }, (_, i) => a + i);

export async function orderDeadlines(q: Queryable, ctx: AppContext, orderId: number, now: number): Promise<DeadlineView[]> {
  const { rows } = await q.query<any>('SELECT * FROM order_deadlines WHERE workorder_id = $1 ORDER BY kind DESC', [orderId]);
  if (rows.length === 0) return [];
  const { calendar, yearInfo } = await loadCalendar(q, ctx);
  const yearOf = (t: number) => Number(dayKey(calendar.localDay(t)).slice(0, 4));
  return rows.map((r) => {
    const t = { due: +new Date(r.due_at), warn: +new Date(r.warn_at), escalate: +new Date(r.escalate_at) };
    const running = r.state === 'running';
    const paused = r.state === 'paused';
    const metAt = r.met_at ? +new Date(r.met_at) : null;
    // A paused deadline keeps the working time it had left when the clock stopped.
    const remaining = running ? calendar.remainingMs(now, t.due) : paused ? calendar.remainingMs(+new Date(r.paused_at), t.due) : null;
    return {
      kind: r.kind,
      state: r.state,
      cycle: r.cycle,
      unitId: r.unit_id,
      policyId: r.policy_id,
      duration: r.duration,
      extensionDays: r.extension_days,
      startedAt: iso(r.started_at),
      dueAt: iso(r.due_at),
      warnAt: iso(r.warn_at),
      escalateAt: iso(r.escalate_at),
      metAt: metAt ? iso(metAt) : null,
      level: running ? (levelAt(t, now) === 'escalated' ? 'red' : levelAt(t, now)) : r.level,
      firedLevel: r.level,
      onTime: metAt == null ? null : metAt <= t.due,
      remainingWorkingMs: remaining,
      remainingWorkingHours: remaining == null ? null : Math.round((remaining / 3_600_000) * 100) / 100,
      workingDayHours: calendar.workingDayMs / 3_600_000,
      calendars: range(yearOf(+new Date(r.started_at)), yearOf(t.due)).map(yearInfo),
      pausedAt: r.paused_at ? iso(r.paused_at) : null,
      suspendedWorkingMs: Number(r.suspended_ms ?? 0),
      suspensions: r.suspensions ?? [],
    };
  });
}
