// Open data: anonymised monthly figures by category, district and unit. Counts below
// the threshold are shown as "<5"; rates and averages over fewer orders are withheld. The
// orders received, the satisfaction rate and the call measures are the kpi module's (one
// definition each, docs/MEASURES.md), so they equal the dashboard's and the Excel report's.
import type { Database } from '../db/database.js';
import { badRequest } from '../core/errors.js';
import { callMeasures, categoryPaths, factCounts, loadKpiSettings, orderCounts, surveyRates, type ReportLanguage } from '../kpi/index.js';
import { monthBounds } from '../callcenter/index.js';

export const SUPPRESS_BELOW = 5;
/** Bumped when the shape or a definition changes: cached months of an older version are recomputed. */
const VERSION = 2;

export type Count = number | '<5';

export interface Figures {
  key: string;
  name: string;
  received: Count;
  closed: Count;
  avgHandlingHours: number | null;
  satisfactionRate: number | null;
}

export interface Monthly {
  version?: number;
  month: string;
  timeZone: string;
  generatedAt: string;
  suppressionThreshold: number;
  definitions: Record<string, string>;
  totals: Figures;
  /** The hotline's calls: answer rate and the service level at its threshold (seconds). */
  calls: { answerRate: number | null; serviceLevel: { seconds: number; rate: number | null }; effectiveCalls: number };
  byCategory: Figures[];
  byDistrict: Figures[];
  byUnit: Figures[];
}

type Dim = 'category' | 'district' | 'unit' | 'total';
interface Raw {
  dim: Dim;
  key: string | null;
  name: string | null;
  received: number;
  closed: number;
  hours: number | null;
  surveyed: number;
  satisfactionRate: number | null;
}

const count = (n: number): Count => (n > 0 && n < SUPPRESS_BELOW ? '<5' : n);

function figures(r: Raw): Figures {
  return {
    key: r.key ?? 'unknown',
    name: r.name ?? '',
    received: count(r.received),
    closed: count(r.closed),
    avgHandlingHours: r.closed >= SUPPRESS_BELOW && r.hours != null ? Math.round(r.hours * 10) / 10 : null,
    satisfactionRate: r.surveyed >= SUPPRESS_BELOW ? r.satisfactionRate : null,
  };
}

// Orders closed in the month (open data's own measure), grouped three ways and in total.
const CLOSED_SQL = `
SELECT CASE WHEN GROUPING(category_code) = 0 THEN 'category' WHEN GROUPING(district_unit_id) = 0 THEN 'district'
            WHEN GROUPING(main_unit_id) = 0 THEN 'unit' ELSE 'total' END AS dim,
       COALESCE(category_code, district_unit_id::text, main_unit_id::text) AS key,
       count(*)::int AS closed,
       avg(extract(epoch FROM closed_at - created_at) / 3600) AS hours
  FROM workorders
 WHERE closed_at >= $1 AND closed_at < $2 AND type <> 'report' AND close_reason IS DISTINCT FROM 'invalid'
 GROUP BY GROUPING SETS ((category_code), (district_unit_id), (main_unit_id), ())`;

const DEFINITIONS: Record<ReportLanguage, Record<string, string>> = {
  'zh-CN': {
    received: '受理量：当月（北京时间）新建的工单数，不含举报和无效来电。',
    closed: '办结量：当月办结的工单数，不含举报和无效来电。',
    avgHandlingHours: '平均办理时长：当月办结的工单从受理到办结平均经过的小时数。',
    satisfactionRate: '满意率：当月完成的回访中，满意计 1、基本满意计 0.5，除以回访数；未联系上的不计入。',
    calls: '人工接通率：要求转人工的来电中由话务员接听的比例；服务水平：接听的来电中在规定秒数内接听的比例。',
  },
  en: {
    received: 'Received: orders created in the month (Beijing time), excluding reports and invalid calls.',
    closed: 'Closed: orders closed in the month, excluding reports and invalid calls.',
    avgHandlingHours: 'Mean handling hours: the average hours from creation to closure of the orders closed in the month.',
    satisfactionRate:
      'Satisfaction rate: of the follow-up surveys completed in the month, satisfied counts 1 and basically satisfied 0.5, divided by the surveys; citizens not reached are left out.',
    calls:
      'Answer rate: the share of calls asking for an agent that an agent answered; service level: the share of answered calls answered within the stated seconds.',
  },
};
const NO_NAME: Record<ReportLanguage, { total: string; unknown: string }> = {
  'zh-CN': { total: '全市', unknown: '未注明' },
  en: { total: 'Whole city', unknown: 'Not stated' },
};

async function compute(db: Database, month: string, timeZone: string): Promise<Monthly> {
  const settings = await loadKpiSettings(db);
  const { from, to } = await monthBounds(db, month, timeZone);
  const orders = await orderCounts(db, month, timeZone);
  const closed = (await db.query<{ dim: Dim; key: string | null; closed: number; hours: number | null }>(CLOSED_SQL, [from, to])).rows;
  const facts = await factCounts(db, month);
  // The same keys everywhere: a category code, a unit id; null where the order has none.
  const raws = new Map<string, Raw>();
  const raw = (dim: Dim, key: string | null) => {
    const k = `${dim}|${key}`;
    let r = raws.get(k);
    if (!r) raws.set(k, (r = { dim, key, name: null, received: 0, closed: 0, hours: null, surveyed: 0, satisfactionRate: null }));
    return r;
  };
  raw('total', null).received = orders.total.orders;
  for (const c of orders.byCategory) raw('category', c.code).received = c.orders;
  for (const c of orders.byDistrict) raw('district', c.unitId == null ? null : String(c.unitId)).received = c.orders;
  for (const c of orders.byUnit) raw('unit', c.unitId == null ? null : String(c.unitId)).received = c.orders;
  for (const c of closed) Object.assign(raw(c.dim, c.key), { closed: c.closed, hours: c.hours == null ? null : Number(c.hours) });
  const surveyed = (dim: Dim, key: string | null, counts: Parameters<typeof surveyRates>[0]) => {
    const s = surveyRates(counts, settings);
    Object.assign(raw(dim, key), { surveyed: s.surveyed, satisfactionRate: s.satisfactionRate });
  };
  surveyed('total', null, facts.total);
  // The aggregates write '' for no category and 0 for no district.
  for (const [k, c] of facts.by.category) surveyed('category', k === '' ? null : k, c);
  for (const [k, c] of facts.by.district) surveyed('district', k === '0' ? null : k, c);
  for (const [k, c] of facts.by.unit) surveyed('unit', k, c);

  const all = [...raws.values()];
  const unitIds = all.filter((r) => (r.dim === 'district' || r.dim === 'unit') && r.key).map((r) => Number(r.key));
  const units = new Map<string, string>();
  if (unitIds.length) {
    for (const u of (await db.query<{ id: number; name: string }>('SELECT id, name FROM units WHERE id = ANY($1::int[])', [unitIds])).rows) {
      units.set(String(u.id), u.name);
    }
  }
  const categories = await categoryPaths(
    db,
    all.filter((r) => r.dim === 'category' && r.key).map((r) => r.key!),
  );
  for (const r of all) if (r.key != null) r.name = r.dim === 'category' ? (categories.get(r.key) ?? r.key) : (units.get(r.key) ?? null);
  // Most orders first, in the order of the kpi module's counts (its top categories are these).
  const rank = new Map<string, number>();
  [
    ...orders.byCategory.map((c) => `category|${c.code}`),
    ...orders.byDistrict.map((c) => `district|${c.unitId}`),
    ...orders.byUnit.map((c) => `unit|${c.unitId}`),
  ].forEach((k, i) => rank.set(k, i));
  const by = (dim: Dim) =>
    all
      .filter((r) => r.dim === dim && r.received + r.closed + r.surveyed > 0)
      .sort((a, b) => (rank.get(`${dim}|${a.key}`) ?? Infinity) - (rank.get(`${dim}|${b.key}`) ?? Infinity) || String(a.key).localeCompare(String(b.key)))
      .map(figures);
  const calls = await callMeasures(db, month, timeZone, settings);
  return {
    version: VERSION,
    month,
    timeZone,
    generatedAt: new Date().toISOString(),
    suppressionThreshold: SUPPRESS_BELOW,
    definitions: DEFINITIONS['zh-CN'],
    totals: { ...figures(raw('total', null)), key: 'all' },
    calls: { answerRate: calls.answerRate, serviceLevel: calls.serviceLevel, effectiveCalls: calls.effectiveCalls },
    byCategory: by('category'),
    byDistrict: by('district'),
    byUnit: by('unit'),
  };
}

/** The figures in the reader's language: the definitions, and the names of the whole city and of "not stated". */
export function localize(d: Monthly, lang: ReportLanguage): Monthly {
  const none = NO_NAME[lang];
  const name = (f: Figures, total = false) => ({ ...f, name: total ? none.total : f.name || none.unknown });
  return {
    ...d,
    definitions: DEFINITIONS[lang],
    totals: name(d.totals, true),
    byCategory: d.byCategory.map((f) => name(f)),
    byDistrict: d.byDistrict.map((f) => name(f)),
    byUnit: d.byUnit.map((f) => name(f)),
  };
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month's figures, from the cache while fresh. */
export async function monthly(db: Database, month: string, timeZone: string): Promise<Monthly> {
  const m = MONTH.exec(month);
  if (!m || Number(m[1]) < 2000) throw badRequest('validation.month', { field: 'month' }, 'month');
  const end = Date.UTC(Number(m[1]), Number(m[2]), 1);
  const cached = await db.query<{ computed_at: Date; data: Monthly }>('SELECT computed_at, data FROM opendata_monthly WHERE month = $1', [month]);
  const c = cached.rows[0];
  const frozen = c && c.computed_at.getTime() > end + 7 * 86400_000;
  if (c && c.data.version === VERSION && (frozen || Date.now() - c.computed_at.getTime() < 5 * 60_000)) return c.data;
  const data = await compute(db, month, timeZone);
  await db.query(
    `INSERT INTO opendata_monthly (month, computed_at, data) VALUES ($1, now(), $2)
     ON CONFLICT (month) DO UPDATE SET computed_at = now(), data = EXCLUDED.data`,
    [month, JSON.stringify(data)],
  );
  return data;
}

const csvCell = (v: unknown) => {
  const s = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(d: Monthly): string {
  const header = ['month', 'dimension', 'key', 'name', 'received', 'closed', 'avg_handling_hours', 'satisfaction_rate'];
  const lines = [header.join(',')];
  const add = (dim: string, f: Figures) =>
    lines.push([d.month, dim, f.key, f.name, f.received, f.closed, f.avgHandlingHours, f.satisfactionRate].map(csvCell).join(','));
  add('total', d.totals);
  for (const f of d.byCategory) add('category', f);
  for (const f of d.byDistrict) add('district', f);
  for (const f of d.byUnit) add('unit', f);
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}
