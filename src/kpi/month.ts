// The city's figures for one month, each measure computed here and nowhere else
// (docs/MEASURES.md): the dashboard's cards (GET /api/v1/kpi/summary), the monthly Excel
// report and open data all read these functions, so the same month shows the same numbers.
import type { Database, Queryable } from '../db/database.js';
import { translate, type Language } from '../core/i18n.js';
import { callStats, monthBounds } from '../callcenter/index.js';
import { COUNTERS } from './facts.js';
import { loadKpiSettings, ratesOf, type Counts, type KpiSettings } from './measures.js';

/** A rate as every screen and export gives it: a share rounded to 4 places (0.01 %), null without a denominator. */
export const rate = (n: number, d: number): number | null => (d > 0 ? Math.round((n / d) * 10000) / 10000 : null);
const round4 = (v: number | null) => (v == null ? null : Math.round(v * 10000) / 10000);

/**
 * 本月工单 (orders this month): orders created in the calendar month of the city's clock,
 * except reports (举报, kept confidential) and contacts closed as invalid (无效).
 */
const COUNTED = (w: string) => `${w}.type <> 'report' AND ${w}.close_reason IS DISTINCT FROM 'invalid'`;

export interface OrderCount {
  orders: number;
  complaints: number;
  answeredDirectly: number;
  closedSoFar: number;
}
export interface OrderCounts {
  total: OrderCount;
  /** By the order's category code (null: not categorised), most orders first. */
  byCategory: (OrderCount & { code: string | null })[];
  /** By the order's district (null: none given). */
  byDistrict: (OrderCount & { unitId: number | null })[];
  /** By the order's main unit (null: not dispatched). */
  byUnit: (OrderCount & { unitId: number | null })[];
  /** By day of the city's clock (YYYY-MM-DD). */
  byDay: (OrderCount & { day: string })[];
}

/** 本月工单 and its breakdowns, one scan of the month's orders. */
export async function orderCounts(q: Queryable, month: string, timeZone: string): Promise<OrderCounts> {
  const { from, to } = await monthBounds(q as Database, month, timeZone);
  const { rows } = await q.query<{ dim: string; key: string | null } & Record<keyof OrderCount, number>>(
    `WITH o AS (
       SELECT w.category_code, w.district_unit_id, w.main_unit_id, to_char(w.created_at AT TIME ZONE $3, 'YYYY-MM-DD') AS day,
              w.type, w.status, w.close_reason
         FROM workorders w WHERE w.created_at >= $1 AND w.created_at < $2 AND ${COUNTED('w')})
     SELECT CASE WHEN GROUPING(category_code) = 0 THEN 'category' WHEN GROUPING(district_unit_id) = 0 THEN 'district'
                 WHEN GROUPING(main_unit_id) = 0 THEN 'unit' WHEN GROUPING(day) = 0 THEN 'day' ELSE 'total' END AS dim,
            COALESCE(category_code, district_unit_id::text, main_unit_id::text, day) AS key,
            count(*)::int AS orders,
            count(*) FILTER (WHERE type = 'complaint')::int AS complaints,
            count(*) FILTER (WHERE close_reason = 'answered')::int AS "answeredDirectly",
            count(*) FILTER (WHERE status = 'closed')::int AS "closedSoFar"
       FROM o
      GROUP BY GROUPING SETS ((category_code), (district_unit_id), (main_unit_id), (day), ())`,
    [from, to, timeZone],
  );
  const count = (r: Record<keyof OrderCount, number>): OrderCount => ({
    orders: r.orders,
    complaints: r.complaints,
    answeredDirectly: r.answeredDirectly,
    closedSoFar: r.closedSoFar,
  });
  const of = (dim: string) => rows.filter((r) => r.dim === dim).sort((a, b) => b.orders - a.orders || String(a.key).localeCompare(String(b.key)));
  const id = (k: string | null) => (k == null ? null : Number(k));
  return {
    total: count(rows.find((r) => r.dim === 'total') ?? { orders: 0, complaints: 0, answeredDirectly: 0, closedSoFar: 0 }),
    byCategory: of('category').map((r) => ({ code: r.key, ...count(r) })),
    byDistrict: of('district').map((r) => ({ unitId: id(r.key), ...count(r) })),
    byUnit: of('unit').map((r) => ({ unitId: id(r.key), ...count(r) })),
    byDay: of('day')
      .map((r) => ({ day: r.key!, ...count(r) }))
      .sort((a, b) => a.day.localeCompare(b.day)),
  };
}

/** The words of category codes: the path of names from the top (城乡建设 / 市容环卫), else the Open311 service's name. */
export async function categoryPaths(q: Queryable, codes: string[]): Promise<Map<string, string>> {
  if (!codes.length) return new Map();
  const { rows } = await q.query<{ code: string; path: string }>(
    `WITH RECURSIVE p AS (
       SELECT c.code, c.parent_id, c.name::text AS path FROM categories c WHERE c.code = ANY($1::text[])
       UNION ALL
       SELECT p.code, c.parent_id, c.name || ' / ' || p.path FROM p JOIN categories c ON c.id = p.parent_id)
     SELECT code, path FROM p WHERE parent_id IS NULL`,
    [codes],
  );
  const names = new Map(rows.map((r) => [r.code, r.path]));
  // Codes outside the category tree: an Open311 service's name.
  const rest = codes.filter((c) => !names.has(c));
  if (rest.length) {
    const r = await q.query<{ c: string; n: string }>(
      'SELECT service_code AS c, service_name AS n FROM open311_services WHERE service_code = ANY($1::text[])',
      [rest],
    );
    for (const x of r.rows) names.set(x.c, x.n);
  }
  return names;
}

export type FactDimension = 'category' | 'district' | 'unit';
export interface FactCounts {
  total: Counts;
  /** Keyed by category code ('' none), district unit id or main unit id ('0' none). */
  by: Record<FactDimension, Map<string, Counts>>;
}

/**
 * The assessment counters of the month summed over the whole city (every survey, reply and
 * dispatch counts once, for the unit that held the order): the same sums the units' table
 * adds up, so the city's 满意率 is the units' 满意率 over all units.
 */
export async function cityCounts(q: Queryable, month: string): Promise<Counts> {
  const { rows } = await q.query<Record<string, number>>(
    `SELECT ${COUNTERS.map((c) => `COALESCE(sum(${c}), 0)::float8 AS ${c}`).join(', ')} FROM kpi_unit_month WHERE month = $1`,
    [month],
  );
  return Object.fromEntries(COUNTERS.map((c) => [c, Number(rows[0]?.[c] ?? 0)])) as Counts;
}

/** cityCounts broken down by category, district and unit (open data's tables). */
export async function factCounts(q: Queryable, month: string): Promise<FactCounts> {
  const { rows } = await q.query<Record<string, any>>(
    `SELECT CASE WHEN GROUPING(category_code) = 0 THEN 'category' WHEN GROUPING(district_id) = 0 THEN 'district'
                 WHEN GROUPING(unit_id) = 0 THEN 'unit' ELSE 'total' END AS dim,
            COALESCE(category_code, district_id::text, unit_id::text) AS key,
            ${COUNTERS.map((c) => `COALESCE(sum(${c}), 0)::float8 AS ${c}`).join(', ')}
       FROM kpi_facts WHERE month = $1
      GROUP BY GROUPING SETS ((category_code), (district_id), (unit_id), ())`,
    [month],
  );
  const counts = (r: Record<string, any> | undefined) => Object.fromEntries(COUNTERS.map((c) => [c, Number(r?.[c] ?? 0)])) as Counts;
  const by = { category: new Map(), district: new Map(), unit: new Map() } as FactCounts['by'];
  for (const r of rows) if (r.dim !== 'total') by[r.dim as FactDimension].set(String(r.key), counts(r));
  return { total: counts(rows.find((r) => r.dim === 'total')), by };
}

/** 满意率 and 解决率 of some counters, as the units' table defines them (basically satisfied weighted). */
export function surveyRates(c: Counts, s: KpiSettings) {
  const r = ratesOf(c, s);
  return { surveyed: c.surveyed, satisfactionRate: round4(r.satisfactionRate), resolutionRate: round4(r.resolutionRate) };
}

export interface CallMeasures {
  offered: number;
  answered: number;
  /** 人工接通率: answered / offered. */
  answerRate: number | null;
  /** 服务水平: answered within `seconds` of the offer / answered. */
  serviceLevel: { seconds: number; rate: number | null };
  /** Phone contacts started in the month, and those not invalid (有效来电). */
  contacts: number;
  effectiveCalls: number;
}

/** The hotline's call measures of the month, the service level at the one threshold setting. */
export async function callMeasures(db: Database, month: string, timeZone: string, s: KpiSettings): Promise<CallMeasures> {
  const { from, to } = await monthBounds(db, month, timeZone);
  const seconds = s.serviceLevelSeconds;
  const { totals } = await callStats(db, { from, to, groupBy: 'none', slSeconds: [seconds], timeZone });
  return {
    offered: totals.offered,
    answered: totals.answered,
    answerRate: totals.answerRate,
    serviceLevel: { seconds, rate: totals.serviceLevel[String(seconds)] ?? null },
    contacts: totals.contacts,
    effectiveCalls: totals.effectiveCalls,
  };
}

export interface TopCategory {
  code: string | null;
  /** The path of names (城乡建设 / 市容环卫); 未分类 / Uncategorised for orders without one. */
  name: string;
  orders: number;
}

/** Categories with the most orders this month, named. */
export async function topCategories(q: Queryable, counts: OrderCounts, limit: number, lang: Language = 'zh-CN'): Promise<TopCategory[]> {
  const top = counts.byCategory.slice(0, limit);
  const names = await categoryPaths(
    q,
    top.flatMap((c) => (c.code ? [c.code] : [])),
  );
  const none = translate(lang, 'kpi.uncategorised');
  return top.map((c) => ({ code: c.code, name: c.code ? (names.get(c.code) ?? c.code) : none, orders: c.orders }));
}

export interface CityMonth {
  month: string;
  timeZone: string;
  /** 本月工单 and what became of them. */
  orders: OrderCount;
  satisfactionRate: number | null;
  resolutionRate: number | null;
  responseRate: number | null;
  onTimeReplyRate: number | null;
  surveyed: number;
  calls: CallMeasures;
  topCategories: TopCategory[];
}

export const TOP_CATEGORIES = 10;

/** Every figure of the city's month, as the dashboard cards, the Excel summary and open data give it. */
export async function cityMonth(db: Database, month: string, timeZone: string, lang: Language = 'zh-CN', settings?: KpiSettings): Promise<CityMonth> {
  const s = settings ?? (await loadKpiSettings(db));
  const counts = await orderCounts(db, month, timeZone);
  const c = await cityCounts(db, month);
  const r = ratesOf(c, s);
  return {
    month,
    timeZone,
    orders: counts.total,
    satisfactionRate: round4(r.satisfactionRate),
    resolutionRate: round4(r.resolutionRate),
    responseRate: round4(r.responseRate),
    onTimeReplyRate: round4(r.onTimeReplyRate),
    surveyed: c.surveyed,
    calls: await callMeasures(db, month, timeZone, s),
    topCategories: await topCategories(db, counts, TOP_CATEGORIES, lang),
  };
}

/**
 * Months that have data (orders or calls), oldest first: the range from the first to the
 * latest, in the city's clock. Index reads of the two tables' first and last rows.
 */
export async function monthsWithData(q: Queryable, timeZone: string): Promise<string[]> {
  const { rows } = await q.query<{ first: Date | null; last: Date | null }>(
    `SELECT least((SELECT min(created_at) FROM workorders), (SELECT min(first_at) FROM cc_calls)) AS first,
            greatest((SELECT max(created_at) FROM workorders), (SELECT max(first_at) FROM cc_calls)) AS last`,
  );
  const { first, last } = rows[0] ?? {};
  if (!first || !last) return [];
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' });
  const ym = (d: Date) => fmt.format(d).slice(0, 7);
  const months: string[] = [];
  const end = ym(last);
  for (let m = ym(first); m <= end && months.length < 1200;) {
    months.push(m);
    const [y, mo] = m.split('-').map(Number) as [number, number];
    m = new Date(Date.UTC(y, mo, 1)).toISOString().slice(0, 7);
  }
  return months;
}
