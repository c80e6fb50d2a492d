// First-time-right dispatch for a month, and the model's share of it: dispatched by the platform
// itself, by a person who took the suggested unit, by a person who chose another, or with no
// suggestion (GET /dispatch/accuracy?groupBy=suggestion).
import { useEffect, useState } from 'react';
import { Card, Progress, Table, Typography } from 'antd';
import { get } from '../api';
import { useI18n } from '../i18n';
import { cityMonthRange } from '../time';

type Group = 'auto' | 'followed' | 'overridden' | 'none';
interface Accuracy {
  total: { orders: number; right: number; rate: number | null };
  items: { key: Group; orders: number; firstTimeRight: number; rate: number | null }[];
}

const pct = (x: number | null) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`);

export function DispatchAccuracy({ month, monthWords }: { month: string | null; monthWords: string }) {
  const { t } = useI18n();
  const [data, setData] = useState<Accuracy | null>(null);
  useEffect(() => {
    if (!month) return;
    setData(null);
    get<Accuracy>('/dispatch/accuracy', { groupBy: 'suggestion', ...cityMonthRange(month) })
      .then(setData)
      .catch(() => setData({ total: { orders: 0, right: 0, rate: null }, items: [] }));
  }, [month]);
  const total = data?.total.orders ?? 0;
  const share = (k: Group[]) => (total ? (data?.items ?? []).filter((i) => k.includes(i.key)).reduce((a, i) => a + i.orders, 0) / total : null);
  return (
    <Card size="small" data-testid="dispatch-accuracy" title={t('dash.firstTimeRight', { month: monthWords })} style={{ marginBottom: 12 }}>
      {!data ? (
        <Typography.Text type="secondary">…</Typography.Text>
      ) : total === 0 ? (
        <Typography.Text type="secondary">{t('dash.noDispatches')}</Typography.Text>
      ) : (
        <>
          <Typography.Paragraph style={{ marginBottom: 8 }}>
            {t('dash.firstTimeRightTotal', { rate: pct(data.total.rate), right: data.total.right, orders: total })}
            {' · '}
            {t('dash.modelShare', { share: pct(share(['auto', 'followed'])) })}
          </Typography.Paragraph>
          <Table
            size="small"
            pagination={false}
            rowKey="key"
            dataSource={data.items}
            columns={[
              { title: t('dash.dispatchMode'), dataIndex: 'key', render: (k: Group) => t(`dispatchMode.${k}`) },
              { title: t('dash.dispatches'), dataIndex: 'orders', align: 'right' },
              { title: t('dash.shareOfDispatches'), key: 'share', align: 'right', render: (_, r) => pct(r.orders / total) },
              {
                title: t('dash.firstTimeRightRate'),
                dataIndex: 'rate',
                render: (r: number | null) => <Progress percent={r == null ? 0 : Math.round(r * 1000) / 10} size="small" format={() => pct(r)} />,
              },
            ]}
          />
        </>
      )}
    </Card>
  );
}
