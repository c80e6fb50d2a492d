// Which calendar a year is counted on (an administrator's, the built-in data, or weekends only),
// in words, and the warning shown while this year's or (from 1 October) next year's calendar
// knows only weekends (GET /sla/calendar/status).
import { useEffect, useState } from 'react';
import { Alert } from 'antd';
import { get } from '../api';
import { useI18n, type Lang, type T } from '../i18n';
import { Link } from '../router';
import { CITY_TIME_ZONE } from '../time';

export interface CalendarYearInfo {
  year: number;
  source: 'admin' | 'chinese-days' | 'weekends-only';
  origin?: 'notice' | 'edit' | 'replace';
  noticeTitle?: string | null;
  setAt?: string;
  changedAt?: string;
  builtinVersion: string;
  builtinCovered: boolean;
}
export interface CalendarStatus {
  today: string;
  year: number;
  nextYear: number;
  years: CalendarYearInfo[];
  missing: number[];
  warn: boolean;
}

/** A calendar date (YYYY-MM-DD) as people write it: 2月6日周六 / Sat, Feb 6. */
export function fmtDay(date: string, lang: Lang, withYear = false): string {
  return new Date(date + 'T00:00:00Z').toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-US', {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    ...(withYear ? { year: 'numeric' } : {}),
  });
}
/** The date of an instant, in the city's clock: 2026/12/03. */
export const fmtDate = (iso: string, lang: Lang) =>
  new Date(iso).toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-US', { timeZone: CITY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** "管理员导入通知（2026/12/03）", "内置数据 chinese-days 1.5.7", "仅周末（未收录节假日）". */
export function calendarLabel(c: CalendarYearInfo, t: T, lang: Lang): string {
  if (c.source === 'admin') return t(`cal.src.admin.${c.origin ?? 'edit'}`, { date: fmtDate(c.changedAt ?? c.setAt ?? '', lang) });
  if (c.source === 'chinese-days') return t('cal.src.builtin', { v: c.builtinVersion });
  return t('cal.src.weekends');
}

/** The warning while a coming year's calendar is missing; admins get the link to the calendar page. */
export function CalendarWarning({ admin = false }: { admin?: boolean }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<CalendarStatus | null>(null);
  useEffect(() => {
    get<CalendarStatus>('/sla/calendar/status')
      .then(setStatus)
      .catch(() => setStatus(null));
  }, []);
  if (!status?.warn) return null;
  const years = status.missing.join('、');
  return (
    <Alert
      type="warning"
      showIcon
      role="alert"
      data-testid="calendar-missing"
      style={{ marginBottom: 12 }}
      message={t('cal.missing', { years })}
      description={
        <>
          {t('cal.missingHint')}
          {admin && (
            <>
              {' '}
              <Link to="/admin/time-limits">{t('cal.goImport')}</Link>
            </>
          )}
        </>
      }
    />
  );
}
