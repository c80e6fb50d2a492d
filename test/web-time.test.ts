// The web app writes every instant in the city's clock, whatever the browser's time zone
// (this machine runs in UTC, so a formatter that used the browser's zone would fail here).
import { describe, expect, it } from 'vitest';
import { fmtTime } from '../web/src/time.js';

describe('times people read in the web app', () => {
  it('are in Beijing time, not the browser zone, and carry no ISO or seconds', () => {
    expect(fmtTime('2026-12-04T10:00:00.000Z')).toBe('2026/12/04 18:00');
    expect(fmtTime('2026-12-31T16:30:00Z')).toBe('2027/01/01 00:30');
    expect(fmtTime(null)).toBe('—');
  });
});
