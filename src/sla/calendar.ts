// The working calendar: which days are working days (official holidays and swapped
// working days 调休 of mainland China from `chinese-days`, overlaid with the city's own
// days; a year an administrator has set uses the city's days alone) and which hours of a
// working day count. Pure functions over instants (epoch ms).
import { createRequire } from 'node:module';

export type DayKind = 'workday' | 'holiday';
export interface Period {
  start: string; // "09:00"
  end: string; // "12:00"
}
export interface Duration {
  amount: number;
  unit: 'hours' | 'days';
}

export const DEFAULT_PERIODS: Period[] = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];

const DAY = 86_400_000;

interface OfficialData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let official: { days: Map<string, { kind: DayKind; name: string }>; years: number[]; version: string } | undefined;

/** Public holidays and swapped working days published by the State Council, from `chinese-days`. */
export function officialDays() {
  if (!official) {
    const require = createRequire(import.meta.url);
    const data = require('chinese-days/dist/chinese-days.json') as OfficialData;
    const version = (require('chinese-days/package.json') as { version: string }).version;
    const days = new Map<string, { kind: DayKind; name: string }>();
    const label = (v: string) => v.split(',')[1] ?? v; // "Spring Festival,春节,4" → 春节
    for (const [d, v] of Object.entries(data.holidays)) days.set(d, { kind: 'holiday', name: label(v) });
    for (const [d, v] of Object.entries(data.workdays)) days.set(d, { kind: 'workday', name: label(v) + '调休' });
    const years = [...new Set([...days.keys()].map((d) => Number(d.slice(0, 4))))].sort((a, b) => a - b);
    official = { days, years, version };
  }
  return official;
}

export function parseClock(s: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(s);
  if (!m || (m[1] === '24' && m[2] !== '00')) throw new Error(`invalid time of day ${s}`);
  return (Number(m[1]) * 60 + Number(m[2])) * 60_000;
}

/** Checks working periods: well-formed, each non-empty, sorted and not overlapping. Returns an error message or null. */
export function checkPeriods(periods: Period[]): string | null {
  if (periods.length === 0) return '至少需要一个工作时段 (at least one working period)';
  let prev = -1;
  for (const p of periods) {
    let a: number, b: number;
    try {
      a = parseClock(p.start);
      b = parseClock(p.end);
    } catch (e) {
      return (e as Error).message;
    }
    if (b <= a) return `工作时段 ${p.start}-${p.end} 无效 (end must be after start)`;
    if (a < prev) return '工作时段须按时间顺序且不重叠 (periods must be sorted and not overlap)';
    prev = b;
  }
  return null;
}

export const dayKey = (dn: number) => new Date(dn * DAY).toISOString().slice(0, 10);
export const dayNumber = (key: string) => Math.floor(Date.parse(key + 'T00:00:00Z') / DAY);

export interface CalendarOptions {
  timeZone: string;
  periods?: Period[];
  /** The city's own days (YYYY-MM-DD), overriding the official ones. */
  localDays?: Map<string, DayKind>;
  /** Use the official days from `chinese-days` (default true). */
  official?: boolean;
  /** Years an administrator has set: their days are the local ones only, the official data is not consulted. */
  adminYears?: ReadonlySet<number>;
}

export class WorkCalendar {
  readonly timeZone: string;
  /** Working periods as [start, end) in ms from local midnight. */
  private readonly spans: [number, number][];
  private readonly dayTotal: number;
  private readonly local: Map<string, DayKind>;
  private readonly useOfficial: boolean;
  private readonly adminYears: ReadonlySet<number>;
  private readonly working = new Map<number, boolean>();
  private readonly starts = new Map<number, number>();
  private readonly fmt: Intl.DateTimeFormat;

  constructor(opts: CalendarOptions) {
    const periods = opts.periods ?? DEFAULT_PERIODS;
    const err = checkPeriods(periods);
    if (err) throw new Error(err);
    this.timeZone = opts.timeZone;
    this.spans = periods.map((p) => [parseClock(p.start), parseClock(p.end)]);
    this.dayTotal = this.spans.reduce((s, [a, b]) => s + b - a, 0);
    this.local = opts.localDays ?? new Map();
    this.useOfficial = opts.official ?? true;
    this.adminYears = opts.adminYears ?? new Set();
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: opts.timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Length of a working day in ms. */
  get workingDayMs() {
    return this.dayTotal;
  }

  /** Why a date is (not) a working day: a local or official entry, else Monday–Friday. */
  dayInfo(key: string): { working: boolean; source: 'local' | 'official' | 'weekday' | 'weekend'; name?: string } {
    const local = this.local.get(key);
    if (local) return { working: local === 'workday', source: 'local' };
    const off = this.useOfficial && !this.adminYears.has(Number(key.slice(0, 4))) ? officialDays().days.get(key) : undefined;
    if (off) return { working: off.kind === 'workday', source: 'official', name: off.name };
    const wd = (dayNumber(key) + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    return wd === 0 || wd === 6 ? { working: false, source: 'weekend' } : { working: true, source: 'weekday' };
  }

  isWorkingDay(dn: number): boolean {
    let w = this.working.get(dn);
    if (w === undefined) {
      w = this.dayInfo(dayKey(dn)).working;
      this.working.set(dn, w);
    }
    return w;
  }

  /** The instant of local midnight starting day `dn` (days since 1970-01-01 in local terms). */
  dayStart(dn: number): number {
    let s = this.starts.get(dn);
    if (s === undefined) {
      const noon = dn * DAY + DAY / 2;
      s = dn * DAY - this.offsetAt(noon);
      this.starts.set(dn, s);
    }
    return s;
  }

  /** The zone's UTC offset (ms) at instant t. */
  private offsetAt(t: number): number {
    const p: Record<string, number> = {};
    for (const x of this.fmt.formatToParts(new Date(t))) if (x.type !== 'literal') p[x.type] = Number(x.value);
    const asUtc = Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second);
    return asUtc - (t - (((t % 1000) + 1000) % 1000));
  }

  /** The local day number of instant t. */
  localDay(t: number): number {
    let dn = Math.floor(t / DAY);
    while (t < this.dayStart(dn)) dn--;
    while (t >= this.dayStart(dn + 1)) dn++;
    return dn;
  }

  /** Adds `ms` of working time to instant t. The result lies inside working hours of a working day (for ms > 0). */
  addWorkingMs(t: number, ms: number): number {
    if (!(ms > 0)) return t;
    let dn = this.localDay(t);
    let pos = t - this.dayStart(dn);
    let rem = ms;
    for (let guard = 0; guard < 36600; guard++, dn++, pos = 0) {
      if (!this.isWorkingDay(dn)) continue;
      if (pos === 0 && rem > this.dayTotal) {
        rem -= this.dayTotal;
        continue;
      }
      for (const [a, b] of this.spans) {
        if (b <= pos) continue;
        const s = Math.max(a, pos);
        if (rem <= b - s) return this.dayStart(dn) + s + rem;
        rem -= b - s;
      }
    }
    throw new Error('no working day within 100 years');
  }

  addWorkingHours(t: number, hours: number): number {
    return this.addWorkingMs(t, Math.round(hours * 3_600_000));
  }

  /** The end of the n-th working day after t's day (the day of t is not counted, as in 期间开始之日不计算在内). */
  addWorkingDays(t: number, n: number): number {
    if (!(n > 0)) return t;
    let dn = this.localDay(t);
    for (let count = 0, guard = 0; count < n; guard++) {
      if (guard > 36600) throw new Error('no working day within 100 years');
      dn++;
      if (this.isWorkingDay(dn)) count++;
    }
    return this.dayStart(dn) + this.spans[this.spans.length - 1]![1];
  }

  add(t: number, d: Duration): number {
    return d.unit === 'days' ? this.addWorkingDays(t, d.amount) : this.addWorkingHours(t, d.amount);
  }

  /** Working time (ms) between a and b; 0 when b <= a. */
  workingMsBetween(a: number, b: number): number {
    if (b <= a) return 0;
    const first = this.localDay(a);
    const last = this.localDay(b);
    let total = 0;
    for (let dn = first; dn <= last; dn++) {
      if (!this.isWorkingDay(dn)) continue;
      const s0 = this.dayStart(dn);
      if (dn > first && dn < last) {
        total += this.dayTotal;
        continue;
      }
      for (const [x, y] of this.spans) {
        const lo = Math.max(a, s0 + x);
        const hi = Math.min(b, s0 + y);
        if (hi > lo) total += hi - lo;
      }
    }
    return total;
  }

  /** Working days d with day(a) < d <= day(b). */
  workingDaysBetween(a: number, b: number): number {
    let n = 0;
    for (let dn = this.localDay(a) + 1, last = this.localDay(b); dn <= last; dn++) if (this.isWorkingDay(dn)) n++;
    return n;
  }

  /** Signed working time from `now` to `due`: negative when overdue. */
  remainingMs(now: number, due: number): number {
    return due >= now ? this.workingMsBetween(now, due) : -this.workingMsBetween(due, now);
  }

  /** True when instant t lies within working hours of a working day (end of a period included). */
  isWorkingInstant(t: number): boolean {
    const dn = this.localDay(t);
    if (!this.isWorkingDay(dn)) return false;
    const pos = t - this.dayStart(dn);
    return this.spans.some(([a, b]) => pos >= a && pos <= b);
  }
}
