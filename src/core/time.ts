// Times as people read them: in the city's clock (AppConfig.timeZone), written the way a
// Chinese office writes them. Every message, notification and export goes through these;
// JSON fields meant for programs stay ISO 8601.
import { defaultConfig } from './context.js';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, withYear: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withYear}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      ...(withYear ? { year: 'numeric' } : {}),
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(key, f);
  }
  return f;
}

function parts(at: Date | string | number, timeZone: string, withYear: boolean) {
  const p: Record<string, string> = {};
  for (const { type, value } of formatter(timeZone, withYear).formatToParts(new Date(at))) p[type] = value;
  return p;
}

/** 2026-12-04 18:00 in the city's clock: for tables, Excel and CSV cells. */
export function cityDateTime(at: Date | string | number, timeZone = defaultConfig.timeZone): string {
  const p = parts(at, timeZone, true);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** 2026-12-04 in the city's clock. */
export const cityDate = (at: Date | string | number, timeZone = defaultConfig.timeZone) => cityDateTime(at, timeZone).slice(0, 10);

/** A time in running text: 「2026年12月4日 18:00」 in Chinese, "4 Dec 2026 18:00" in English. */
export function cityTimeText(at: Date | string | number, lang: 'zh-CN' | 'en' = 'zh-CN', timeZone = defaultConfig.timeZone): string {
  const p = parts(at, timeZone, true);
  if (lang === 'en') {
    const month = new Date(Date.UTC(2000, Number(p.month) - 1, 1)).toLocaleString('en', { month: 'short', timeZone: 'UTC' });
    return `${Number(p.day)} ${month} ${p.year} ${p.hour}:${p.minute}`;
  }
  return `${p.year}年${Number(p.month)}月${Number(p.day)}日 ${p.hour}:${p.minute}`;
}
