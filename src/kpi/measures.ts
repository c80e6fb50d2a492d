// The assessment measures of units (docs/MEASURES.md has the definitions), computed from
// the `kpi_facts` aggregates: rates, composite score and rankings with the previous month.
import type { Queryable } from '../db/database.js';
import { badRequest } from '../core/errors.js';
import { COUNTERS, type Counter } from './facts.js';

export interface KpiSettings {
  /** Weight of "basically satisfied" in the satisfaction rate (1 = as satisfied, 0 = not at all). */
  basicallySatisfiedWeight: number;
  /** Weights of the composite score; each rate counts in [0, 1], the score is out of 100. */
  weights: { responseRate: number; resolutionRate: number; satisfactionRate: number; onTimeReplyRate: number };
  /** Points taken off per unit of rate (e.g. returnRate 20: a 10 % return rate costs 2 points). */
  penalties: { returnRate: number; reopenRate: number };
  /** The service level's threshold: calls answered within this many seconds (the 12345 contracts' 15 s). */
  serviceLevelSeconds: number;
}

export const DEFAULT_KPI_SETTINGS: KpiSettings = {
  basicallySatisfiedWeight: 0.5,
  weights: { responseRate: 0.2, resolutionRate: 0.3, satisfactionRate: 0.3, onTimeReplyRate: 0.2 },
  penalties: { returnRate: 0, reopenRate: 0 },
  serviceLevelSeconds: 15,
};

export async function loadKpiSettings(q: Queryable): Promise<KpiSettings> {
  const { rows } = await q.query<{ settings: Partial<KpiSettings> }>('SELECT settings FROM kpi_settings WHERE id = 1');
  const s = rows[0]?.settings ?? {};
  return {
    basicallySatisfiedWeight: s.basicallySatisfiedWeight ?? DEFAULT_KPI_SETTINGS.basicallySatisfiedWeight,
    weights: { ...DEFAULT_KPI_SETTINGS.weights, ...s.weights },
    penalties: { ...DEFAULT_KPI_SETTINGS.penalties, ...s.penalties },
    serviceLevelSeconds: s.serviceLevelSeconds ?? DEFAULT_KPI_SETTINGS.serviceLevelSeconds,
  };
}

export async function saveKpiSettings(q: Queryable, s: Omit<KpiSettings, 'serviceLevelSeconds'> & { serviceLevelSeconds?: number }) {
  const sum = Object.values(s.weights).reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6) throw badRequest('kpi.weightsSum', { sum }, 'weights');
  const serviceLevelSeconds = s.serviceLevelSeconds ?? (await loadKpiSettings(q)).serviceLevelSeconds;
  await q.query('UPDATE kpi_settings SET settings = $1, updated_at = now() WHERE id = 1', [JSON.stringify({ ...s, serviceLevelSeconds })]);
}

export type Counts = Record<Counter, number>;

export interface Rates {
  responseRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  onTimeReplyRate: number | null;
  returnRate: number | null;
  reopenRate: number | null;
  extensionRate: number | null;
  avgHandlingHours: number | null;
  /** Co-units' parts (协办) given before the order's reply deadline, of all parts the unit gave. */
  coReplyOnTimeRate: number | null;
}

export interface UnitMeasures extends Rates {
  unitId: number;
  unitName: string;
  unitKind: string;
  /** The counters, and the late signs, replies and co-units' parts (the drill-down's *_late). */
  counts: Counts & { signed_late: number; replied_late: number; co_replied_late: number };
  /** Composite score out of 100; null when the unit had nothing to assess. */
  score: number | null;
  /** Appeals (申诉) the unit filed against the period's surveys, and how they were ruled (the same as `counts.appeals_*`). */
  appeals: { filed: number; upheld: number; rejected: number; pending: number };
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

export function ratesOf(c: Counts, s: KpiSettings): Rates {
  return {
    responseRate: ratio(c.signed_on_time, c.received),
    resolutionRate: ratio(c.resolved, c.surveyed),
    satisfactionRate: ratio(c.satisfied + s.basicallySatisfiedWeight * c.basically_satisfied, c.surveyed),
    onTimeReplyRate: ratio(c.replied_on_time, c.replied),
    returnRate: ratio(c.returned, c.received),
    reopenRate: ratio(c.reopened, c.surveyed),
    extensionRate: ratio(c.extended, c.received),
    avgHandlingHours: ratio(c.handling_hours, c.replied),
    coReplyOnTimeRate: ratio(c.co_replied_on_time, c.co_replied),
  };
}

/**
 * Weighted mean of the rates that exist (a rate without a denominator takes no part and
 * the other weights are scaled up), times 100, minus the penalties.
 */
export function scoreOf(r: Rates, s: KpiSettings): number | null {
  let total = 0;
  let weight = 0;
  for (const [k, w] of Object.entries(s.weights) as [keyof KpiSettings['weights'], number][]) {
    const v = r[k];
    if (v == null || w <= 0) continue;
    total += v * w;
    weight += w;
  }
  if (weight === 0) return null;
  const penalty = (r.returnRate ?? 0) * s.penalties.returnRate + (r.reopenRate ?? 0) * s.penalties.reopenRate;
  return Math.round(((total / weight) * 100 - penalty) * 100) / 100;
}

export interface MeasureFilter {
  from: string; // YYYY-MM
  to: string;
  /** Units to measure: of one kind, or these ids. */
  kind?: string;
  unitIds?: number[];
  includeDescendants: boolean;
  categoryCode?: string;
  districtId?: number;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
export function checkMonth(m: string, field: string) {
  if (!MONTH.test(m)) throw badRequest('validation.month', { field }, field);
}

export function shiftMonth(m: string, delta: number): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, mo - 1 + delta, 1));
  return d.toISOString().slice(0, 7);
}

export async function measureUnits(q: Queryable, f: MeasureFilter, s: KpiSettings): Promise<UnitMeasures[]> {
  const params: unknown[] = [];
  const roots = f.unitIds ? `id = ANY($${params.push(f.unitIds)}::int[])` : `kind = $${params.push(f.kind ?? 'district')}`;
  const cond: string[] = [`f.month BETWEEN $${params.push(f.from)} AND $${params.push(f.to)}`];
  if (f.categoryCode) cond.push(`f.category_code LIKE $${params.push(f.categoryCode.replace(/[\\%_]/g, '\\$&') + '%')}`);
  if (f.districtId !== undefined) cond.push(`f.district_id = $${params.push(f.districtId)}`);
  // Without a category or district filter the per-unit roll-up holds the same sums, far fewer rows.
  const source = f.categoryCode || f.districtId !== undefined ? 'kpi_facts' : 'kpi_unit_month';
  const tree = f.includeDescendants
    ? `WITH RECURSIVE tree AS (SELECT id AS root, id FROM units WHERE ${roots}
         UNION ALL SELECT t.root, u.id FROM units u JOIN tree t ON u.parent_id = t.id)`
    : `WITH tree AS (SELECT id AS root, id FROM units WHERE ${roots})`;
  const { rows } = await q.query<Record<string, any>>(
    `${tree}
     SELECT r.id AS unit_id, r.name, r.kind, ${COUNTERS.map((c) => `COALESCE(sum(f.${c}), 0)::float8 AS ${c}`).join(', ')}
       FROM units r
       JOIN (SELECT DISTINCT root FROM tree) roots ON roots.root = r.id
       LEFT JOIN tree t ON t.root = r.id
       LEFT JOIN ${source} f ON f.unit_id = t.id AND ${cond.join(' AND ')}
      GROUP BY r.id, r.name, r.kind
      ORDER BY r.id`,
    params,
  );
  return rows.map((r) => {
    const counts = Object.fromEntries(COUNTERS.map((c) => [c, Number(r[c])])) as Counts;
    counts.handling_hours = Math.round(counts.handling_hours * 100) / 100;
    const rates = ratesOf(counts, s);
    const late = {
      signed_late: counts.signed - counts.signed_on_time,
      replied_late: counts.replied - counts.replied_on_time,
      co_replied_late: counts.co_replied - counts.co_replied_on_time,
    };
    const appeals = {
      filed: counts.appeals_filed,
      upheld: counts.appeals_upheld,
      rejected: counts.appeals_rejected,
      pending: counts.appeals_filed - counts.appeals_upheld - counts.appeals_rejected,
    };
    return { unitId: r.unit_id, unitName: r.name, unitKind: r.kind, counts: { ...counts, ...late }, ...rates, score: scoreOf(rates, s), appeals };
  });
}

export interface Ranked extends UnitMeasures {
  rank: number | null;
  previousRank: number | null;
  previousScore: number | null;
  /** Places gained since the previous period (positive = moved up). */
  rankChange: number | null;
  scoreChange: number | null;
}

function rankOf(list: UnitMeasures[]): Map<number, number> {
  const scored = list.filter((u) => u.score != null).sort((a, b) => b.score! - a.score! || a.unitId - b.unitId);
  const ranks = new Map<number, number>();
  scored.forEach((u, i) => {
    const prev = scored[i - 1];
    // Ties share a place (competition ranking: 1, 2, 2, 4).
    ranks.set(u.unitId, prev && prev.score === u.score ? ranks.get(prev.unitId)! : i + 1);
  });
  return ranks;
}

/** Units of one kind ranked by score, with the change from the period just before. */
export async function rankUnits(q: Queryable, f: MeasureFilter, s: KpiSettings): Promise<Ranked[]> {
  const months = monthsBetween(f.from, f.to);
  const now = await measureUnits(q, f, s);
  const before = await measureUnits(q, { ...f, from: shiftMonth(f.from, -months), to: shiftMonth(f.to, -months) }, s);
  const rankNow = rankOf(now);
  const rankBefore = rankOf(before);
  const prevBy = new Map(before.map((u) => [u.unitId, u]));
  return now
    .map((u) => {
      const rank = rankNow.get(u.unitId) ?? null;
      const previousRank = rankBefore.get(u.unitId) ?? null;
      const previousScore = prevBy.get(u.unitId)?.score ?? null;
      return {
        ...u,
        rank,
        previousRank,
        previousScore,
        rankChange: rank != null && previousRank != null ? previousRank - rank : null,
        scoreChange: u.score != null && previousScore != null ? Math.round((u.score - previousScore) * 100) / 100 : null,
      };
    })
    .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.unitId - b.unitId);
}

export function monthsBetween(from: string, to: string): number {
  const [y1, m1] = from.split('-').map(Number) as [number, number];
  const [y2, m2] = to.split('-').map(Number) as [number, number];
  return (y2 - y1) * 12 + (m2 - m1) + 1;
}

/**
 * Measures a figure can be opened into (the orders behind it). A drill-down row holds its
 * measures as bits, bit i for DRILL_MEASURES[i]: append new measures, never reorder.
 */
export const DRILL_MEASURES = [
  'received',
  'signed',
  'signed_on_time',
  'signed_late',
  'returned',
  'extended',
  'replied',
  'replied_on_time',
  'replied_late',
  'surveyed',
  'resolved',
  'unresolved',
  'satisfied',
  'basically_satisfied',
  'unsatisfied',
  'reopened',
  'unreachable',
  'supervised',
  'appeals_filed',
  'appeals_upheld',
  'appeals_rejected',
  'co_replied',
  'co_replied_on_time',
  'co_replied_late',
] as const;
export type DrillMeasure = (typeof DRILL_MEASURES)[number];
const BITS = Object.fromEntries(DRILL_MEASURES.map((m, i) => [m, 1 << i])) as Record<DrillMeasure, number>;
/** The bit of a measure in a drill-down row (looked up, since the bulk load asks millions of times). */
export const measureBit = (m: DrillMeasure) => BITS[m];
