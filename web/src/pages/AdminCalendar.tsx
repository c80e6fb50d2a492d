// The working calendar of one year as twelve months: an administrator clicks a day to make it a
// day off or a working day (with the reason), sees where the year's days come from, and pastes the
// State Council's notice (粘贴通知导入): parsed, shown for confirmation, then saved. Each save says
// how many open orders' deadlines moved.
import { useCallback, useEffect, useMemo, useState, type CSSProperties } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Form, Input, Modal, Radio, Row, Space, Table, Tag, Typography } from 'antd';
import { FileTextOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { ApiError, get, patch, post } from '../api';
import { useI18n, type Lang, type T } from '../i18n';
import { useActionError } from '../components/OrderActions';
import { calendarLabel, fmtDay, type CalendarYearInfo } from '../components/CalendarSource';

interface CalDay {
  date: string;
  kind: 'workday' | 'holiday';
  name: string | null;
  source: 'official' | 'local';
  reason?: string;
}
interface CalYear {
  year: number;
  periods: { start: string; end: string }[];
  workingDays: number;
  days: CalDay[];
  officialCovered: boolean;
  officialYears: [number, number];
  calendar: CalendarYearInfo;
}
interface NoticeDay {
  date: string;
  name: string;
}
interface StoredDay {
  day: string;
  kind: string;
  name: string | null;
}
interface NoticePreview {
  year: number;
  title: string | null;
  holidays: NoticeDay[];
  workdays: NoticeDay[];
  notes: string[];
  items: { line: number; names: string; holidays: string[]; workdays: string[] }[];
  kept: StoredDay[];
  overridden: StoredDay[];
  changes: { date: string }[];
  moved: number;
  recomputed: number;
  saved: boolean;
}
interface Saved {
  moved: number;
  recomputed: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
const isWeekend = (date: string) => [0, 6].includes(new Date(date + 'T00:00:00Z').getUTCDay());
const working = (date: string, d: CalDay | undefined) => (d ? d.kind === 'workday' : !isWeekend(date));

const CELL: CSSProperties = {
  width: '100%',
  minHeight: 34,
  padding: '2px 0',
  border: '1px solid transparent',
  borderRadius: 4,
  background: 'transparent',
  cursor: 'pointer',
  lineHeight: 1.1,
  fontSize: 13,
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  justifyContent: 'center',
};
const OFF: CSSProperties = { background: '#fff1f0', borderColor: '#ffa39e', color: '#cf1322' };
const ON: CSSProperties = { background: '#e6f4ff', borderColor: '#91caff', color: '#0958d9' };
const WEEKEND: CSSProperties = { color: '#8c8c8c' };

function MonthGrid({
  year,
  month,
  days,
  onPick,
  t,
  lang,
}: {
  year: number;
  month: number;
  days: Map<string, CalDay>;
  onPick: (date: string) => void;
  t: T;
  lang: Lang;
}) {
  const count = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const lead = (new Date(Date.UTC(year, month, 1)).getUTCDay() + 6) % 7; // Monday first
  const title = new Date(Date.UTC(year, month, 1)).toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-US', { timeZone: 'UTC', month: 'long' });
  const cells: (string | null)[] = [...Array<null>(lead).fill(null), ...Array.from({ length: count }, (_, i) => `${year}-${pad(month + 1)}-${pad(i + 1)}`)];
  return (
    <div data-testid={`month-${month + 1}`} style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: 8 }}>
      <Typography.Text strong>{title}</Typography.Text>
      <div role="grid" aria-label={title} style={{ display: 'grid', gridTemplateColumns: 'repeat(7, 1fr)', gap: 2, marginTop: 4 }}>
        {t('cal.weekdays')
          .split(',')
          .map((w) => (
            <div key={w} role="columnheader" style={{ textAlign: 'center', fontSize: 12, color: '#8c8c8c' }}>
              {w}
            </div>
          ))}
        {cells.map((date, i) => {
          if (!date) return <div key={`x${i}`} />;
          const d = days.get(date);
          const on = working(date, d);
          const style = { ...CELL, ...(d && !on ? OFF : d && on && isWeekend(date) ? ON : !d && isWeekend(date) ? WEEKEND : {}) };
          const state = on ? t('cal.working') : t('cal.off');
          const label = `${fmtDay(date, lang, true)} ${state}${d?.name ? ` ${d.name}` : ''}`;
          return (
            <button
              key={date}
              type="button"
              style={style}
              data-date={date}
              data-working={on}
              aria-label={label}
              title={[label, d?.reason].filter(Boolean).join(' · ')}
              onClick={() => onPick(date)}
            >
              <span>{Number(date.slice(8))}</span>
              {d && <span style={{ fontSize: 10 }}>{on ? t('cal.badge.on') : t('cal.badge.off')}</span>}
            </button>
          );
        })}
      </div>
    </div>
  );
}

/** One day off or on, with the reason (PATCH /sla/calendar/{year}/days/{date}). */
function DayDialog({
  year,
  date,
  day,
  onClose,
  onSaved,
}: {
  year: number;
  date: string;
  day: CalDay | undefined;
  onClose: () => void;
  onSaved: (r: Saved) => void;
}) {
  const { t, lang } = useI18n();
  const showError = useActionError();
  const [form] = Form.useForm<{ working: boolean; name?: string; reason: string }>();
  const [busy, setBusy] = useState(false);
  const now = working(date, day);
  const save = async (v: { working: boolean; name?: string; reason: string }) => {
    setBusy(true);
    try {
      onSaved(await patch<Saved>(`/sla/calendar/${year}/days/${date}`, { working: v.working, name: v.name?.trim() || null, reason: v.reason.trim() }));
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('cal.dayTitle', { date: fmtDay(date, lang, true) })}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={busy}
      okText={t('action.ok')}
      cancelText={t('action.cancel')}
      destroyOnHidden
    >
      <Typography.Paragraph>
        {t('cal.dayNow', { state: now ? t('cal.working') : t('cal.off'), name: day?.name ? `（${day.name}）` : '' })}
        {day?.reason && <Typography.Text type="secondary"> · {day.reason}</Typography.Text>}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => void save(v)} initialValues={{ working: !now, name: day?.name ?? '', reason: '' }}>
        <Form.Item name="working" label={t('cal.makeAs')}>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            options={[
              { value: false, label: t('cal.makeOff') },
              { value: true, label: t('cal.makeOn') },
            ]}
          />
        </Form.Item>
        <Form.Item name="name" label={t('cal.name')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="reason" label={t('cal.reason')} rules={[{ required: true, whitespace: true, message: t('cal.reasonRequired') }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function span(dates: string[], t: T, lang: Lang) {
  if (!dates.length) return '—';
  if (dates.length === 1) return fmtDay(dates[0]!, lang);
  return t('cal.range', { from: fmtDay(dates[0]!, lang), to: fmtDay(dates[dates.length - 1]!, lang), n: dates.length });
}

/** 粘贴通知导入: the notice's text, its days for confirmation (parse-notice), then the import. */
function NoticeDialog({ year, open, onClose, onSaved }: { year: number; open: boolean; onClose: () => void; onSaved: (r: Saved) => void }) {
  const { t, lang } = useI18n();
  const showError = useActionError();
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<NoticePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!open) {
      setPreview(null);
      setError(null);
    }
  }, [open]);
  const parse = async () => {
    setBusy(true);
    setError(null);
    try {
      setPreview(await post<NoticePreview>(`/sla/calendar/${year}/parse-notice`, { text }));
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) setError(e.message);
      else showError(e);
    } finally {
      setBusy(false);
    }
  };
  const confirm = async () => {
    setBusy(true);
    try {
      onSaved(await post<NoticePreview>(`/sla/calendar/${year}/import-notice`, { text }));
      setText('');
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  const footer = preview
    ? [
        <Button key="b" onClick={() => setPreview(null)}>
          {t('cal.back')}
        </Button>,
        <Button key="c" type="primary" loading={busy} onClick={() => void confirm()}>
          {t('cal.confirm')}
        </Button>,
      ]
    : [
        <Button key="x" onClick={onClose}>
          {t('action.cancel')}
        </Button>,
        <Button key="p" type="primary" loading={busy} disabled={!text.trim()} onClick={() => void parse()}>
          {t('cal.parse')}
        </Button>,
      ];
  return (
    <Modal open={open} width={760} title={t('cal.noticeTitle', { year })} onCancel={onClose} footer={footer} destroyOnHidden>
      {!preview ? (
        <>
          <Typography.Paragraph type="secondary">{t('cal.noticeHint', { year })}</Typography.Paragraph>
          <Input.TextArea
            aria-label={t('cal.noticeText')}
            rows={12}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={`国务院办公厅关于${year}年部分节假日安排的通知\n……\n一、元旦：1月1日（周五）放假……`}
          />
          {error && <Alert type="error" showIcon role="alert" style={{ marginTop: 12 }} message={t('cal.parseFailed')} description={error} />}
        </>
      ) : (
        <>
          {preview.title && <Typography.Title level={5}>{preview.title}</Typography.Title>}
          <Table
            size="small"
            pagination={false}
            rowKey="line"
            dataSource={preview.items}
            columns={[
              { title: t('cal.festival'), dataIndex: 'names' },
              { title: t('cal.daysOff'), key: 'h', render: (_, i) => span(i.holidays, t, lang) },
              { title: t('cal.workdays'), key: 'w', render: (_, i) => (i.workdays.length ? i.workdays.map((d) => fmtDay(d, lang)).join('、') : '—') },
            ]}
          />
          {preview.notes.map((n) => (
            <Alert key={n} type="info" style={{ marginTop: 8 }} message={`${t('cal.note')}：${n}`} />
          ))}
          {preview.kept.length > 0 && (
            <Typography.Paragraph style={{ marginTop: 8 }}>
              {t('cal.kept', { days: preview.kept.map((d) => `${fmtDay(d.day, lang)} ${d.name ?? ''}`.trim()).join('、') })}
            </Typography.Paragraph>
          )}
          {preview.overridden.length > 0 && (
            <Alert
              type="warning"
              style={{ marginTop: 8 }}
              message={t('cal.overridden', { days: preview.overridden.map((d) => fmtDay(d.day, lang)).join('、') })}
            />
          )}
          <Alert
            type="success"
            showIcon
            style={{ marginTop: 12 }}
            data-testid="notice-summary"
            message={t('cal.previewSummary', { h: preview.holidays.length, w: preview.workdays.length, c: preview.changes.length, moved: preview.moved })}
          />
        </>
      )}
    </Modal>
  );
}

/** The calendar card of the time-limits page. */
export function CalendarCard() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [year, setYear] = useState(() => new Date().getFullYear());
  const [cal, setCal] = useState<CalYear | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [noticeOpen, setNoticeOpen] = useState(false);
  const load = useCallback(
    () =>
      get<CalYear>(`/sla/calendar/${year}`)
        .then(setCal)
        .catch(() => setCal(null)),
    [year],
  );
  useEffect(() => void load(), [load]);
  const days = useMemo(() => new Map((cal?.year === year ? cal.days : []).map((d) => [d.date, d])), [cal, year]);
  const saved = (r: Saved) => {
    message.success(t('cal.saved', { moved: r.moved, n: r.recomputed }));
    setPicked(null);
    setNoticeOpen(false);
    void load();
  };
  const source = cal?.calendar;
  return (
    <Card
      size="small"
      title={t('admin.calendar', { year })}
      extra={
        <Space>
          <Button icon={<FileTextOutlined />} onClick={() => setNoticeOpen(true)}>
            {t('cal.paste')}
          </Button>
          <DatePicker picker="year" aria-label={t('cal.year')} allowClear={false} value={dayjs(`${year}-01-01`)} onChange={(d) => d && setYear(d.year())} />
        </Space>
      }
    >
      {cal && source && cal.year === year && (
        <>
          {source.source === 'weekends-only' && (
            <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t('cal.uncovered', { year, last: cal.officialYears[1] })} />
          )}
          <Typography.Paragraph>
            {t('cal.source')}：
            <Tag data-testid="calendar-source" color={source.source === 'admin' ? 'blue' : source.source === 'chinese-days' ? 'green' : 'orange'}>
              {calendarLabel(source, t, lang)}
            </Tag>
            {source.noticeTitle && <Typography.Text type="secondary">{source.noticeTitle}</Typography.Text>}
            <br />
            {t('admin.workingDays', { n: cal.workingDays })} · {t('admin.periods')}：{cal.periods.map((p) => `${p.start}–${p.end}`).join('，')}
          </Typography.Paragraph>
          {source.source === 'admin' && source.builtinCovered && (
            <Typography.Paragraph type="secondary">{t('cal.builtinIgnored', { v: source.builtinVersion })}</Typography.Paragraph>
          )}
          <Space wrap style={{ marginBottom: 8 }}>
            <Tag style={OFF}>
              {t('cal.badge.off')} {t('cal.off')}
            </Tag>
            <Tag style={ON}>
              {t('cal.badge.on')} {t('cal.legend.on')}
            </Tag>
            <Tag style={WEEKEND}>{t('cal.legend.weekend')}</Tag>
            <Typography.Text type="secondary">{t('cal.clickHint')}</Typography.Text>
          </Space>
          <Row gutter={[12, 12]}>
            {Array.from({ length: 12 }, (_, m) => (
              <Col key={m} xs={24} sm={12} lg={8} xxl={6}>
                <MonthGrid year={year} month={m} days={days} onPick={setPicked} t={t} lang={lang} />
              </Col>
            ))}
          </Row>
        </>
      )}
      {picked && <DayDialog year={year} date={picked} day={days.get(picked)} onClose={() => setPicked(null)} onSaved={saved} />}
      <NoticeDialog year={year} open={noticeOpen} onClose={() => setNoticeOpen(false)} onSaved={saved} />
    </Card>
  );
}
