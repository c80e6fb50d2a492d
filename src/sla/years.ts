// Setting a year of the working calendar: one day by hand (with its reason), the State Council's
// notice, or the whole list of days (PUT). Each change runs in one transaction with the recompute
// of every open order's deadlines and its audit entry, so the trail says exactly what moved.
// A year an administrator has set is counted on the stored days alone; otherwise the built-in
// data (`chinese-days`) gives its days, and without that only weekends are days off.
import type { Queryable } from '../db/database.js';
import type { AppContext } from '../core/context.js';
import { badRequest } from '../core/errors.js';
import { audit } from '../security/index.js';
import { dayKey, dayNumber, officialDays, type DayKind, type WorkCalendar } from './calendar.js';
import { recomputeRunning, type RecomputeResult } from './deadlines.js';
import { NoticeError, parseNotice, type NoticeDay, type NoticeItem } from './notice.js';
import {
  buildCalendar,
  calendarGaps,
  loadCalendar,
  loadLocalDays,
  loadSetYears,
  localDate,
  yearInfo,
  type CalendarYearInfo,
  type LoadedCalendar,
  type StoredDay,
} from './settings.js';

/** pg_advisory_xact_lock key: one calendar change at a time, across nodes. */
const CALENDAR_LOCK = 7_310_031;
const lock = (q: Queryable) => q.query('SELECT pg_advisory_xact_lock($1)', [CALENDAR_LOCK]);

export type Via = 'api' | 'cli';

/** What a date is in a calendar: a working day or not, its name, and why. */
export interface DayState {
  working: boolean;
  name: string | null;
  /** local: a stored day; official: the built-in data; weekday/weekend: no entry. */
  source: 'local' | 'official' | 'weekday' | 'weekend';
}
export interface DayChange {
  date: string;
  before: DayState;
  after: DayState;
}

const isWeekend = (date: string) => {
  const wd = (dayNumber(date) + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return wd === 0 || wd === 6;
};
const yearDates = (year: number) => {
  const out: string[] = [];
  for (let dn = dayNumber(`${year}-01-01`), end = dayNumber(`${year}-12-31`); dn <= end; dn++) out.push(dayKey(dn));
  return out;
};

function dayState(cal: WorkCalendar, stored: Map<string, { name: string | null }>, date: string): DayState {
  const info = cal.dayInfo(date);
  return { working: info.working, name: info.source === 'local' ? (stored.get(date)?.name ?? null) : (info.name ?? null), source: info.source };
}

/** Dates whose working state or name differ between two calendars. */
function diff(
  before: WorkCalendar,
  beforeDays: Map<string, { name: string | null }>,
  after: WorkCalendar,
  afterDays: Map<string, { name: string | null }>,
  dates: Iterable<string>,
): DayChange[] {
  const out: DayChange[] = [];
  for (const date of new Set(dates)) {
    const b = dayState(before, beforeDays, date);
    const a = dayState(after, afterDays, date);
    if (a.working !== b.working || a.name !== b.name) out.push({ date, before: b, after: a });
  }
  return out.sort((x, y) => x.date.localeCompare(y.date));
}

const byDate = (days: StoredDay[]) => new Map(days.map((d) => [d.day, d]));

async function insertDays(q: Queryable, days: { day: string; kind: DayKind; name: string | null; origin: StoredDay['origin']; reason: string | null }[]) {
  if (!days.length) return;
  await q.query(
    `INSERT INTO calendar_local_days (day, kind, name, origin, reason)
     SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[])`,
    [days.map((d) => d.day), days.map((d) => d.kind), days.map((d) => d.name), days.map((d) => d.origin), days.map((d) => d.reason)],
  );
}

/** Marks a year as set by an administrator (a notice or a full list sets it anew; an edit keeps how it was set). */
async function markYear(q: Queryable, year: number, origin: 'notice' | 'edit' | 'replace', actorId: number | null, noticeTitle: string | null = null) {
  if (origin === 'edit') {
    await q.query(
      `INSERT INTO calendar_years (year, origin, set_by, changed_by) VALUES ($1, 'edit', $2, $2)
       ON CONFLICT (year) DO UPDATE SET changed_by = $2, changed_at = now()`,
      [year, actorId],
    );
  } else {
    await q.query(
      `INSERT INTO calendar_years (year, origin, notice_title, set_by, changed_by) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (year) DO UPDATE SET origin = $2, notice_title = $3, set_by = $4, set_at = now(), changed_by = $4, changed_at = now()`,
      [year, origin, noticeTitle, actorId],
    );
  }
}

/** The built-in days of a year, copied as stored days (the city's own stay), when an administrator first sets a covered year. */
async function copyBuiltin(q: Queryable, year: number, existing: Map<string, StoredDay>) {
  const rows: Parameters<typeof insertDays>[1] = [];
  for (const [day, v] of officialDays().days) {
    if (day.startsWith(`${year}-`) && !existing.has(day)) rows.push({ day, kind: v.kind, name: v.name, origin: 'builtin', reason: null });
  }
  await insertDays(q, rows);
}

export interface DayEdit {
  /** true: a working day (上班); false: a day off (放假). */
  working: boolean;
  name?: string | null;
  reason: string;
}
export interface DayEditResult extends RecomputeResult {
  year: number;
  date: string;
  before: DayState;
  after: DayState;
  reason: string;
  calendar: CalendarYearInfo;
}

/** Sets one day off or on. The year becomes the administrator's (a covered year's built-in days are copied first, so only this day changes). */
export async function setDay(ctx: AppContext, actorId: number | null, year: number, date: string, edit: DayEdit, via: Via = 'api'): Promise<DayEditResult> {
  if (!date.startsWith(`${year}-`)) throw badRequest('sla.notInYear', { date, year }, 'date');
  const reason = edit.reason.trim();
  if (!reason) throw badRequest('validation.required', { field: 'reason' }, 'reason');
  const name = edit.name?.trim() || null;
  return ctx.db.tx(async (q) => {
    await lock(q);
    const before = await loadCalendar(q, ctx);
    const stored = byDate(await loadLocalDays(q));
    const b = dayState(before.calendar, stored, date);
    if (!before.setYears.has(year)) await copyBuiltin(q, year, stored);
    await markYear(q, year, 'edit', actorId);
    if (edit.working === !isWeekend(date)) {
      // The weekday rule says the same: no entry is needed.
      await q.query('DELETE FROM calendar_local_days WHERE day = $1', [date]);
    } else {
      await q.query(
        `INSERT INTO calendar_local_days (day, kind, name, origin, reason) VALUES ($1, $2, $3, 'edit', $4)
         ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, origin = 'edit', reason = EXCLUDED.reason, updated_at = now()`,
        [date, edit.working ? 'workday' : 'holiday', name, reason],
      );
    }
    const after = await loadCalendar(q, ctx);
    const a = dayState(after.calendar, byDate(await loadLocalDays(q, date, date)), date);
    const r = await recomputeRunning(q, ctx, after);
    await audit(q, actorId, 'sla.calendar.day', { year, date, before: b, after: a, reason, via, ...r });
    return { year, date, before: b, after: a, reason, calendar: after.yearInfo(year), ...r };
  });
}

export interface NoticeImport extends RecomputeResult {
  year: number;
  title: string | null;
  holidays: NoticeDay[];
  workdays: NoticeDay[];
  items: NoticeItem[];
  notes: string[];
  /** The city's own days of the year (set by hand or PUT) that stay, and those the notice overrides. */
  kept: StoredDay[];
  overridden: StoredDay[];
  /** Dates that change from the calendar in force. */
  changes: DayChange[];
  /** The year's calendar after saving (for a preview: as it is now). */
  calendar: CalendarYearInfo;
  /** False for a preview: nothing was written; `moved` says how many open orders would move. */
  saved: boolean;
}

/** Parses a notice for `year`, or answers 400 naming the line it could not understand. */
export function readNotice(text: string, year: number) {
  try {
    return parseNotice(text, year);
  } catch (e) {
    if (e instanceof NoticeError)
      throw badRequest(e.line > 0 ? 'sla.noticeLine' : 'sla.notice', { line: e.line, text: e.text, reason: { 'zh-CN': e.reasonZh, en: e.reasonEn } }, 'text');
    throw e;
  }
}

/**
 * Imports the State Council's notice for `year`: its days replace the year's national days
 * (from an earlier notice or the built-in data); the city's own days stay unless the notice
 * names the same date. With `dryRun` nothing is written: the answer is the preview.
 */
export async function importNotice(
  ctx: AppContext,
  actorId: number | null,
  year: number,
  text: string,
  opts: { dryRun?: boolean; via?: Via } = {},
): Promise<NoticeImport> {
  const parsed = readNotice(text, year);
  const run = async (q: Queryable): Promise<NoticeImport> => {
    if (!opts.dryRun) await lock(q);
    const before = await loadCalendar(q, ctx);
    const all = await loadLocalDays(q);
    const inYear = (d: string) => d.startsWith(`${year}-`);
    const title = parsed.title ?? `${year}年部分节假日安排`;
    const noticeRows = [
      ...parsed.holidays.map((d) => ({ day: d.date, kind: 'holiday' as const, name: d.name, origin: 'notice' as const, reason: title })),
      ...parsed.workdays.map((d) => ({ day: d.date, kind: 'workday' as const, name: d.name, origin: 'notice' as const, reason: title })),
    ];
    const named = new Set(noticeRows.map((d) => d.day));
    const own = (d: StoredDay) => inYear(d.day) && (d.origin === 'edit' || d.origin === 'put');
    const kept = all.filter((d) => own(d) && !named.has(d.day));
    const overridden = all.filter((d) => own(d) && named.has(d.day));
    const remaining = all.filter((d) => !named.has(d.day) && !(inYear(d.day) && (d.origin === 'notice' || d.origin === 'builtin')));
    const afterDays = [...remaining, ...noticeRows];
    const afterCal = buildCalendar(ctx.config.timeZone, before.settings.periods, afterDays, new Set([...before.setYears.keys(), year]));
    const changes = diff(before.calendar, byDate(all), afterCal, new Map(afterDays.map((d) => [d.day, d])), [...yearDates(year), ...named]);
    const base = {
      year,
      title: parsed.title,
      holidays: parsed.holidays,
      workdays: parsed.workdays,
      items: parsed.items,
      notes: parsed.notes,
      kept,
      overridden,
      changes,
    };
    if (opts.dryRun) {
      const r = await recomputeRunning(q, ctx, { calendar: afterCal, settings: before.settings }, { dryRun: true });
      return { ...base, ...r, calendar: before.yearInfo(year), saved: false };
    }
    await q.query(`DELETE FROM calendar_local_days WHERE (day BETWEEN $1 AND $2 AND origin IN ('notice', 'builtin')) OR day = ANY($3::date[])`, [
      `${year}-01-01`,
      `${year}-12-31`,
      [...named],
    ]);
    await insertDays(q, noticeRows);
    await markYear(q, year, 'notice', actorId, parsed.title);
    const after = await loadCalendar(q, ctx);
    const r = await recomputeRunning(q, ctx, after);
    await audit(q, actorId, 'sla.calendar.notice', {
      year,
      title: parsed.title,
      holidays: parsed.holidays.length,
      workdays: parsed.workdays.length,
      via: opts.via ?? 'api',
      changes: changes.map((c) => ({
        date: c.date,
        from: c.before.working ? 'workday' : 'holiday',
        to: c.after.working ? 'workday' : 'holiday',
        name: c.after.name,
      })),
      kept: kept.map((d) => d.day),
      overridden: overridden.map((d) => d.day),
      ...r,
    });
    return { ...base, ...r, calendar: after.yearInfo(year), saved: true };
  };
  return opts.dryRun ? run(ctx.db) : ctx.db.tx(run);
}

export interface ReplaceResult extends RecomputeResult {
  changes: DayChange[];
  calendar: CalendarYearInfo;
}

/**
 * PUT /sla/calendar/{year}: the year's stored days become `days`. A year the built-in data covers
 * and no administrator has set keeps its built-in days under them (the city's own days, as
 * before); any other year becomes the administrator's, counted on these days alone.
 */
export async function replaceYear(
  ctx: AppContext,
  actorId: number | null,
  year: number,
  days: { date: string; kind: DayKind; name?: string | null }[],
): Promise<ReplaceResult> {
  return ctx.db.tx(async (q) => {
    await lock(q);
    const before = await loadCalendar(q, ctx);
    const beforeDays = byDate(await loadLocalDays(q));
    const sets = before.setYears.has(year) || !officialDays().years.includes(year);
    await q.query('DELETE FROM calendar_local_days WHERE day >= $1 AND day <= $2', [`${year}-01-01`, `${year}-12-31`]);
    await insertDays(
      q,
      days.map((d) => ({ day: d.date, kind: d.kind, name: d.name ?? null, origin: 'put', reason: null })),
    );
    if (sets) await markYear(q, year, 'replace', actorId);
    const after: LoadedCalendar = await loadCalendar(q, ctx);
    const changes = diff(before.calendar, beforeDays, after.calendar, byDate(await loadLocalDays(q)), yearDates(year));
    const r = await recomputeRunning(q, ctx, after);
    await audit(q, actorId, 'sla.calendar.replace', {
      year,
      days: days.length,
      changes: changes.map((c) => ({ date: c.date, from: c.before.working ? 'workday' : 'holiday', to: c.after.working ? 'workday' : 'holiday' })),
      ...r,
    });
    return { ...r, changes, calendar: after.yearInfo(year) };
  });
}

export interface CalendarStatus {
  /** Today in the city's time zone. */
  today: string;
  timeZone: string;
  year: number;
  nextYear: number;
  /** This year's and next year's calendars. */
  years: CalendarYearInfo[];
  /** Years that know only weekends: this one at any time, the next from 1 October. */
  missing: number[];
  warn: boolean;
}

export async function calendarStatus(q: Queryable, ctx: AppContext, now = new Date()): Promise<CalendarStatus> {
  const tz = ctx.config.timeZone;
  const today = localDate(now, tz);
  const year = Number(today.slice(0, 4));
  const set = await loadSetYears(q);
  const missing = await calendarGaps(q, now, tz);
  return { today, timeZone: tz, year, nextYear: year + 1, years: [yearInfo(year, set), yearInfo(year + 1, set)], missing, warn: missing.length > 0 };
}

/**
 * When the installed `chinese-days` differs from the one the running deadlines were computed with
 * (a newer package shipping next year, say), recomputes them once, whichever node starts first.
 */
export async function checkBuiltin(ctx: AppContext): Promise<(RecomputeResult & { from: string | null; to: string }) | null> {
  const off = officialDays();
  return ctx.db.tx(async (q) => {
    const { rows } = await q.query<{ version: string | null }>('SELECT version FROM calendar_builtin WHERE id = 1 FOR UPDATE');
    if (!rows[0] || rows[0].version === off.version) return null;
    const r = await recomputeRunning(q, ctx);
    await q.query('UPDATE calendar_builtin SET version = $1, years = $2::int[], checked_at = now() WHERE id = 1', [off.version, off.years]);
    // A fresh database records its first version quietly; an upgrade is audited.
    if (rows[0].version !== null || r.moved > 0)
      await audit(q, null, 'sla.calendar.builtin', { from: rows[0].version, to: off.version, years: [off.years[0], off.years[off.years.length - 1]], ...r });
    return { from: rows[0].version, to: off.version, ...r };
  });
}
