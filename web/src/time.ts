// Times as people at the center read them: in the city's clock, whatever the browser's own time
// zone, written as people write them (2026/12/04 18:00).
/** The city's time zone (the server's `timeZone`); orders are numbered and counted in it. */
export const CITY_TIME_ZONE = 'Asia/Shanghai';

const formatter = new Intl.DateTimeFormat('zh-CN', {
  timeZone: CITY_TIME_ZONE,
  hour12: false,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

export const fmtTime = (s: string | null | undefined) => (s ? formatter.format(new Date(s)) : '—');

const dayFormatter = new Intl.DateTimeFormat('en-CA', { timeZone: CITY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The day (YYYY-MM-DD) an instant falls on in the city's clock; now by default. */
export const cityDay = (at: Date | string = new Date()) => dayFormatter.format(new Date(at));

/** The instant a day (YYYY-MM-DD) of the city's clock begins (Asia/Shanghai keeps UTC+8 all year). */
export const cityDayStart = (day: string) => new Date(`${day}T00:00:00+08:00`).toISOString();

/** The first instants of a month (YYYY-MM) of the city's clock and of the month after it. */
export function cityMonthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
  return { from: cityDayStart(`${month}-01`), to: cityDayStart(`${next}-01`) };
}

/** A month (YYYY-MM) as people write it: 2026年11月, or November 2026. */
export function fmtMonth(month: string, lang: 'zh' | 'en' = 'zh'): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  if (lang === 'zh') return `${y}年${m}月`;
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', year: 'numeric', month: 'long' }).format(new Date(Date.UTC(y, m - 1, 1)));
}
