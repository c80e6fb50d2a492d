import { describe, expect, it } from 'vitest';
import { isoTime, localHourReader, localMidnights } from './clock.js';
import { Rng } from '../core/random.js';

describe('isoTime', () => {
  it('formats an instant exactly as Date#toISOString does', () => {
    const rng = new Rng(7);
    const cases = [0, 951_782_400_000 /* 2000-02-29 */, 4_107_542_399_999 /* 2100-02-28T23:59:59.999 */, 1_709_251_199_999.7, 253_402_300_799_999];
    for (let i = 0; i < 20_000; i++) cases.push(rng.next() * 4_102_444_800_000); // 1970 to 2100, fractions of a millisecond included
    for (const ms of cases) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('leaves instants outside four-digit years to Date', () => {
    expect(isoTime(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(isoTime(253_402_300_800_000)).toBe('+010000-01-01T00:00:00.000Z');
  });
});

describe('localMidnights', () => {
  it('gives the local midnights and weekdays of the last days, today last', () => {
    // 2026-11-20 22:30 in Shanghai (UTC+8) is 14:30 UTC; that day is a Friday.
    const days = localMidnights(Date.parse('2026-11-20T14:30:00Z'), 3, 'Asia/Shanghai');
    expect(days).toEqual([
      { at: Date.parse('2026-11-17T16:00:00Z'), weekday: 3 },
      { at: Date.parse('2026-11-18T16:00:00Z'), weekday: 4 },
      { at: Date.parse('2026-11-19T16:00:00Z'), weekday: 5 },
    ]);
    // Across a daylight-saving change (New York, 2026-11-01): each midnight at its own offset.
    const ny = localMidnights(Date.parse('2026-11-02T12:00:00Z'), 3, 'America/New_York');
    expect(ny.map((d) => new Date(d.at).toISOString())).toEqual(['2026-10-31T04:00:00.000Z', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
  });
});

describe('localHourReader', () => {
  it('reads the local hour as Intl does, across a daylight-saving change and in half-hour zones', () => {
    const rng = new Rng(11);
    for (const timeZone of ['Asia/Shanghai', 'America/New_York', 'Asia/Kolkata', 'Australia/Adelaide']) {
      const hourOf = localHourReader(timeZone);
      const fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric' });
      const start = Date.parse('2026-10-25T00:00:00Z');
      for (let i = 0; i < 3000; i++) {
        const t = start + Math.floor(rng.next() * 14 * 86_400_000); // two weeks around New York's change on 2026-11-01
        expect(hourOf(t), `${timeZone} ${new Date(t).toISOString()}`).toBe(Number(fmt.format(t)));
      }
    }
  });
});
