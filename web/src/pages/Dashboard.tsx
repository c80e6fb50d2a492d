// The supervisor's dashboard with the real figures: today's and the month's volume, the call
// center's answer rate and service level, overdue orders, satisfaction, the units' ranking
// for a month with rank change, hot topics; every number opens the list behind it. A warning
// while this year's or (from 1 October) next year's holiday calendar is missing.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Button, Card, Col, DatePicker, Modal, Row, Segmented, Space, Spin, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DownloadOutlined, FireOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { get, getToken } from '../api';
import { useI18n, type KeySuffix } from '../i18n';
import { Link } from '../router';
import { Chart } from '../components/Chart';
import { CalendarWarning } from '../components/CalendarSource';
import { useSession } from '../session';
import { useActionError } from '../components/OrderActions';
import { StatusTag } from '../components/OrderTable';
import { fmtTime } from '../time';
import type { Status } from '../types';

/** A unit's counted measure (GET /kpi/orders?measure=), each with its label in i18n.tsx. */
type Measure = KeySuffix<'measure'>;

interface StatsRow {
  key: string;
  offered: number;
  answered: number;
  abandoned: number;
  answerRate: number | null;
  serviceLevel: Record<string, number | null>;
  asaSeconds: number | null;
  contacts: number;
  effectiveCalls: number;
}
interface Stats {
  rows: StatsRow[];
  totals: StatsRow;
  serviceLevelSeconds: number[];
}
interface Figures {
  received: number | '<5';
  closed: number | '<5';
  satisfactionRate: number | null;
  avgHandlingHours: number | null;
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
interface Hot {
  size: number;
  words: string[];
  trend: { day: string; count: number }[];
  areas: { name: string | null; count: number }[];
  samples: { workorderId: number; title: string }[];
  spike: { alert: boolean; lastDayCount: number; usualPerDay: number };
  workorderIds: number[];
}
interface DrillRow {
  id: number;
  number: string;
  title: string;
  status: Status;
  at: string;
}

const KINDS = ['district', 'bureau', 'utility', 'subdistrict'] as const;
const pct = (x: number | null | undefined, d = 1) => (x == null ? '—' : `${(x * 100).toFixed(d)}%`);
const monthRange = (m: string) => ({
  from: `${m}-01T00:00:00+08:00`,
  to: `${dayjs(m + '-01')
    .add(1, 'month')
    .format('YYYY-MM')}-01T00:00:00+08:00`,
});
const todayKey = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

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

export function Dashboard() {
  const { t } = useI18n();
  const { hasRole } = useSession();
  const showError = useActionError();
  const [month, setMonth] = useState(() => dayjs().format('YYYY-MM'));
  const [kind, setKind] = useState<(typeof KINDS)[number]>('district');
  const [stats, setStats] = useState<Stats | null>(null);
  const [open, setOpen] = useState<Figures | null>(null);
  const [ranks, setRanks] = useState<Ranked[] | null>(null);
  const [red, setRed] = useState<SlaItem[]>([]);
  const [yellow, setYellow] = useState<SlaItem[]>([]);
  const [hot, setHot] = useState<Hot[]>([]);
  const [drill, setDrill] = useState<{ title: string; rows: DrillRow[]; total: number; loading: boolean } | null>(null);

  useEffect(() => {
    const r = monthRange(month);
    setStats(null);
    get<Stats>('/callcenter/stats', { ...r, groupBy: 'day' })
      .then(setStats)
      .catch(showError);
    get<{ totals: Figures }>('/opendata/monthly', { month })
      .then((d) => setOpen(d.totals))
      .catch(() => setOpen(null));
  }, [month, showError]);
  useEffect(() => {
    setRanks(null);
    get<{ items: Ranked[] }>('/kpi/rankings', { month, kind })
      .then((d) => setRanks(d.items))
      .catch((e) => {
        setRanks([]);
        showError(e);
      });
  }, [month, kind, showError]);
  useEffect(() => {
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

  const showList = (title: string, rows: DrillRow[]) => setDrill({ title, rows, total: rows.length, loading: false });
  const drillKpi = useCallback(
    async (u: Ranked, measure: Measure) => {
      const title = `${u.unitName} · ${t(`measure.${measure}`)} · ${month}`;
      setDrill({ title, rows: [], total: 0, loading: true });
      try {
        const d = await get<{ total: number; items: { id: number; number: string; title: string; status: Status; at: string }[] }>('/kpi/orders', {
          month,
          unitId: u.unitId,
          measure,
          limit: 500,
        });
        setDrill({ title, rows: d.items, total: d.total, loading: false });
      } catch (e) {
        setDrill(null);
        showError(e);
      }
    },
    [month, t, showError],
  );

  const download = async () => {
    try {
      const res = await fetch(`/api/v1/reports/monthly?month=${month}`, { headers: { authorization: `Bearer ${getToken()}` } });
      if (!res.ok) throw new Error((await res.json().catch(() => ({})))?.error?.message ?? res.statusText);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `jiesu-monthly-${month}.xlsx`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 5000);
    } catch (e) {
      showError(e);
    }
  };

  const today = stats?.rows.find((r) => r.key === todayKey());
  const sl = stats?.serviceLevelSeconds?.[stats.serviceLevelSeconds.length - 1] ?? 20;
  const slaRows = (items: SlaItem[]): DrillRow[] => items.map((i) => ({ id: i.orderId, number: i.number, title: i.title, status: i.status, at: i.dueAt }));
  const num = (c: number | '<5' | undefined) => (c === undefined ? '—' : c);
  const count = (u: Ranked, measure: Measure) => (
    <Opens label={`${u.unitName} ${t(`measure.${measure}`)} ${u.counts[measure] ?? 0}`} onOpen={() => void drillKpi(u, measure)}>
      {u.counts[measure] ?? 0}
    </Opens>
  );

  return (
    <>
      <Space wrap style={{ width: '100%', justifyContent: 'space-between', marginBottom: 12 }}>
        <Typography.Title level={3} className="page-title" style={{ margin: 0 }}>
          {t('dash.title')}
        </Typography.Title>
        <Space>
          <DatePicker
            picker="month"
            allowClear={false}
            aria-label={t('open.month')}
            value={dayjs(month + '-01')}
            onChange={(d) => d && setMonth(d.format('YYYY-MM'))}
            disabledDate={(d) => d.isAfter(dayjs(), 'month')}
          />
          <Button icon={<DownloadOutlined />} onClick={() => void download()}>
            {t('dash.report')}
          </Button>
        </Space>
      </Space>
      <CalendarWarning admin={hasRole('admin')} />
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic
              title={t('dash.todayCalls')}
              value={today?.offered ?? 0}
              suffix={
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  / {t('dash.answered')} {today?.answered ?? 0}
                </Typography.Text>
              }
            />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic
              title={t('dash.monthOrders')}
              value={num(open?.received)}
              suffix={
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  / {t('dash.contacts')} {stats?.totals.contacts ?? '—'}
                </Typography.Text>
              }
            />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic title={t('dash.answerRate')} value={pct(stats?.totals.answerRate)} />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic title={t('dash.serviceLevel', { s: sl })} value={pct(stats?.totals.serviceLevel?.[String(sl)])} />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small" data-testid="overdue">
            <Statistic
              title={t('dash.overdue')}
              valueRender={() => (
                <Space>
                  <Opens label={`${t('dash.red')} ${red.length}`} onOpen={() => showList(t('dash.red'), slaRows(red))}>
                    <Typography.Text type="danger" style={{ fontSize: 24 }}>
                      {red.length}
                    </Typography.Text>
                  </Opens>
                  <Opens label={`${t('dash.yellow')} ${yellow.length}`} onOpen={() => showList(t('dash.yellow'), slaRows(yellow))}>
                    <Typography.Text type="warning" style={{ fontSize: 18 }}>
                      {yellow.length}
                    </Typography.Text>
                  </Opens>
                </Space>
              )}
            />
          </Card>
        </Col>
        <Col xs={12} md={8} xl={4}>
          <Card size="small">
            <Statistic title={t('dash.satisfaction')} value={pct(open?.satisfactionRate)} />
          </Card>
        </Col>
      </Row>
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('dash.trend')}>
            {!stats ? (
              <Spin />
            ) : (
              <Chart
                label={`${t('dash.trend')}: ${stats.rows.map((r) => `${r.key} ${r.offered}`).join(', ')}`}
                option={{
                  tooltip: { trigger: 'axis' },
                  legend: { bottom: 0 },
                  grid: { left: 40, right: 40, top: 16, bottom: 50 },
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
        <Col xs={24} lg={10}>
          <Card
            size="small"
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
                  <Opens
                    label={`${h.words.slice(0, 3).join(' ')} ${h.size}`}
                    onOpen={() =>
                      showList(
                        h.words.slice(0, 4).join(' '),
                        h.samples.map((s) => ({ id: s.workorderId, number: `#${s.workorderId}`, title: s.title, status: 'new', at: '' })),
                      )
                    }
                  >
                    <b>{h.words.slice(0, 4).join(' · ')}</b>
                  </Opens>{' '}
                  <Tag>{h.size}</Tag>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {h.areas
                      .slice(0, 3)
                      .map((a) => `${a.name ?? '—'} ${a.count}`)
                      .join('，')}
                  </Typography.Text>
                </div>
              ))
            )}
          </Card>
        </Col>
      </Row>
      <Card
        size="small"
        data-testid="rankings"
        title={t('dash.rankings', { month })}
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
              { title: t('field.number'), key: 'n', render: (_, r) => <Link to={`/orders/${r.id}`}>{r.number}</Link> },
              { title: t('field.title'), key: 't', ellipsis: true, render: (_, r) => r.title },
              { title: t('field.status'), key: 's', render: (_, r) => (r.at ? <StatusTag status={r.status} /> : '') },
              { title: t('dash.at'), key: 'a', render: (_, r) => (r.at ? fmtTime(r.at) : '') },
            ]}
          />
        )}
      </Modal>
    </>
  );
}
