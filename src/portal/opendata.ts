// Open data: anonymised monthly figures by category, district and unit. Counts below
// the threshold are shown as "<5"; rates and averages over fewer orders are withheld.
import type { Database } from '../db/database.js';
import { badRequest } from '../core/errors.js';

export const SUPPRESS_BELOW = 5;

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
  month: string;
  timeZone: string;
  generatedAt: string;
  suppressionThreshold: number;
  definitions: Record<string, string>;
  totals: Figures;
  byCategory: Figures[];
  byDistrict: Figures[];
  byUnit: Figures[];
}

interface Raw {
  dim: 'category' | 'district' | 'unit' | 'total';
  key: string | null;
  name: string | null;
  received: number;
  closed: number;
  hours: number | null;
  surveyed: number;
  satisfied: number;
}

const count = (n: number): Count => (n > 0 && n < SUPPRESS_BELOW ? '<5' : n);

function figures(r: Raw): Figures {
  return {
    key: r.key ?? 'unknown',
    name: r.name ?? (r.dim === 'total' ? '全市 (city)' : '未注明 (unspecified)'),
    received: count(r.received),
    closed: count(r.closed),
    avgHandlingHours: r.closed >= SUPPRESS_BELOW && r.hours != null ? Math.round(r.hours * 10) / 10 : null,
    satisfactionRate: r.surveyed >= SUPPRESS_BELOW ? Math.round((r.satisfied / r.surveyed) * 1000) / 1000 : null,
  };
}

// One scan of the orders touched in the month, grouped three ways (and the total).
const SQL = `
WITH b AS (SELECT ($1::text || '-01')::timestamp AT TIME ZONE $2 AS s,
                  (($1::text || '-01')::timestamp + interval '1 month') AT TIME ZONE $2 AS e),
o AS (
  SELECT w.category_code, w.district_unit_id, w.main_unit_id,
         (w.created_at >= b.s AND w.created_at < b.e) AS rec,
         (w.closed_at >= b.s AND w.closed_at < b.e AND w.close_reason IS DISTINCT FROM 'invalid') AS clo,
         extract(epoch FROM w.closed_at - w.created_at) / 3600 AS hours,
         (w.survey IS NOT NULL AND (w.survey->>'at')::timestamptz >= b.s AND (w.survey->>'at')::timestamptz < b.e) AS sur,
         w.survey->>'satisfaction' AS sat
    FROM workorders w, b
   WHERE w.created_at < b.e AND w.updated_at >= b.s AND w.type <> 'report'
     AND w.close_reason IS DISTINCT FROM 'invalid'
)
SELECT CASE WHEN GROUPING(category_code) = 0 THEN 'category' WHEN GROUPING(district_unit_id) = 0 THEN 'district'
            WHEN GROUPING(main_unit_id) = 0 THEN 'unit' ELSE 'total' END AS dim,
       COALESCE(category_code, district_unit_id::text, main_unit_id::text) AS key,
       count(*) FILTER (WHERE rec)::int AS received,
       count(*) FILTER (WHERE clo)::int AS closed,
       avg(hours) FILTER (WHERE clo) AS hours,
       count(*) FILTER (WHERE sur)::int AS surveyed,
       count(*) FILTER (WHERE sur AND sat IN ('satisfied', 'basically_satisfied'))::int AS satisfied
  FROM o
 GROUP BY GROUPING SETS ((category_code), (district_unit_id), (main_unit_id), ())`;

async function compute(db: Database, month: string, timeZone: string): Promise<Monthly> {
  const { rows } = await db.query<Raw>(SQL, [month, timeZone]);
  const unitIds = rows.filter((r) => (r.dim === 'district' || r.dim === 'unit') && r.key).map((r) => Number(r.key));
  const codes = rows.filter((r) => r.dim === 'category' && r.key).map((r) => r.key!);
  const units = new Map<string, string>();
  const services = new Map<string, string>();
  if (unitIds.length) {
    for (const u of (await db.query<{ id: number; name: string }>('SELECT id, name FROM units WHERE id = ANY($1::int[])', [unitIds])).rows) {
      units.set(String(u.id), u.name);
    }
  }
  if (codes.length) {
    const r = await db.query<{ c: string; n: string }>(
      'SELECT service_code AS c, service_name AS n FROM open311_services WHERE service_code = ANY($1::text[])',
      [codes],
    );
    for (const s of r.rows) services.set(s.c, s.n);
  }
  const named = rows
    .filter((r) => r.received + r.closed + r.surveyed > 0 || r.dim === 'total')
    .map((r) => ({ ...r, name: r.key == null ? null : r.dim === 'category' ? (services.get(r.key) ?? r.key) : (units.get(r.key) ?? null) }));
  const by = (dim: Raw['dim']) =>
    named
      .filter((r) => r.dim === dim)
      .sort((a, b) => b.received - a.received || String(a.key).localeCompare(String(b.key)))
      .map(figures);
  const total = named.find((r) => r.dim === 'total') ?? {
    dim: 'total',
    key: 'all',
    name: null,
    received: 0,
    closed: 0,
    hours: null,
    surveyed: 0,
    satisfied: 0,
  };
  return {
    month,
    timeZone,
    generatedAt: new Date().toISOString(),
    suppressionThreshold: SUPPRESS_BELOW,
    definitions: {
      received: '当月受理的工单数 (orders created in the month)',
      closed: '当月办结的工单数 (orders closed in the month, invalid contacts excluded)',
      avgHandlingHours: '当月办结工单从受理到办结的平均小时数 (mean hours from creation to closure)',
      satisfactionRate: '当月回访中满意与基本满意的比例 (share of surveys rated satisfied or basically satisfied)',
    },
    totals: figures({ ...total, key: 'all' }),
    byCategory: by('category'),
    byDistrict: by('district'),
    byUnit: by('unit'),
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
  if (c && (frozen || Date.now() - c.computed_at.getTime() < 5 * 60_000)) return c.data;
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
