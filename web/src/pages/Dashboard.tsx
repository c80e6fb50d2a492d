// The supervisor's dashboard with the real figures: today's calls, the month's orders, answer
// rate, service level and satisfaction (GET /kpi/summary: the one definition of each measure,
// docs/MEASURES.md, the same as the Excel report and open data), overdue orders, the top
// categories by name, the units' ranking for a month with rank change, hot topics; every number
// opens the list behind it, by order number, status in words and time in the city's clock. The
// month picker offers the months that have data (GET /kpi/months), the latest first. A warning
// while this year's or (from 1 October) next year's holiday calendar is missing.
import { useCallback, useEffect, useState, type CSSProperties, type ReactNode } from 'react';
import { Button, Card, Col, Modal, Row, Segmented, Select, Space, Spin, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DownloadOutlined, FireOutlined } from '@ant-design/icons';
import { get, getBlob } from '../api';
import { useI18n, type KeySuffix } from '../i18n';
import { Link } from '../router';
import { Chart } from '../components/Chart';
import { CalendarWarning } from '../components/CalendarSource';
import { useSession } from '../session';
import { useActionError } from '../components/OrderActions';
import { StatusTag } from '../components/OrderTable';
import { cityDay, cityDayStart, cityMonthRange, fmtMonth, fmtTime } from '../time';
import { DispatchAccuracy } from '../components/DispatchAccuracy';
import { HeatPanel } from '../components/HeatPanel';
import type { Status } from '../types';

/** A unit's counted measure (GET /kpi/orders?measure=), each with its label in i18n.tsx. */
type Measure = KeySuffix<'measure'>;

interface StatsRow {
  key: string;
  offered: number;
  answered: number;
  /** answered / offered of the day: the summary's answer rate, day by day. */
  answerRate: number | null;
  contacts: number;
}
interface Stats {
  rows: StatsRow[];
  totals: StatsRow;
}
/** GET /kpi/summary: the city's month (src/kpi/month.ts). */
interface Summary {
  month: string;
  orders: { orders: number; complaints: number; answeredDirectly: number; closedSoFar: number };
  satisfactionRate: number | null;
  resolutionRate: number | null;
  surveyed: number;
  calls: {
    offered: number;
    answered: number;
    answerRate: number | null;
    serviceLevel: { seconds: number; rate: number | null };
    contacts: number;
    effectiveCalls: number;
  };
  topCategories: { code: string | null; name: string; orders: number }[];
}
interface Ranked {
  unitId: number;
  unitName: string;
  counts: Record<string, number>;
  responseRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  onTimeReplyRate: number | null;
  returnRate: number | null;
  coReplyOnTimeRate?: number | null;
  score: number | null;
  rank: number | null;
  previousRank: number | null;
  rankChange: number | null;
}
interface SlaItem {
  orderId: number;
  number: string;
  title: string;
  status: Status;
  kind: string;
  unitId: number | null;
  dueAt: string;
}
/** An order as a hot topic lists it (src/duplicates/hotspots.ts). */
interface HotOrder {
  workorderId: number;
  number: string;
  title: string;
  status: Status;
  createdAt: string;
  unitName: string | null;
}
interface Hot {
  /** The title of its most representative order. */
  name?: string;
  size: number;
  words: string[];
  trend: { day: string; count: number }[];
  areas: { name: string | null; count: number }[];
  spike: { alert: boolean; lastDayCount: number; usualPerDay: number };
  orders: HotOrder[];
}
interface DrillRow {
  id: number;
  number: string;
  title: string;
  status: Status;
  at: string;
  /** The main unit by name, where the list says it (hot topics). */
  unit?: string | null;
}
type TimeColumn = 'dash.at' | 'dash.dueAt' | 'field.createdAt';

const KINDS = ['district', 'bureau', 'utility', 'subdistrict'] as const;
const pct = (x: number | null | undefined, d = 1) => (x == null ? '—' : `${(x * 100).toFixed(d)}%`);
/** One line, cut with an ellipsis: a card never grows taller than the others for a long word. */
const oneLine: CSSProperties = { display: 'block', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' };

/** A number that opens the list behind it. */
function Opens({ children, onOpen, label }: { children: ReactNode; onOpen: () => void; label: string }) {
  return (
    <a
      href="#"
      role="button"
      aria-label={label}
      onClick={(e) => {
        e.preventDefault();
        onOpen();
      }}
    >
      {children}
    </a>
  );
}

/** A figure card: its title, the figure, one line of context; all cards of a row are as tall as each other. */
function StatCard({ title, value, note, testId }: { title: string; value: ReactNode; note?: string; testId: string }) {
  return (
    <Card size="small" data-testid={testId} className="stat-card" style={{ height: '100%' }}>
      <Statistic
        title={
          <span style={oneLine} title={title}>
            {title}
          </span>
        }
        valueRender={() => <span style={{ ...oneLine, fontSize: 24 }}>{value}</span>}
      />
      <Typography.Text type="secondary" style={{ ...oneLine, fontSize: 12 }} title={note}>
        {note ?? '\u00a0'}
      </Typography.Text>
    </Card>
  );
}

export function Dashboard() {
  const { t, lang } = useI18n();
  const { hasRole } = useSession();
  const showError = useActionError();
  // The months that have data, oldest first; the picker lists them newest first.
  const [months, setMonths] = useState<string[] | null>(null);
  const [month, setMonth] = useState<string | null>(null);
  const [kind, setKind] = useState<(typeof KINDS)[number]>('district');
  const [summary, setSummary] = useState<Summary | null>(null);
  const [stats, setStats] = useState<Stats | null>(null);
  const [today, setToday] = useState<StatsRow | null>(null);
  const [ranks, setRanks] = useState<Ranked[] | null>(null);
  const [red, setRed] = useState<SlaItem[]>([]);
  const [yellow, setYellow] = useState<SlaItem[]>([]);
  const [hot, setHot] = useState<Hot[]>([]);
  const [drill, setDrill] = useState<{ title: string; rows: DrillRow[]; total: number; loading: boolean; time: TimeColumn } | null>(null);

  useEffect(() => {
    get<{ months: string[]; latest: string | null }>('/kpi/months')
      .then((d) => {
        setMonths(d.months);
        setMonth(d.latest);
      })
      .catch((e) => {
        setMonths([]);
        showError(e);
      });
  }, [showError]);
  // Summary in the reader's language: the top categories' "uncategorised" is a word.
  useEffect(() => {
    if (!month) return;
    setSummary(null);
    setStats(null);
    get<Summary>('/kpi/summary', { month }).then(setSummary).catch(showError);
    get<Stats>('/callcenter/stats', { ...cityMonthRange(month), groupBy: 'day' })
      .then(setStats)
      .catch(showError);
  }, [month, lang, showError]);
  useEffect(() => {
    if (!month) return;
    setRanks(null);
    get<{ items: Ranked[] }>('/kpi/rankings', { month, kind })
      .then((d) => setRanks(d.items))
      .catch((e) => {
        setRanks([]);
        showError(e);
      });
  }, [month, kind, showError]);
  useEffect(() => {
    const day = cityDay();
    const from = cityDayStart(day);
    get<Stats>('/callcenter/stats', { from, to: new Date(new Date(from).getTime() + 86400_000).toISOString(), groupBy: 'none' })
      .then((d) => setToday(d.totals))
      .catch(() => setToday(null));
    get<{ items: SlaItem[] }>('/sla/orders', { level: 'red', limit: 500 })
      .then((d) => setRed(d.items))
      .catch(() => undefined);
    get<{ items: SlaItem[] }>('/sla/orders', { level: 'yellow', limit: 500 })
      .then((d) => setYellow(d.items))
      .catch(() => undefined);
    get<{ items: Hot[] }>('/hotspots', { limit: 8 })
      .then((d) => setHot(d.items))
      .catch(() => undefined);
  }, []);

  const monthWords = month ? fmtMonth(month, lang) : '—';
  const showList = (title: string, rows: DrillRow[], time: TimeColumn) => setDrill({ title, rows, total: rows.length, loading: false, time });
  const drillKpi = useCallback(
    async (u: Ranked, measure: Measure) => {
      if (!month) return;
      const title = `${u.unitName} · ${t(`measure.${measure}`)} · ${fmtMonth(month, lang)}`;
      setDrill({ title, rows: [], total: 0, loading: true, time: 'dash.at' });
      try {
        const d = await get<{ total: number; items: DrillRow[] }>('/kpi/orders', { month, unitId: u.unitId, measure, limit: 500 });
        setDrill({ title, rows: d.items, total: d.total, loading: false, time: 'dash.at' });
      } catch (e) {
        setDrill(null);
        showError(e);
      }
    },
    [month, lang, t, showError],
  );

  const download = async () => {
    if (!month) return;
    try {
      // In the app's language: api.ts sends it as Accept-Language.
      const url = URL.createObjectURL(await getBlob(`/reports/monthly?month=${month}`));
      const a = document.createElement('a');
      a.href = url;
      a.download = `jiesu-monthly-${month}.xlsx`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 5000);
    } catch (e) {
      showError(e);
    }
  };

  const slaRows = (items: SlaItem[]): DrillRow[] => items.map((i) => ({ id: i.orderId, number: i.number, title: i.title, status: i.status, at: i.dueAt }));
  const hotRows = (h: Hot): DrillRow[] =>
    h.orders.map((o) => ({ id: o.workorderId, number: o.number, title: o.title, status: o.status, at: o.createdAt, unit: o.unitName }));
  const hotName = (h: Hot) => h.name || h.words.slice(0, 4).join(' · ');
  const count = (u: Ranked, measure: Measure) => (
    <Opens label={`${u.unitName} ${t(`measure.${measure}`)} ${u.counts[measure] ?? 0}`} onOpen={() => void drillKpi(u, measure)}>
      {u.counts[measure] ?? 0}
    </Opens>
  );
  const s = summary;
  const calls = s?.calls;
  const sep = lang === 'en' ? ', ' : '，';

  return (
    <>
      <Space wrap style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }}>
        <Typography.Title level={3} className="page-title" style={{ margin: 0 }}>
          {t('dash.title')}
        </Typography.Title>
        <Space>
          <Select
            aria-label={t('dash.month')}
            data-testid="month-picker"
            virtual={false}
            style={{ width: lang === 'en' ? 170 : 140 }}
            loading={months == null}
            disabled={months?.length === 0}
            placeholder={months?.length === 0 ? t('dash.noMonths') : undefined}
            value={month ?? undefined}
            onChange={(m: string) => setMonth(m)}
            options={[...(months ?? [])].reverse().map((m) => ({ value: m, label: fmtMonth(m, lang) }))}
          />
          <Button icon={<DownloadOutlined />} disabled={!month} onClick={() => void download()}>
            {t('dash.report')}
          </Button>
        </Space>
      </Space>
      <CalendarWarning admin={hasRole('admin')} />
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }} data-testid="cards">
        <Col xs={12} md={8} xl={4}>
          <StatCard
            testId="card-today"
            title={t('dash.todayCalls')}
            value={today?.offered ?? '—'}
            note={today ? t('dash.todayNote', { answered: today.answered }) : undefined}
          />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <StatCard
            testId="card-orders"
            title={t('dash.monthOrders')}
            value={s?.orders.orders ?? '—'}
            note={s ? t('dash.ordersNote', { complaints: s.orders.complaints, direct: s.orders.answeredDirectly }) : undefined}
          />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <StatCard
            testId="card-answer-rate"
            title={t('dash.answerRate')}
            value={pct(calls?.answerRate)}
            note={calls ? t('dash.callsNote', { offered: calls.offered, answered: calls.answered }) : undefined}
          />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <StatCard
            testId="card-service-level"
            title={t('dash.serviceLevel', { s: calls?.serviceLevel.seconds ?? '—' })}
            value={pct(calls?.serviceLevel.rate)}
            note={calls ? t('dash.slNote', { n: calls.effectiveCalls }) : undefined}
          />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <StatCard
            testId="overdue"
            title={t('dash.overdue')}
            note={t('dash.overdueNote')}
            value={
              <Space>
                <Opens label={`${t('dash.red')} ${red.length}`} onOpen={() => showList(t('dash.red'), slaRows(red), 'dash.dueAt')}>
                  <Typography.Text type="danger" style={{ fontSize: 24 }}>
                    {red.length}
                  </Typography.Text>
                </Opens>
                <Opens label={`${t('dash.yellow')} ${yellow.length}`} onOpen={() => showList(t('dash.yellow'), slaRows(yellow), 'dash.dueAt')}>
                  <Typography.Text type="warning" style={{ fontSize: 18 }}>
                    {yellow.length}
                  </Typography.Text>
                </Opens>
              </Space>
            }
          />
        </Col>
        <Col xs={12} md={8} xl={4}>
          <StatCard
            testId="card-satisfaction"
            title={t('dash.satisfaction')}
            value={pct(s?.satisfactionRate)}
            note={s ? t('dash.satNote', { n: s.surveyed, r: pct(s.resolutionRate) }) : undefined}
          />
        </Col>
      </Row>
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('dash.trend', { month: monthWords })} style={{ height: '100%' }}>
            {!stats ? (
              <Spin />
            ) : (
              <Chart
                label={`${t('dash.trend', { month: monthWords })}: ${stats.rows.map((r) => `${r.key} ${r.offered}`).join(', ')}`}
                option={{
                  tooltip: { trigger: 'axis' },
                  legend: { bottom: 0 },
                  grid: { left: 40, right: 44, top: 16, bottom: 50 },
                  xAxis: { type: 'category', data: stats.rows.map((r) => r.key.slice(5)) },
                  yAxis: [
                    { type: 'value', minInterval: 1 },
                    { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
                  ],
                  series: [
                    { name: t('dash.offered'), type: 'bar', data: stats.rows.map((r) => r.offered), itemStyle: { color: '#91caff' } },
                    { name: t('dash.contacts'), type: 'line', data: stats.rows.map((r) => r.contacts), itemStyle: { color: '#1659c4' } },
                    {
                      name: t('dash.answerRate'),
                      type: 'line',
                      yAxisIndex: 1,
                      data: stats.rows.map((r) => (r.answerRate == null ? null : Math.round(r.answerRate * 1000) / 10)),
                      itemStyle: { color: '#52c41a' },
                    },
                  ],
                }}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} md={12} lg={7}>
          <Card size="small" title={t('dash.topCategories', { month: monthWords })} data-testid="top-categories" style={{ height: '100%' }}>
            {!s ? (
              <Spin />
            ) : s.topCategories.length === 0 ? (
              <Typography.Text type="secondary">{t('dash.noCategories')}</Typography.Text>
            ) : (
              <ol style={{ margin: 0, paddingLeft: 20 }}>
                {s.topCategories.slice(0, 8).map((c) => (
                  <li key={c.code ?? ''} style={{ marginBottom: 4 }}>
                    <span style={{ display: 'flex', gap: 8 }}>
                      <span style={{ ...oneLine, flex: 1 }} title={c.name}>
                        {c.name}
                      </span>
                      <Typography.Text strong>{c.orders}</Typography.Text>
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </Col>
        <Col xs={24} md={12} lg={7}>
          <Card
            size="small"
            style={{ height: '100%' }}
            title={
              <>
                <FireOutlined /> {t('dash.hot')}
              </>
            }
            data-testid="hotspots"
          >
            {hot.length === 0 ? (
              <Typography.Text type="secondary">{t('dash.noHot')}</Typography.Text>
            ) : (
              hot.map((h, i) => (
                <div key={i} style={{ marginBottom: 6 }}>
                  {h.spike.alert && <Tag color="red">{t('dash.spike')}</Tag>}
                  <Opens label={`${hotName(h)} ${h.size}`} onOpen={() => showList(hotName(h), hotRows(h), 'field.createdAt')}>
                    <b>{hotName(h)}</b>
                  </Opens>{' '}
                  <Tag>{h.size}</Tag>
                  {h.name && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {h.words.slice(0, 4).join(' · ')}
                      {sep}
                    </Typography.Text>
                  )}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {h.areas
                      .slice(0, 3)
                      .map((a) => `${a.name ?? '—'} ${a.count}`)
                      .join(sep)}
                  </Typography.Text>
                </div>
              ))
            )}
          </Card>
        </Col>
      </Row>
      <DispatchAccuracy month={month} monthWords={monthWords} />
      <Card size="small" title={t('map.heatTitle')} style={{ marginBottom: 16 }}>
        <HeatPanel />
      </Card>
      <Card
        size="small"
        data-testid="rankings"
        title={t('dash.rankings', { month: monthWords })}
        extra={<Segmented size="small" value={kind} onChange={(v) => setKind(v)} options={KINDS.map((k) => ({ label: t(`kind.${k}`), value: k }))} />}
      >
        {ranks && ranks.length > 0 && (
          <Chart
            height={Math.max(200, Math.min(ranks.length, 15) * 22 + 40)}
            label={`${t('dash.score')}: ${ranks
              .slice(0, 15)
              .map((r) => `${r.unitName} ${r.score ?? '—'}`)
              .join(', ')}`}
            onClick={(p) => {
              const u = ranks.find((r) => r.unitName === p.name);
              if (u) void drillKpi(u, 'received');
            }}
            option={{
              tooltip: { trigger: 'axis' },
              grid: { left: 130, right: 30, top: 10, bottom: 20 },
              xAxis: { type: 'value', max: 100 },
              yAxis: { type: 'category', inverse: true, data: ranks.slice(0, 15).map((r) => r.unitName), axisLabel: { width: 120, overflow: 'truncate' } },
              series: [
                {
                  name: t('dash.score'),
                  type: 'bar',
                  data: ranks.slice(0, 15).map((r) => r.score),
                  itemStyle: { color: '#1659c4' },
                  label: { show: true, position: 'right' },
                },
              ],
            }}
          />
        )}
        <Table<Ranked>
          size="small"
          rowKey="unitId"
          loading={!ranks}
          dataSource={ranks ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('dash.noRanks') }}
          columns={[
            { title: t('dash.rank'), key: 'rank', width: 60, render: (_, u) => u.rank ?? '—' },
            {
              title: t('dash.rankChange'),
              key: 'chg',
              width: 80,
              render: (_, u) =>
                u.rankChange == null ? (
                  <Typography.Text type="secondary">{t('dash.new')}</Typography.Text>
                ) : u.rankChange > 0 ? (
                  <Typography.Text type="success">
                    <ArrowUpOutlined /> {u.rankChange}
                  </Typography.Text>
                ) : u.rankChange < 0 ? (
                  <Typography.Text type="danger">
                    <ArrowDownOutlined /> {-u.rankChange}
                  </Typography.Text>
                ) : (
                  '—'
                ),
            },
            { title: t('field.unit'), key: 'unit', render: (_, u) => u.unitName },
            { title: t('dash.score'), key: 'score', render: (_, u) => <b>{u.score ?? '—'}</b> },
            { title: t('measure.received'), key: 'received', render: (_, u) => count(u, 'received') },
            {
              title: t('dash.responseRate'),
              key: 'rr',
              render: (_, u) => (
                <Tooltip title={t('measure.signed_on_time')}>
                  {pct(u.responseRate)} ({count(u, 'signed_on_time')})
                </Tooltip>
              ),
            },
            {
              title: t('dash.resolutionRate'),
              key: 'res',
              render: (_, u) => (
                <>
                  {pct(u.resolutionRate)} ({count(u, 'resolved')})
                </>
              ),
            },
            {
              title: t('dash.satisfaction'),
              key: 'sat',
              render: (_, u) => (
                <>
                  {pct(u.satisfactionRate)} ({count(u, 'unsatisfied')} {t('sat.unsatisfied')})
                </>
              ),
            },
            {
              title: t('dash.onTime'),
              key: 'ot',
              render: (_, u) => (
                <>
                  {pct(u.onTimeReplyRate)} ({count(u, 'replied_late')} {t('dash.late')})
                </>
              ),
            },
            { title: t('measure.returned'), key: 'ret', render: (_, u) => count(u, 'returned') },
            { title: t('measure.reopened'), key: 'reo', render: (_, u) => count(u, 'reopened') },
            {
              title: t('dash.coReply'),
              key: 'co',
              render: (_, u) =>
                u.counts.co_replied ? (
                  <>
                    {pct(u.coReplyOnTimeRate ?? null)} ({count(u, 'co_replied_late')} {t('dash.late')})
                  </>
                ) : (
                  '—'
                ),
            },
            {
              title: t('dash.appeals'),
              key: 'appeals',
              render: (_, u) => (
                <>
                  {count(u, 'appeals_filed')} ({count(u, 'appeals_upheld')} / {count(u, 'appeals_rejected')})
                </>
              ),
            },
          ]}
        />
      </Card>
      <Modal open={!!drill} title={drill?.title} footer={null} width={820} onCancel={() => setDrill(null)} destroyOnHidden>
        {drill && (
          <Table<DrillRow>
            size="small"
            rowKey={(r) => `${r.id}-${r.at}`}
            loading={drill.loading}
            dataSource={drill.rows}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            title={() => t('dash.drillTotal', { n: drill.total })}
            columns={[
              { title: t('field.number'), key: 'n', width: 150, render: (_, r) => <Link to={`/orders/${r.id}`}>{r.number}</Link> },
              { title: t('field.title'), key: 't', ellipsis: { showTitle: true }, render: (_, r) => r.title },
              { title: t('field.status'), key: 's', width: 100, render: (_, r) => <StatusTag status={r.status} /> },
              ...(drill.rows.some((r) => r.unit !== undefined)
                ? [{ title: t('field.mainUnit'), key: 'u', width: 140, render: (_: unknown, r: DrillRow) => r.unit ?? t('dash.noUnit') }]
                : []),
              { title: t(drill.time), key: 'a', width: 150, render: (_, r) => fmtTime(r.at) },
            ]}
          />
        )}
      </Modal>
    </>
  );
}
