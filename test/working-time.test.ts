// How the web app reads working hours left: days of the calendar's own length, then hours, then minutes.
import { describe, expect, it } from 'vitest';
import { workingSpan } from '../web/src/components/workingTime.js';

describe('workingSpan', () => {
  it("counts working days of the calendar's length, not of 8 hours", () => {
    expect(workingSpan(15, 7.5)).toEqual({ days: 2, hours: 0, minutes: 0 });
    expect(workingSpan(36.5, 7.5)).toEqual({ days: 4, hours: 6.5, minutes: 0 });
    expect(workingSpan(-9, 7.5)).toEqual({ days: 1, hours: 1.5, minutes: 0 });
    expect(workingSpan(22.4, 7.5)).toEqual({ days: 3, hours: 0, minutes: 0 }); // 7.4 h rounds to a whole day
  });

  it('gives minutes under an hour, never "0h"', () => {
    expect(workingSpan(-0.02, 7.5)).toEqual({ days: 0, hours: 0, minutes: 1 });
    expect(workingSpan(0.75, 7.5)).toEqual({ days: 0, hours: 0, minutes: 45 });
    expect(workingSpan(3.26, 7.5)).toEqual({ days: 0, hours: 3.5, minutes: 0 });
  });
});
