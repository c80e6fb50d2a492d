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
