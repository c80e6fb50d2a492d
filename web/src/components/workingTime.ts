// Working hours left (or overdue) as people say them: whole working days of the calendar's
// length and the hours beyond, hours under a day, minutes under an hour.

export interface WorkingSpan {
  days: number;
  hours: number;
  minutes: number;
}

/** |h| working hours split by a working day of `dayHours` (hours to the half hour; minutes only under an hour). */
export function workingSpan(h: number, dayHours = 8): WorkingSpan {
  const abs = Math.abs(h);
  if (abs < 1) return { days: 0, hours: 0, minutes: Math.max(1, Math.round(abs * 60)) };
  const days = Math.floor(abs / dayHours + 1e-9);
  const hours = Math.round((abs - days * dayHours) * 2) / 2;
  // Rounding may make a whole day of the rest (7.4 h of a 7.5-hour day).
  return hours >= dayHours ? { days: days + 1, hours: 0, minutes: 0 } : { days, hours, minutes: 0 };
}
