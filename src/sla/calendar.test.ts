// Laws of the working-calendar arithmetic (fast-check) and the official calendar of 2025 and 2026.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkCalendar, officialDays } from './calendar.js';

const cal = new WorkCalendar({ timeZone: 'Asia/Shanghai' });
const H = 3_600_000;
const at = (s: string) => Date.parse(s); // ISO with offset
const iso8 = (t: number) => new Date(t + 8 * H).toISOString().replace('Z', '+08:00').slice(0, 19) + '+08:00';

/** The local (Asia/Shanghai) date, weekday and minute of day of t, computed by Intl, independently of the calendar. */
function shanghai(t: number) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'Asia/Shanghai',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    })
      .formatToParts(new Date(t))
      .map((x) => [x.type, x.value]),
  );
  return { date: `${p.year}-${p.month}-${p.day}`, weekday: p.weekday as string, minute: Number(p.hour) * 60 + Number(p.minute) + Number(p.second) / 60 };
}
const officialWorking = (date: string, weekday: string) => {
  const o = officialDays().days.get(date);
  return o ? o.kind === 'workday' : weekday !== 'Sat' && weekday !== 'Sun';
};

// Instants from 2024 to 2026 (the years the official data covers around now), to the second.
const instant = fc.integer({ min: Date.UTC(2024, 0, 1) / 1000, max: Date.UTC(2026, 11, 1) / 1000 }).map((s) => s * 1000);
const workMs = fc.integer({ min: 1, max: 40 * 7.5 * 3600 }).map((s) => s * 1000);

describe('working calendar laws', () => {
  it('adding N working ms and then measuring gives N back', () => {
    fc.assert(
      fc.property(instant, workMs, (t, ms) => cal.workingMsBetween(t, cal.addWorkingMs(t, ms)) === ms),
      { numRuns: 500 },
    );
  });

  it('a deadline in working hours falls inside working hours of an official working day (checked with Intl)', () => {
    fc.assert(
      fc.property(instant, workMs, (t, ms) => {
        const r = cal.addWorkingMs(t, ms);
        const l = shanghai(r);
        expect(officialWorking(l.date, l.weekday), `${iso8(t)} + ${ms} → ${iso8(r)}`).toBe(true);
        expect((l.minute > 9 * 60 && l.minute <= 12 * 60) || (l.minute > 13.5 * 60 && l.minute <= 18 * 60)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a deadline in working days is the end (18:00) of the N-th following official working day', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 30 }), (t, n) => {
        const r = cal.addWorkingDays(t, n);
        const l = shanghai(r);
        expect(officialWorking(l.date, l.weekday)).toBe(true);
        expect(l.minute).toBe(18 * 60);
        expect(cal.workingDaysBetween(t, r)).toBe(n);
        // counted independently: walk the days after t with Intl and the official table
        let count = 0;
        for (let d = t; shanghai(d).date !== l.date;) {
          d += 24 * H;
          const x = shanghai(d);
          if (officialWorking(x.date, x.weekday)) count++;
        }
        expect(count).toBe(n);
      }),
      { numRuns: 200 },
    );
  });

  it('is monotonic and additive', () => {
    fc.assert(
      fc.property(instant, workMs, workMs, (t, a, b) => {
        expect(cal.addWorkingMs(t, Math.min(a, b))).toBeLessThanOrEqual(cal.addWorkingMs(t, Math.max(a, b)));
        expect(cal.addWorkingMs(cal.addWorkingMs(t, a), b)).toBe(cal.addWorkingMs(t, a + b));
      }),
      { numRuns: 300 },
    );
  });

  it('working time between two instants is additive over a split point and never more than elapsed time', () => {
    fc.assert(
      fc.property(instant, instant, instant, (x, y, z) => {
        const [a, m, b] = [x, y, z].sort((p, q) => p - q) as [number, number, number];
        expect(cal.workingMsBetween(a, m) + cal.workingMsBetween(m, b)).toBe(cal.workingMsBetween(a, b));
        expect(cal.workingMsBetween(a, b)).toBeLessThanOrEqual(b - a);
        expect(cal.workingMsBetween(b, a)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('is timezone-correct: in another fixed-offset zone the same local times shift by the offset difference', () => {
    const utc = new WorkCalendar({ timeZone: 'UTC' });
    const tokyo = new WorkCalendar({ timeZone: 'Asia/Tokyo' });
    fc.assert(
      fc.property(instant, workMs, (t, ms) => {
        // Shanghai is UTC+8, Tokyo UTC+9: the same wall-clock deadline is 8 h (resp. 1 h) earlier in absolute time.
        expect(cal.addWorkingMs(t, ms)).toBe(utc.addWorkingMs(t + 8 * H, ms) - 8 * H);
        expect(tokyo.addWorkingMs(t, ms)).toBe(cal.addWorkingMs(t + H, ms) - H);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the official calendar of 2025 and 2026', () => {
  it('covers the years the package publishes', () => {
    const { years } = officialDays();
    expect(years).toContain(2025);
    expect(years).toContain(2026);
  });

  it('walks across a weekend, the Spring Festival and its swapped working days (2025)', () => {
    // Fri 2025-01-24 10:00: 1 working day → Sun 2025-01-26, a swapped working day (调休上班).
    expect(iso8(cal.addWorkingDays(at('2025-01-24T10:00:00+08:00'), 1))).toBe('2025-01-26T18:00:00+08:00');
    // Mon 2025-01-27 10:00 + 3 days: the Festival runs 01-28..02-04, then Wed 02-05, Thu 02-06, Fri 02-07.
    expect(iso8(cal.addWorkingDays(at('2025-01-27T10:00:00+08:00'), 3))).toBe('2025-02-07T18:00:00+08:00');
    // + 4 days: Saturday 2025-02-08 is a swapped working day.
    expect(iso8(cal.addWorkingDays(at('2025-01-27T10:00:00+08:00'), 4))).toBe('2025-02-08T18:00:00+08:00');
    // 2 working hours from Mon 2025-01-27 17:00 → 1 h that day, 1 h after the holiday: 2025-02-05 10:00.
    expect(iso8(cal.addWorkingHours(at('2025-01-27T17:00:00+08:00'), 2))).toBe('2025-02-05T10:00:00+08:00');
  });

  it('walks across National Day 2025 (Sun 09-28 and Sat 10-11 are working days)', () => {
    expect(iso8(cal.addWorkingDays(at('2025-09-26T15:00:00+08:00'), 1))).toBe('2025-09-28T18:00:00+08:00');
    expect(iso8(cal.addWorkingDays(at('2025-09-28T15:00:00+08:00'), 2))).toBe('2025-09-30T18:00:00+08:00');
    expect(iso8(cal.addWorkingDays(at('2025-09-28T15:00:00+08:00'), 3))).toBe('2025-10-09T18:00:00+08:00');
    expect(iso8(cal.addWorkingDays(at('2025-09-30T15:00:00+08:00'), 3))).toBe('2025-10-11T18:00:00+08:00');
    // Lunch break and the evening do not count: 11:00 + 2 h → 14:30.
    expect(iso8(cal.addWorkingHours(at('2025-09-30T11:00:00+08:00'), 2))).toBe('2025-09-30T14:30:00+08:00');
    expect(cal.workingMsBetween(at('2025-09-30T17:00:00+08:00'), at('2025-10-09T10:00:00+08:00'))).toBe(2 * H);
  });

  it('walks across New Year and the Spring Festival of 2026 (Sun 01-04, Sat 02-14 and Sat 02-28 are working days)', () => {
    expect(iso8(cal.addWorkingDays(at('2025-12-31T09:30:00+08:00'), 1))).toBe('2026-01-04T18:00:00+08:00');
    expect(iso8(cal.addWorkingDays(at('2026-02-13T09:30:00+08:00'), 1))).toBe('2026-02-14T18:00:00+08:00');
    expect(iso8(cal.addWorkingDays(at('2026-02-13T09:30:00+08:00'), 2))).toBe('2026-02-24T18:00:00+08:00');
    expect(iso8(cal.addWorkingDays(at('2026-02-24T09:30:00+08:00'), 4))).toBe('2026-02-28T18:00:00+08:00');
    expect(iso8(cal.addWorkingHours(at('2026-02-14T16:00:00+08:00'), 3))).toBe('2026-02-24T10:00:00+08:00');
  });

  it('applies local days over the official ones', () => {
    const local = new WorkCalendar({
      timeZone: 'Asia/Shanghai',
      localDays: new Map([
        ['2025-09-29', 'holiday'],
        ['2025-10-12', 'workday'],
      ]),
    });
    expect(iso8(local.addWorkingDays(at('2025-09-28T15:00:00+08:00'), 1))).toBe('2025-09-30T18:00:00+08:00');
    expect(iso8(local.addWorkingDays(at('2025-10-11T15:00:00+08:00'), 1))).toBe('2025-10-12T18:00:00+08:00');
  });

  it('ignores the official days of a year an administrator has set (the city’s days alone count)', () => {
    const set = new WorkCalendar({ timeZone: 'Asia/Shanghai', adminYears: new Set([2025]), localDays: new Map([['2025-10-01', 'holiday']]) });
    expect(set.dayInfo('2025-10-02')).toEqual({ working: true, source: 'weekday' }); // 国庆节 in the package, not in the city's days
    expect(set.dayInfo('2025-10-01')).toEqual({ working: false, source: 'local' });
    expect(set.dayInfo('2026-10-02').source).toBe('official'); // other years as before
  });
});
