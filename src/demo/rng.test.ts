import { describe, expect, it } from 'vitest';
import { isoTime, Rng } from './rng.js';

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
