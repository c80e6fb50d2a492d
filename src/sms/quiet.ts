// Quiet hours (免打扰时段): citizen messages other than receipts wait until they end. The
// setting is `from-to` in whole hours of the city's clock (22-8: 22:00 to 08:00); an empty
// value means none.
import { ConfigError, setting } from '../core/config.js';

export interface QuietHours {
  from: number;
  to: number;
}

export function quietHoursFromSettings(env: NodeJS.ProcessEnv = process.env): QuietHours | null {
  // Set but empty: none (an unset variable takes the default).
  const raw = env.JIESU_SMS_QUIET_HOURS !== undefined && env.JIESU_SMS_QUIET_HOURS.trim() === '' ? '' : setting('JIESU_SMS_QUIET_HOURS', env).trim();
  if (raw === '' || /^(none|off)$/i.test(raw)) return null;
  const m = /^(\d{1,2})\s*-\s*(\d{1,2})$/.exec(raw);
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from > 23 || to > 24 || from === to)
    throw new ConfigError(
      `配置项 JIESU_SMS_QUIET_HOURS 的值 "${raw}" 无效：须为「起-止」小时，如 22-8 (JIESU_SMS_QUIET_HOURS must be from-to hours, e.g. 22-8)`,
    );
  return { from, to: to % 24 };
}

/** The wall-clock time of `at` in the time zone, as if it were UTC (for arithmetic on local hours). */
function wallClock(at: Date, timeZone: string): Date {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return new Date(Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!));
}

/** When the quiet hours around `at` end, or null when `at` is outside them. */
export function quietUntil(q: QuietHours | null, at: Date, timeZone: string): Date | null {
  if (!q) return null;
  const local = wallClock(at, timeZone);
  const h = local.getUTCHours() + local.getUTCMinutes() / 60;
  const quiet = q.from < q.to ? h >= q.from && h < q.to : h >= q.from || h < q.to;
  if (!quiet) return null;
  const offset = local.getTime() - Math.floor(at.getTime() / 1000) * 1000;
  const end = new Date(local);
  end.setUTCHours(q.to, 0, 0, 0);
  if (end.getTime() <= local.getTime()) end.setUTCDate(end.getUTCDate() + 1);
  return new Date(end.getTime() - offset);
}
