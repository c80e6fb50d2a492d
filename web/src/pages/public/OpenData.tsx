// Open data: anonymised monthly figures (counts under 5 shown as "<5") by category and by
// district, as charts and tables, and the month's CSV.
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Col, DatePicker, Row, Space, Statistic, Table, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { ApiError, get } from '../../api';
import { useI18n } from '../../i18n';
import { Chart } from '../../components/Chart';

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
  definitions: Record<string, string>;
  totals: Figures;
  byCategory: Figures[];
  byDistrict: Figures[];
}

const num = (c: Count) => (typeof c === 'number' ? c : 0);
const pct = (x: number | null) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`);

export function OpenData() {
  const { t } = useI18n();
  const [month, setMonth] = useState(() => dayjs().format('YYYY-MM'));
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

  const bars = (title: string, rows: Figures[]) => {
    const top = rows.slice(0, 15);
    return (
      <Chart
        label={`${title}: ${top.map((r) => `${r.name} ${r.received}`).join(', ')}`}
        height={Math.max(240, top.length * 24 + 40)}
        option={{
          tooltip: { trigger: 'axis' },
          legend: { bottom: 0 },
          grid: { left: 110, right: 20, top: 10, bottom: 40 },
          xAxis: { type: 'value', minInterval: 1 },
          yAxis: { type: 'category', inverse: true, data: top.map((r) => r.name), axisLabel: { width: 100, overflow: 'truncate' } },
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
      dataSource={rows}
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
            onChange={(d) => d && setMonth(d.format('YYYY-MM'))}
            disabledDate={(d) => d.isAfter(dayjs(), 'month')}
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
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('open.received')} value={data.totals.received} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('open.closed')} value={data.totals.closed} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('open.avgHours')} value={data.totals.avgHandlingHours ?? '—'} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('dash.satisfaction')} value={pct(data.totals.satisfactionRate)} />
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
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, fontSize: 12 }}>
            {t('open.suppressed', { n: data.suppressionThreshold })} {Object.values(data.definitions).join('；')}
          </Typography.Paragraph>
        </>
      )}
    </>
  );
}
