// The web app writes every instant in the city's clock, whatever the browser's time zone
// (this machine runs in UTC, so a formatter that used the browser's zone would fail here).
import { describe, expect, it } from 'vitest';
import { cityDay, cityMonthRange, fmtMonth, fmtTime } from '../web/src/time.js';

describe('times people read in the web app', () => {
  it('are in Beijing time, not the browser zone, and carry no ISO or seconds', () => {
    expect(fmtTime('2026-12-04T10:00:00.000Z')).toBe('2026/12/04 18:00');
    expect(fmtTime('2026-12-31T16:30:00Z')).toBe('2027/01/01 00:30');
    expect(fmtTime(null)).toBe('—');
  });

  it('count days and months in the city clock, and write months in words', () => {
    // 23:30 on 30 November in UTC is already 1 December in Beijing.
    expect(cityDay('2026-11-30T23:30:00Z')).toBe('2026-12-01');
    expect(cityDay(new Date('2026-11-30T15:59:00Z'))).toBe('2026-11-30');
    expect(cityMonthRange('2026-12')).toEqual({ from: '2026-11-30T16:00:00.000Z', to: '2026-12-31T16:00:00.000Z' });
    expect(fmtMonth('2026-03')).toBe('2026年3月');
    expect(fmtMonth('2026-03', 'en')).toBe('March 2026');
  });
});
