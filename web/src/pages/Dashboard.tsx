// The supervisor's overview from the order list (the KPI module will replace the sampling):
// volume by status and type; every number opens the list behind it.
import { useEffect, useMemo, useState } from 'react';
import { Card, Col, Row, Spin, Statistic, Typography } from 'antd';
import { get } from '../api';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { Chart } from '../components/Chart';
import { useActionError } from '../components/OrderActions';
import { ORDER_TYPES, STATUSES, type Page, type WorkOrder } from '../types';

const SAMPLE_PAGES = 5;

export function Dashboard() {
  const { t } = useI18n();
  const [orders, setOrders] = useState<WorkOrder[] | null>(null);
  const showError = useActionError();

  useEffect(() => {
    (async () => {
      const all: WorkOrder[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < SAMPLE_PAGES; i++) {
        const p: Page<WorkOrder> = await get('/workorders', { limit: 200, cursor: cursor ?? undefined });
        all.push(...p.items);
        if (!(cursor = p.nextCursor)) break;
      }
      setOrders(all);
    })().catch(showError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const stats = useMemo(() => {
    const os = orders ?? [];
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<string, number>;
    const byType = Object.fromEntries(ORDER_TYPES.map((s) => [s, 0])) as Record<string, number>;
    let surveyed = 0, satisfied = 0, supervised = 0;
    for (const o of os) {
      byStatus[o.status]!++;
      byType[o.type]!++;
      if (o.survey) {
        surveyed++;
        if (o.survey.satisfaction === 'satisfied') satisfied++;
        else if (o.survey.satisfaction === 'basically_satisfied') satisfied += 0.5;
      }
      if (o.supervisionCount > 0) supervised++;
    }
    return { total: os.length, byStatus, byType, open: os.length - byStatus.closed!, satisfaction: surveyed ? (100 * satisfied) / surveyed : null, supervised };
  }, [orders]);

  if (!orders) return <Spin />;
  const statusLink = (statuses: string[]) => '/orders?' + statuses.map((s) => `status=${s}`).join('&');
  return (
    <>
      <Typography.Title level={3} className="page-title">{t('dash.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('dash.sample', { n: stats.total })}</Typography.Paragraph>
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col span={6}><Card size="small"><Link to="/orders"><Statistic title={t('dash.total')} value={stats.total} /></Link></Card></Col>
        <Col span={6}><Card size="small"><Link to={statusLink(STATUSES.filter((s) => s !== 'closed'))}><Statistic title={t('dash.open')} value={stats.open} /></Link></Card></Col>
        <Col span={6}><Card size="small"><Link to={statusLink(['closed'])}><Statistic title={t('dash.closed')} value={stats.byStatus.closed} /></Link></Card></Col>
        <Col span={6}><Card size="small"><Statistic title={t('dash.satisfaction')} value={stats.satisfaction ?? '—'} precision={stats.satisfaction == null ? undefined : 1} suffix={stats.satisfaction == null ? '' : '%'} /></Card></Col>
      </Row>
      <Row gutter={16}>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('dash.byStatus')}>
            <Chart
              label={t('dash.byStatus') + ': ' + STATUSES.map((s) => `${t('status.' + s)} ${stats.byStatus[s]}`).join(', ')}
              onClick={(p) => navigate(statusLink([STATUSES.find((s) => t('status.' + s) === p.name) ?? 'new']))}
              option={{
                tooltip: {},
                grid: { left: 40, right: 16, top: 16, bottom: 30 },
                xAxis: { type: 'category', data: STATUSES.map((s) => t('status.' + s)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [{ type: 'bar', data: STATUSES.map((s) => stats.byStatus[s]), itemStyle: { color: '#1659c4' }, label: { show: true, position: 'top' } }],
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('dash.byType')}>
            <Chart
              label={t('dash.byType') + ': ' + ORDER_TYPES.map((x) => `${t('type.' + x)} ${stats.byType[x]}`).join(', ')}
              onClick={(p) => navigate('/orders?type=' + (ORDER_TYPES.find((x) => t('type.' + x) === p.name) ?? ''))}
              option={{
                tooltip: { trigger: 'item' },
                legend: { bottom: 0 },
                series: [{ type: 'pie', radius: ['35%', '65%'], data: ORDER_TYPES.filter((x) => stats.byType[x]).map((x) => ({ name: t('type.' + x), value: stats.byType[x] })) }],
              }}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
