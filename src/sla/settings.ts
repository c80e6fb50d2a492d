// Time-limit settings, the city's local calendar days and the policies, read from the database.
import type { Queryable } from '../db/database.js';
import type { AppContext } from '../core/context.js';
import { badRequest } from '../core/errors.js';
import { once } from '../db/once.js';
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
  if (err) throw badRequest('sla.periodsInvalid', { detail: err }, 'periods');
  if (!(s.warnShare > 0 && s.warnShare < 1)) throw badRequest('sla.warnShare', {}, 'warnShare');
  if (!(s.escalateAfter.amount > 0)) throw badRequest('validation.exclusiveMinimum', { field: 'escalateAfter.amount', limit: 0 }, 'escalateAfter.amount');
}

export async function saveSettings(q: Queryable, s: SlaSettings): Promise<void> {
  await q.query('UPDATE sla_settings SET settings = $1, updated_at = now() WHERE id = 1', [JSON.stringify(s)]);
}

/** The city's local date (YYYY-MM-DD) of an instant. */
export const localDate = (now: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);

/**
 * Years deadlines will soon run in (this one, and the next from 1 October, before the State
 * Council publishes it) whose calendar knows only weekends: neither the built-in data covers
 * them nor has an administrator set them, so every holiday would count as a working day.
 */
export async function calendarGaps(q: Queryable, now: Date, timeZone: string): Promise<number[]> {
  const [year, month] = localDate(now, timeZone).split('-').map(Number) as [number, number];
  const set = await loadSetYears(q);
  return (month >= 10 ? [year, year + 1] : [year]).filter((y) => yearInfo(y, set).source === 'weekends-only');
}

/** Where a stored day came from: an imported notice, the built-in data (copied when a covered year was first edited), one day set by hand, or PUT. */
export type DayOrigin = 'notice' | 'builtin' | 'edit' | 'put';
export interface StoredDay {
  day: string;
  kind: DayKind;
  name: string | null;
  origin: DayOrigin;
  reason: string | null;
}

export async function loadLocalDays(q: Queryable, from?: string, to?: string): Promise<StoredDay[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (from) where.push(`day >= $${params.push(from)}`);
  if (to) where.push(`day <= $${params.push(to)}`);
  const { rows } = await q.query<StoredDay>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name, origin, reason FROM calendar_local_days ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY day`,
    params,
  );
  return rows;
}

/** A year an administrator has set (calendar_years). */
export interface SetYear {
  year: number;
  origin: 'notice' | 'edit' | 'replace';
  noticeTitle: string | null;
  setAt: string;
  setBy: number | null;
  changedAt: string;
  changedBy: number | null;
}

export async function loadSetYears(q: Queryable): Promise<Map<number, SetYear>> {
  const { rows } = await q.query<any>('SELECT * FROM calendar_years ORDER BY year');
  return setYearsOf(rows);
}

function setYearsOf(rows: any[]): Map<number, SetYear> {
  return new Map(
    rows.map((r) => [
      r.year,
      {
        year: r.year,
        origin: r.origin,
        noticeTitle: r.notice_title,
        setAt: new Date(r.set_at).toISOString(),
        setBy: r.set_by,
        changedAt: new Date(r.changed_at).toISOString(),
        changedBy: r.changed_by,
      },
    ]),
  );
}

/** Which calendar a year's deadlines are counted on: an administrator's > the built-in data > weekends only. */
export type YearSource = 'admin' | 'chinese-days' | 'weekends-only';
export interface CalendarYearInfo {
  year: number;
  source: YearSource;
  /** For 'admin': how the year was set, when and by whom (user id), and the notice's title when imported. */
  origin?: SetYear['origin'];
  noticeTitle?: string | null;
  setAt?: string;
  setBy?: number | null;
  changedAt?: string;
  /** The built-in package (`chinese-days`): its version, and whether it covers the year (then unused when an administrator has set it). */
  builtinVersion: string;
  builtinCovered: boolean;
}

export function yearInfo(year: number, set: Map<number, SetYear>): CalendarYearInfo {
  const off = officialDays();
  const covered = off.years.includes(year);
  const s = set.get(year);
  if (s) {
    return {
      year,
      source: 'admin',
      origin: s.origin,
      noticeTitle: s.noticeTitle,
      setAt: s.setAt,
      setBy: s.setBy,
      changedAt: s.changedAt,
      builtinVersion: off.version,
      builtinCovered: covered,
    };
  }
  return { year, source: covered ? 'chinese-days' : 'weekends-only', builtinVersion: off.version, builtinCovered: covered };
}

/** A calendar from stored days and the years set by an administrator. */
export function buildCalendar(timeZone: string, periods: Period[], days: Iterable<{ day: string; kind: DayKind }>, setYears: Iterable<number>): WorkCalendar {
  return new WorkCalendar({ timeZone, periods, localDays: new Map([...days].map((d) => [d.day, d.kind])), adminYears: new Set(setYears) });
}

export interface LoadedCalendar {
  calendar: WorkCalendar;
  settings: SlaSettings;
  /** The years an administrator has set. */
  setYears: Map<number, SetYear>;
  /** Which calendar a year is counted on. */
  yearInfo: (year: number) => CalendarYearInfo;
  /** The time-limit policies, read with the calendar (see policyFor). */
  policies?: Policy[];
}

/** The calendar in force: official days (except in years an administrator has set), the city's local days over them, the configured working hours. */
export async function loadCalendar(q: Queryable, ctx: AppContext, settings?: SlaSettings): Promise<LoadedCalendar> {
  if (!settings) return once(q, 'sla.calendar', () => cachedCalendar(q, ctx));
  const s = settings;
  const local = await loadLocalDays(q);
  const setYears = await loadSetYears(q);
  const calendar = buildCalendar(ctx.config.timeZone, s.periods, local, setYears.keys());
  return { calendar, settings: s, setYears, yearInfo: (y) => yearInfo(y, setYears) };
}

/**
 * Every order read and action needs the calendar: its three sources and the time-limit policies
 * come in one round trip, with a digest of them, and the calendar is built again only when the digest changes (so a
 * change made on another node counts from the next read, as before).
 */
const calendars = new Map<string, LoadedCalendar>();
async function cachedCalendar(q: Queryable, ctx: AppContext): Promise<LoadedCalendar> {
  const { rows } = await q.query<{ settings: Partial<SlaSettings> | null; days: StoredDay[]; years: any[]; policies: any[]; digest: string }>(
    `SELECT s.settings, d.days, y.years, p.policies, md5(coalesce(s.settings::text, '') || d.days::text || y.years::text || p.policies::text) AS digest
       FROM (SELECT (SELECT settings FROM sla_settings WHERE id = 1) AS settings) s,
            (SELECT coalesce(json_agg(json_build_object('day', to_char(day, 'YYYY-MM-DD'), 'kind', kind, 'name', name, 'origin', origin, 'reason', reason)
                                      ORDER BY day), '[]'::json) AS days FROM calendar_local_days) d,
            (SELECT coalesce(json_agg(c ORDER BY year), '[]'::json) AS years FROM calendar_years c) y,
            (SELECT coalesce(json_agg(p ORDER BY id), '[]'::json) AS policies FROM sla_policies p) p`,
  );
  const r = rows[0]!;
  const key = `${ctx.config.timeZone}|${r.digest}`;
  let loaded = calendars.get(key);
  if (!loaded) {
    const s = { ...DEFAULT_SETTINGS, ...(r.settings ?? {}) };
    const setYears = setYearsOf(r.years);
    const calendar = buildCalendar(ctx.config.timeZone, s.periods, r.days, setYears.keys());
    loaded = { calendar, settings: s, setYears, yearInfo: (y) => yearInfo(y, setYears), policies: r.policies.map(policyFromRow) };
    if (calendars.size >= 8) calendars.clear();
    calendars.set(key, loaded);
  }
  return loaded;
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
  id: 0,
  orderType: null,
  urgency: null,
  categoryPrefix: null,
  sign: { amount: 1, unit: 'days' },
  reply: { amount: 5, unit: 'days' },
  maxExtensionDays: 10,
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

/** findPolicy from the policies read with the calendar: no round trip of its own. */
export async function policyFor(q: Queryable, ctx: AppContext, o: { type: string; urgency: string; categoryCode: string | null }): Promise<Policy> {
  const { policies } = await loadCalendar(q, ctx);
  return policies ? choosePolicy(policies, o) : findPolicy(q, o);
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
