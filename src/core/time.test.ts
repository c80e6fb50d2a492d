import { describe, expect, it } from 'vitest';
import { cityDate, cityDateTime, cityTimeText } from './time.js';

describe('times as people read them', () => {
  it('writes a UTC instant in the city clock', () => {
    const at = '2026-12-04T10:00:00.000Z'; // 18:00 in Beijing
    expect(cityDateTime(at)).toBe('2026-12-04 18:00');
    expect(cityTimeText(at)).toBe('2026年12月4日 18:00');
    expect(cityTimeText(at, 'en')).toBe('4 Dec 2026 18:00');
    expect(cityDate('2026-12-31T16:30:00Z')).toBe('2027-01-01'); // past midnight in the city
    expect(cityDateTime('2026-12-31T16:00:00Z')).toBe('2027-01-01 00:00'); // h23: never "24:00"
    expect(cityDateTime(at, 'Europe/Berlin')).toBe('2026-12-04 11:00');
  });
});
