// Keeps the assessment aggregates current (an order listener) and rebuilds them from
// the event history (after a bulk load such as the demo city, or a change of definitions).
import type { Database, Queryable } from '../db/database.js';
import { bulkLoad, copiesOverlap, CopyWriter, type BulkColumn } from '../db/bulk.js';
import type { AppContext } from '../core/context.js';
import { applyEvent, foldInto } from '../workorders/index.js';
import type { WorkOrder, OrderEvent } from '../workorders/index.js';
import { computeTimes, choosePolicy, loadCalendar, policyFromRow } from '../sla/index.js';
import type { WorkCalendar, Policy, SlaSettings } from '../sla/index.js';
import { COUNTERS, factsFor, factsOf, FactTotals, SURVEY_COUNTERS, type Fact, type FactJudge, type SummedFact } from './facts.js';
import { measureBit, type DrillMeasure } from './measures.js';

/** The drill-down measures of one fact as bits (counters of 1, plus the misses); 0 when it has none. */
function logMask(f: Fact): number {
  let mask = 0;
  const add = f.add as Record<string, number>;
  for (const c in add) if (add[c] === 1 && c !== 'handling_hours') mask |= measureBit(c as DrillMeasure);
  if (f.add.signed === 1 && !f.add.signed_on_time) mask |= measureBit('signed_late');
  if (f.add.replied === 1 && !f.add.replied_on_time) mask |= measureBit('replied_late');
  if (f.add.co_replied === 1 && !f.add.co_replied_on_time) mask |= measureBit('co_replied_late');
  if (f.add.surveyed === 1 && !f.add.resolved) mask |= measureBit('unresolved');
  return mask;
}

async function writeFacts(q: Queryable, facts: Fact[], orderId: number, at: string) {
  for (const f of facts) {
    const cols = Object.keys(f.add);
    if (!cols.length) continue;
    const values = cols.map((c) => f.add[c as keyof Fact['add']]);
    const v = cols.map((_, i) => `$${i + 5}`).join(', ');
    const mask = logMask(f);
    const params: unknown[] = [f.month, f.unitId, f.categoryCode, f.districtId, ...values];
    // The fact, the unit's month and the drill-down row in one statement: one round trip per fact.
    const factSql = `INSERT INTO kpi_facts (month, unit_id, category_code, district_id, ${cols.join(', ')}) VALUES ($1, $2, $3, $4, ${v})
       ON CONFLICT (month, unit_id, category_code, district_id) DO UPDATE SET ${cols.map((c) => `${c} = kpi_facts.${c} + EXCLUDED.${c}`).join(', ')}`;
    const unitMonth = `INSERT INTO kpi_unit_month (month, unit_id, ${cols.join(', ')}) VALUES ($1, $2, ${v})
       ON CONFLICT (month, unit_id) DO UPDATE SET ${cols.map((c) => `${c} = kpi_unit_month.${c} + EXCLUDED.${c}`).join(', ')}`;
    if (mask) {
      const n = params.push(mask, orderId, at);
      await q.query(
        `WITH f AS (${factSql}), u AS (${unitMonth})
         INSERT INTO kpi_fact_orders (month, unit_id, measures, workorder_id, at) VALUES ($1, $2, $${n - 2}, $${n - 1}, $${n})`,
        params,
      );
    } else {
      await q.query(`WITH f AS (${factSql}) ${unitMonth}`, params);
    }
    if (f.unlog) {
      // An upheld appeal: the survey's drill-down row no longer lists the order under its survey measures.
      const where = 'workorder_id = $1 AND unit_id = $2 AND month = $3 AND at = $4';
      await q.query(`UPDATE kpi_fact_orders SET measures = measures & ~$5::int WHERE ${where}`, [orderId, f.unitId, f.month, f.unlog, SURVEY_MASK]);
      await q.query(`DELETE FROM kpi_fact_orders WHERE ${where} AND measures = 0`, [orderId, f.unitId, f.month, f.unlog]);
    }
  }
}

/** The drill-down bits a survey sets (SURVEY_COUNTERS and `unresolved`). */
const SURVEY_MASK = [...SURVEY_COUNTERS, 'unresolved' as const].reduce((m, c) => m | measureBit(c), 0);

/** Live judge: the deadlines the time-limit module keeps, the calendar in force. */
function liveJudge(q: Queryable, calendar: WorkCalendar): FactJudge {
  return {
    async onTime(kind, order, at) {
      const { rows } = await q.query<{ due_at: Date }>('SELECT due_at FROM order_deadlines WHERE workorder_id = $1 AND kind = $2', [order.id, kind]);
      // An order without a time limit cannot be late.
      return !rows[0] || Date.parse(at) <= rows[0].due_at.getTime();
    },
    workingHours: (from, to) => calendar.workingMsBetween(Date.parse(from), Date.parse(to)) / 3_600_000,
  };
}

const RELEVANT = new Set([
  'dispatched',
  'signed',
  'returned',
  'extension_approved',
  'replied',
  'surveyed',
  'survey_failed',
  'supervised',
  'appeal_filed',
  'appeal_ruled',
  'co_replied',
]);

export function kpiListener(ctx: AppContext) {
  return async (q: Queryable, { order, previous, event }: { order: WorkOrder; previous: WorkOrder | null; event: OrderEvent }) => {
    if (!RELEVANT.has(event.type)) return;
    const { calendar } = await loadCalendar(q, ctx);
    const facts = await factsOf(previous, order, event, liveJudge(q, calendar), ctx.config.timeZone);
    await writeFacts(q, facts, order.id, event.at);
  };
}

/**
 * Aggregates computed in memory from whole event histories (a rebuild, or a bulk load such
 * as the demo city), then written in one go. Deadlines of past dispatch cycles are
 * recomputed from the policies and calendar in force.
 */
export class KpiAccumulator {
  private readonly facts = new FactTotals();
  /**
   * The drill-down rows as CSV (month, unit, measures, order, at: none needs quoting), written a
   * chunk at a time; on a server a chunk's COPY overlaps with folding the next orders.
   */
  private readonly log: CopyWriter;
  /** The policy of each (type, urgency, category): bulk folds ask millions of times. */
  private readonly policyOf = new Map<string, Policy>();
  orders = 0;

  private constructor(
    db: Database,
    private readonly calendar: WorkCalendar,
    private readonly settings: SlaSettings,
    private readonly policies: Policy[],
    private readonly timeZone: string,
  ) {
    this.log = new CopyWriter(db, 'kpi_fact_orders', LOG_COLUMNS, { trusted: true, chunkRows: Infinity, overlap: copiesOverlap(db) });
  }

  /** An accumulator that writes into `db` (its drill-down rows as it goes, the rest at `write`). */
  static async create(db: Database, ctx: AppContext): Promise<KpiAccumulator> {
    const { calendar, settings } = await loadCalendar(db, ctx);
    const policies = (await db.query('SELECT * FROM sla_policies')).rows.map(policyFromRow);
    return new KpiAccumulator(db, calendar, settings, policies, ctx.config.timeZone);
  }

  /** Feeds one order's events, in order; returns the order they fold into. */
  addOrder(id: number, events: OrderEvent[]): WorkOrder | null {
    this.orders++;
    let order: WorkOrder | null = null;
    let cycleExtension = 0;
    const { calendar, settings, policies } = this;
    // Deadlines of past dispatch cycles, recomputed (synchronously: no promise per event in bulk).
    const onTime = (kind: 'sign' | 'reply', o: WorkOrder, at: string) => {
      if (!o.dispatchedAt) return true;
      const key = `${o.type}|${o.urgency}|${o.categoryCode}`;
      let p = this.policyOf.get(key);
      if (!p) this.policyOf.set(key, (p = choosePolicy(policies, o)));
      const t = computeTimes(calendar, settings, Date.parse(o.dispatchedAt), kind === 'sign' ? p.sign : p.reply, kind === 'reply' ? cycleExtension : 0);
      return Date.parse(at) <= t.due;
    };
    const workingHours = (from: string, to: string) => calendar.workingMsBetween(Date.parse(from), Date.parse(to)) / 3_600_000;
    // The order is folded in place; of the order before an event, the facts need only where it was.
    const previous = { mainUnitId: null as number | null, dispatchedAt: null as string | null };
    // The order's drill-down rows, written once its whole history is folded (a later appeal may change one).
    const lines: { month: string; unitId: number; mask: number; at: string }[] = [];
    for (const ev of events) {
      if (order) {
        previous.mainUnitId = order.mainUnitId;
        previous.dispatchedAt = order.dispatchedAt;
        order = foldInto(order, ev);
      } else order = applyEvent(null, ev, id);
      if (ev.type === 'dispatched') cycleExtension = 0;
      if (ev.type === 'extension_approved') cycleExtension += ev.data.days;
      if (!RELEVANT.has(ev.type)) continue;
      const met = ev.type === 'signed' ? onTime('sign', order, ev.at) : ev.type === 'replied' ? onTime('reply', order, ev.at) : true;
      const fs = factsFor(previous, order, ev, met, workingHours, this.timeZone);
      this.facts.add(fs);
      for (const f of fs) {
        const mask = logMask(f);
        if (mask) lines.push({ month: f.month, unitId: f.unitId, mask, at: ev.at });
        // An upheld appeal takes the survey's measures off its earlier row (as writeFacts does live).
        if (f.unlog) for (const l of lines) if (l.unitId === f.unitId && l.month === f.month && l.at === f.unlog) l.mask &= ~SURVEY_MASK;
      }
    }
    for (const l of lines) if (l.mask) void this.log.addLine(`${l.month},${l.unitId},${l.mask},${id},${l.at}`);
    return order;
  }

  /** The aggregates gathered so far, to merge into another accumulator (a load split over threads). */
  exportFacts(): { facts: SummedFact[]; orders: number } {
    return { facts: this.facts.values(), orders: this.orders };
  }

  /** Adds another accumulator's aggregates (its drill-down rows are written by that one). */
  mergeFacts(part: { facts: SummedFact[]; orders: number }) {
    this.facts.add(part.facts);
    this.orders += part.orders;
  }

  /** Starts writing the drill-down rows gathered so far once there are more than `atLeast` (call now and then on big loads to bound memory). */
  async drainLog(atLeast = 0) {
    if (this.log.buffered > atLeast) await this.log.flush();
  }

  /** Writes the rest of the drill-down rows and waits until all are in. */
  finishLog(): Promise<void> {
    return this.log.close();
  }

  /** Writes what was accumulated into empty aggregate tables. */
  async write(db: Database) {
    const facts = this.facts.values().map((f) => [f.month, f.unitId, f.categoryCode, f.districtId, ...f.values]);
    await bulkLoad(db, 'kpi_facts', FACT_COLUMNS, facts);
    await db.query(ROLLUP_SQL);
    await this.finishLog();
    return { orders: this.orders, facts: facts.length };
  }
}

/** Fills the per-unit monthly roll-up from the detailed aggregates (after a bulk write). */
export const ROLLUP_SQL = `INSERT INTO kpi_unit_month (month, unit_id, ${COUNTERS.join(', ')})
  SELECT month, unit_id, ${COUNTERS.map((c) => `sum(${c})`).join(', ')} FROM kpi_facts GROUP BY month, unit_id`;

const FACT_COLUMNS: BulkColumn[] = [
  { name: 'month', type: 'text' },
  { name: 'unit_id', type: 'int' },
  { name: 'category_code', type: 'text' },
  { name: 'district_id', type: 'int' },
  ...COUNTERS.map((c) => ({ name: c, type: c === 'handling_hours' ? 'float8' : 'int' })),
];
const LOG_COLUMNS: BulkColumn[] = [
  { name: 'month', type: 'text' },
  { name: 'unit_id', type: 'int' },
  { name: 'measures', type: 'int' },
  { name: 'workorder_id', type: 'int' },
  { name: 'at', type: 'timestamptz' },
];

/** Recomputes every aggregate from the event history. */
export async function rebuildKpi(
  db: Database,
  ctx: AppContext,
  onProgress?: (done: number, total: number) => void,
): Promise<{ orders: number; facts: number }> {
  const acc = await KpiAccumulator.create(db, ctx);
  // The rebuild replaces the tables; on a live system run it when nothing else writes orders.
  await db.tx(async (q) => {
    await q.query('DELETE FROM kpi_facts');
    await q.query('DELETE FROM kpi_unit_month');
    await q.query('DELETE FROM kpi_fact_orders');
  });
  const total = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM workorders')).rows[0]!.n;
  const batch = 5000;
  for (let after = 0; ;) {
    const { rows } = await db.query<{ workorder_id: number; type: string; actor_id: number | null; at: Date; data: any }>(
      `SELECT workorder_id, type, actor_id, at, data FROM workorder_events
        WHERE workorder_id IN (SELECT id FROM workorders WHERE id > $1 ORDER BY id LIMIT $2)
        ORDER BY workorder_id, seq`,
      [after, batch],
    );
    if (!rows.length) break;
    let current: OrderEvent[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      current.push({ type: r.type, actorId: r.actor_id, at: r.at.toISOString(), data: r.data });
      if (rows[i + 1]?.workorder_id !== r.workorder_id) {
        acc.addOrder(r.workorder_id, current);
        current = [];
      }
    }
    after = rows[rows.length - 1]!.workorder_id;
    await acc.drainLog(200_000);
    onProgress?.(Math.min(total, acc.orders), total);
  }
  return acc.write(db);
}
