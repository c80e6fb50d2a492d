// Deadlines of an order (GET /workorders/{id}/deadlines): the running one as a countdown in
// working time, yellow once the warning time has passed, red when overdue.
import { useEffect, useState } from 'react';
import { Space, Tag, Tooltip, Typography } from 'antd';
import { ClockCircleOutlined } from '@ant-design/icons';
import { get } from '../api';
import { useI18n, type T } from '../i18n';
import { fmtTime } from '../time';
import { workingSpan } from './workingTime';
import { calendarLabel, type CalendarYearInfo } from './CalendarSource';

export interface DeadlineView {
  /** The clocks src/sla/deadlines.ts keeps (its KINDS). */
  kind: 'sign' | 'reply';
  /** `paused`: the order is suspended (挂起), the clock stands still. */
  state: 'running' | 'met' | 'suspended' | 'cleared' | 'paused';
  cycle: number;
  unitId: number | null;
  duration: { unit: 'hours' | 'days'; amount: number };
  extensionDays: number;
  startedAt: string;
  dueAt: string;
  warnAt: string;
  metAt: string | null;
  level: string; // green, yellow or red
  onTime: boolean | null;
  remainingWorkingHours: number | null;
  /** Hours in the calendar's working day (absent from older servers: 8). */
  workingDayHours?: number;
  /** The calendar of each year the deadline spans (absent from older servers). */
  calendars?: CalendarYearInfo[];
  /** Working time the deadline moved by for suspensions, and each suspension's reason. */
  suspendedWorkingMs?: number;
  suspensions?: { from: string; to: string; workingMs: number; reason: string | null }[];
}

const COLORS: Record<string, string> = { green: 'green', yellow: 'gold', red: 'red' };

export function remainingText(d: DeadlineView, t: T): string {
  const h = d.remainingWorkingHours;
  if (d.state !== 'running') return d.state === 'met' ? (d.onTime === false ? t('deadline.metLate') : t('deadline.met')) : t(`deadline.${d.state}`);
  if (h == null) return fmtTime(d.dueAt);
  const span = workingSpan(h, d.workingDayHours);
  const text = span.minutes
    ? t('deadline.minutes', { m: span.minutes })
    : [span.days ? `${span.days}${t(span.days === 1 ? 'deadline.day' : 'deadline.days')}` : '', span.hours ? `${span.hours}h` : ''].filter(Boolean).join(' ');
  return t(h <= 0 || d.level === 'red' ? 'deadline.overdue' : 'deadline.left', { h: text });
}

export function DeadlineTag({ d }: { d: DeadlineView }) {
  const { t, lang } = useI18n();
  const color = d.state === 'running' ? (COLORS[d.level] ?? 'default') : d.state === 'paused' ? 'magenta' : d.onTime === false ? 'orange' : 'default';
  // Which calendar it was counted on, e.g. 日历 2027：管理员导入通知（2026/12/03）.
  const cals = (d.calendars ?? []).map((c) => `${t('cal.deadline')} ${c.year}：${calendarLabel(c, t, lang)}`);
  return (
    <Tooltip title={[`${t(`deadline.${d.kind}`)} · ${t('deadline.due')} ${fmtTime(d.dueAt)}`, ...cals].join(' · ')}>
      <Tag color={color} icon={<ClockCircleOutlined />} data-level={d.state === 'running' ? d.level : d.state}>
        {t(`deadline.${d.kind}`)} {remainingText(d, t)}
      </Tag>
    </Tooltip>
  );
}

export function useDeadlines(orderId: number, refreshKey: unknown = 0) {
  const [items, setItems] = useState<DeadlineView[] | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      get<{ items: DeadlineView[] }>(`/workorders/${orderId}/deadlines`)
        .then((r) => live && setItems(r.items))
        .catch(() => live && setItems([]));
    void load();
    const h = setInterval(() => void load(), 60_000);
    return () => {
      live = false;
      clearInterval(h);
    };
  }, [orderId, refreshKey]);
  return items;
}

/** The running deadline (or the latest one) of an order, for a table cell. */
export function DeadlineCell({ orderId, version }: { orderId: number; version: number }) {
  const items = useDeadlines(orderId, version);
  if (!items) return <Typography.Text type="secondary">…</Typography.Text>;
  // A suspended order's deadlines stand still: shown as such, not as gone.
  const running = items.filter((d) => d.state === 'running' || d.state === 'paused');
  if (!running.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space size={2} wrap>
      {running.map((d) => (
        <DeadlineTag key={d.kind + d.cycle} d={d} />
      ))}
    </Space>
  );
}
