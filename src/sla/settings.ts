// Time-limit settings, the city's local calendar days and the policies, read from the database.
import type { Queryable } from '../db/database.js';
import type { AppContext } from '../core/context.js';
import { badRequest } from '../core/errors.js';
import { DEFAULT_PERIODS, WorkCalendar, checkPeriods, officialDays, type DayKind, type Duration, type Period } from './calendar.js';

export interface SlaSettings {
  /** Working periods of a working day, local time. */
  periods: Period[];
  /** Share (0–1) of the allowed working time after which a deadline turns yellow. */
  warnShare: number;
  /** Further delay after a deadline before the second-level notice goes to the unit's parent. */
  escalateAfter: Duration;
  /** Append an automatic supervision notice (督办) to the order when a deadline is missed. */
  autoSupervise: boolean;
  /** POST each warning as JSON to this URL (SMS/IM gateway), or null. */
  webhookUrl: string | null;
}

export const DEFAULT_SETTINGS: SlaSettings = {
  periods: DEFAULT_PERIODS,
  warnShare: 0.75,
  escalateAfter: { amount: 1, unit: 'days' },
  autoSupervise: true,
  webhookUrl: null,
};

export async function loadSettings(q: Queryable): Promise<SlaSettings> {
  const { rows } = await q.query<{ settings: Partial<SlaSettings> }>('SELECT settings FROM sla_settings WHERE id = 1');
  return { ...DEFAULT_SETTINGS, ...(rows[0]?.settings ?? {}) };
}

export function validateSettings(s: SlaSettings): void {
  const err = checkPeriods(s.periods);
  if (err) throw badRequest(err, 'periods');
  if (!(s.warnShare > 0 && s.warnShare < 1)) throw badRequest('warnShare 须在 0 与 1 之间 (must be between 0 and 1)', 'warnShare');
  if (!(s.escalateAfter.amount > 0)) throw badRequest('escalateAfter.amount 须大于 0 (must be positive)', 'escalateAfter.amount');
}

export async function saveSettings(q: Queryable, s: SlaSettings): Promise<void> {
  await q.query('UPDATE sla_settings SET settings = $1, updated_at = now() WHERE id = 1', [JSON.stringify(s)]);
}

/**
 * Years deadlines will soon run in (this one, and the next from November, when the State
 * Council publishes it) that have neither the national holiday schedule in the built-in data
 * nor any day of the city's own: there every holiday would count as a working day.
 */
export async function calendarGaps(q: Queryable, now: Date, timeZone: string): Promise<number[]> {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).format(now).split('-').map(Number) as [number, number];
  const official = officialDays().years;
  const gaps: number[] = [];
  for (const y of month >= 11 ? [year, year + 1] : [year]) {
    if (official.includes(y)) continue;
    const { rows } = await q.query('SELECT 1 FROM calendar_local_days WHERE day BETWEEN $1 AND $2 LIMIT 1', [`${y}-01-01`, `${y}-12-31`]);
    if (!rows.length) gaps.push(y);
  }
  return gaps;
}

export async function loadLocalDays(q: Queryable, from?: string, to?: string): Promise<{ day: string; kind: DayKind; name: string | null }[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (from) where.push(`day >= $${params.push(from)}`);
  if (to) where.push(`day <= $${params.push(to)}`);
  const { rows } = await q.query<{ day: string; kind: DayKind; name: string | null }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM calendar_local_days ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY day`,
    params,
  );
  return rows;
}

/** The calendar in force: official days, the city's local days over them, the configured working hours. */
export async function loadCalendar(q: Queryable, ctx: AppContext, settings?: SlaSettings): Promise<{ calendar: WorkCalendar; settings: SlaSettings }> {
  const s = settings ?? (await loadSettings(q));
  const local = await loadLocalDays(q);
  const calendar = new WorkCalendar({ timeZone: ctx.config.timeZone, periods: s.periods, localDays: new Map(local.map((d) => [d.day, d.kind])) });
  return { calendar, settings: s };
}

export interface Policy {
  id: number;
  orderType: string | null;
  urgency: string | null;
  categoryPrefix: string | null;
  sign: Duration;
  reply: Duration;
  maxExtensionDays: number;
}

export const policyFromRow = (r: any): Policy => ({
  id: r.id,
  orderType: r.order_type,
  urgency: r.urgency,
  categoryPrefix: r.category_prefix,
  sign: { amount: Number(r.sign_amount), unit: r.sign_unit },
  reply: { amount: Number(r.reply_amount), unit: r.reply_unit },
  maxExtensionDays: r.max_extension_days,
});

/** Used when no policy matches at all (an administrator deleted the defaults). */
export const FALLBACK_POLICY: Policy = {
  id: 0, orderType: null, urgency: null, categoryPrefix: null,
  sign: { amount: 1, unit: 'days' }, reply: { amount: 5, unit: 'days' }, maxExtensionDays: 10,
};

/** `findPolicy` over policies held in memory (rebuilds and bulk loads): the same order of preference. */
export function choosePolicy(policies: Policy[], o: { type: string; urgency: string; categoryCode: string | null }): Policy {
  const fits = policies.filter(
    (p) =>
      (p.orderType == null || p.orderType === o.type) &&
      (p.urgency == null || p.urgency === o.urgency) &&
      (p.categoryPrefix == null || (o.categoryCode ?? '').startsWith(p.categoryPrefix)),
  );
  fits.sort(
    (a, b) =>
      (b.categoryPrefix?.length ?? 0) - (a.categoryPrefix?.length ?? 0) ||
      Number(b.orderType != null) - Number(a.orderType != null) ||
      Number(b.urgency != null) - Number(a.urgency != null) ||
      a.id - b.id,
  );
  return fits[0] ?? FALLBACK_POLICY;
}

/** The most specific policy for an order: longest matching category prefix, then type, then urgency. */
export async function findPolicy(q: Queryable, o: { type: string; urgency: string; categoryCode: string | null }): Promise<Policy> {
  const { rows } = await q.query(
    `SELECT * FROM sla_policies
     WHERE (order_type IS NULL OR order_type = $1) AND (urgency IS NULL OR urgency = $2)
       AND (category_prefix IS NULL OR ($3::text IS NOT NULL AND left($3::text, length(category_prefix)) = category_prefix))
     ORDER BY length(coalesce(category_prefix, '')) DESC, (order_type IS NOT NULL) DESC, (urgency IS NOT NULL) DESC, id
     LIMIT 1`,
    [o.type, o.urgency, o.categoryCode],
  );
  return rows[0] ? policyFromRow(rows[0]) : FALLBACK_POLICY;
}
