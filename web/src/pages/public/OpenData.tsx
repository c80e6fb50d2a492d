// Open data: anonymised monthly figures (counts under 5 shown as "<5") by category and by
// district, as charts and tables, the hotline's answer rate and service level, and the month's
// CSV. The figures are the kpi module's (docs/MEASURES.md), the same as the dashboard's; every
// word on the page, the definitions in the footnote included, is the web app's catalogue's.
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Col, DatePicker, Row, Space, Statistic, Table, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { ApiError, get } from '../../api';
import { useI18n } from '../../i18n';
import { Chart } from '../../components/Chart';
import { cityDay } from '../../time';

type Count = number | '<5';
interface Figures {
  key: string;
  name: string;
  received: Count;
  closed: Count;
  avgHandlingHours: number | null;
  satisfactionRate: number | null;
}
interface Monthly {
  month: string;
  suppressionThreshold: number;
  totals: Figures;
  calls: { answerRate: number | null; serviceLevel: { seconds: number; rate: number | null }; effectiveCalls: number };
  byCategory: Figures[];
  byDistrict: Figures[];
}

const num = (c: Count) => (typeof c === 'number' ? c : 0);
const pct = (x: number | null) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`);

/** The measures the footnote defines, in the web catalogue (open.def.*). */
const DEFINED = ['received', 'closed', 'avgHandlingHours', 'satisfactionRate', 'calls'] as const;

export function OpenData() {
  const { t, lang } = useI18n();
  // This month of the city's clock, whatever the browser's time zone.
  const [month, setMonth] = useState(() => cityDay().slice(0, 7));
  const [data, setData] = useState<Monthly | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    document.title = `${t('menu.openData')} · ${t('portal.brand')}`;
    setError(null);
    get<Monthly>('/opendata/monthly', { month })
      .then(setData)
      .catch((e) => {
        setData(null);
        setError(e instanceof ApiError ? e.message : String(e));
      });
  }, [month, t]);

  // Rows without a category or district are "not stated", in the reader's language.
  const named = (rows: Figures[]) => rows.map((r) => (r.key === 'unknown' ? { ...r, name: t('open.notStated') } : r));
  const bars = (title: string, rows: Figures[]) => {
    const top = named(rows).slice(0, 15);
    return (
      <Chart
        label={`${title}: ${top.map((r) => `${r.name} ${r.received}`).join(', ')}`}
        height={Math.max(240, top.length * 24 + 40)}
        option={{
          tooltip: { trigger: 'axis' },
          legend: { bottom: 0 },
          grid: { left: 110, right: 20, top: 10, bottom: 40 },
          xAxis: { type: 'value', minInterval: 1 },
          // A category's path reads by its last name on the axis (市容环卫), the whole path in the table.
          yAxis: { type: 'category', inverse: true, data: top.map((r) => r.name.split(' / ').at(-1)), axisLabel: { width: 100, overflow: 'truncate' } },
          series: [
            { name: t('open.received'), type: 'bar', data: top.map((r) => num(r.received)), itemStyle: { color: '#1659c4' } },
            { name: t('open.closed'), type: 'bar', data: top.map((r) => num(r.closed)), itemStyle: { color: '#52c41a' } },
          ],
        }}
      />
    );
  };
  const table = (rows: Figures[], label: string) => (
    <Table<Figures>
      size="small"
      rowKey="key"
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      dataSource={named(rows)}
      scroll={{ x: 'max-content' }}
      columns={[
        { title: label, dataIndex: 'name' },
        { title: t('open.received'), dataIndex: 'received', align: 'right' },
        { title: t('open.closed'), dataIndex: 'closed', align: 'right' },
        { title: t('open.avgHours'), dataIndex: 'avgHandlingHours', align: 'right', render: (v) => v ?? '—' },
        { title: t('dash.satisfaction'), dataIndex: 'satisfactionRate', align: 'right', render: (v) => pct(v) },
      ]}
    />
  );

  return (
    <>
      <Space wrap style={{ marginBottom: 12, justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('open.title')}
        </Typography.Title>
        <Space>
          <DatePicker
            picker="month"
            allowClear={false}
            aria-label={t('open.month')}
            value={dayjs(month + '-01')}
            format={lang === 'en' ? 'MMMM YYYY' : 'YYYY年M月'}
            onChange={(d) => d && setMonth(d.format('YYYY-MM'))}
            disabledDate={(d) => d.format('YYYY-MM') > cityDay().slice(0, 7)}
          />
          <Button icon={<DownloadOutlined />} href={`/api/v1/opendata/monthly?month=${month}&format=csv`} download={`jiesu-opendata-${month}.csv`}>
            {t('open.csv')}
          </Button>
        </Space>
      </Space>
      {error && <Alert type="error" role="alert" title={error} />}
      {data && (
        <>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
            <Col xs={12} md={8} xl={4}>
              <Card size="small" style={{ height: '100%' }}>
                <Statistic title={t('open.received')} value={data.totals.received} />
              </Card>
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Card size="small" style={{ height: '100%' }}>
                <Statistic title={t('open.closed')} value={data.totals.closed} />
              </Card>
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Card size="small" style={{ height: '100%' }}>
                <Statistic title={t('open.avgHours')} value={data.totals.avgHandlingHours ?? '—'} />
              </Card>
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Card size="small" style={{ height: '100%' }}>
                <Statistic title={t('dash.satisfaction')} value={pct(data.totals.satisfactionRate)} />
              </Card>
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Card size="small" style={{ height: '100%' }}>
                <Statistic title={t('open.answerRate')} value={pct(data.calls.answerRate)} />
              </Card>
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Card size="small" style={{ height: '100%' }}>
                <Statistic title={t('open.serviceLevel', { s: data.calls.serviceLevel.seconds })} value={pct(data.calls.serviceLevel.rate)} />
              </Card>
            </Col>
          </Row>
          <Row gutter={[12, 12]}>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('open.byCategory')}>
                {bars(t('open.byCategory'), data.byCategory)}
                {table(data.byCategory, t('field.category'))}
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('open.byDistrict')}>
                {bars(t('open.byDistrict'), data.byDistrict)}
                {table(data.byDistrict, t('field.district'))}
              </Card>
            </Col>
          </Row>
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, fontSize: 12 }} data-testid="open-footnote">
            {[t('open.suppressed', { n: data.suppressionThreshold }), ...DEFINED.map((k) => t(`open.def.${k}`, { s: data.calls.serviceLevel.seconds }))].join(
              lang === 'en' ? ' ' : '',
            )}
          </Typography.Paragraph>
        </>
      )}
    </>
  );
}
