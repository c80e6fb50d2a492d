// The supervisor's desk on the departments' side (#24): orders returned twice that wait for the
// final ruling (终审), and the units' appeals (申诉) waiting for a decision, each opened to rule.
import { useCallback, useEffect, useState } from 'react';
import { Button, Table, Tabs, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { get } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { fmtTime } from '../time';
import { OrderTable } from '../components/OrderTable';
import { OrderActions, useActionError } from '../components/OrderActions';

interface AppealItem {
  id: number;
  workorderId: number;
  number: string;
  title: string;
  status: 'pending' | 'upheld' | 'rejected';
  kind: 'unreasonable' | 'not_our_duty' | 'survey_error';
  reason: string;
  unitName: string;
  filedAt: string;
  note: string | null;
}

function Appeals({ status }: { status: 'pending' | 'upheld' | 'rejected' | undefined }) {
  const { t } = useI18n();
  const showError = useActionError();
  const [items, setItems] = useState<AppealItem[]>([]);
  const [loading, setLoading] = useState(false);
  const load = useCallback(async () => {
    setLoading(true);
    try {
      const r = await get<{ items: AppealItem[] }>('/appeals', { status, limit: 200 });
      // "Ruled" lists both decisions.
      setItems(status ? r.items : r.items.filter((a) => a.status !== 'pending'));
    } catch (e) {
      showError(e);
    } finally {
      setLoading(false);
    }
  }, [status, showError]);
  useEffect(() => void load(), [load]);
  return (
    <>
      <Button icon={<ReloadOutlined />} onClick={() => void load()} style={{ marginBottom: 8 }} aria-label={t('list.refresh')} />
      <Table<AppealItem>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={items}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('list.empty') }}
        columns={[
          { title: t('field.number'), key: 'number', width: 150, render: (_, a) => <Link to={`/orders/${a.workorderId}`}>{a.number}</Link> },
          { title: t('field.title'), key: 'title', width: 200, ellipsis: true, render: (_, a) => a.title },
          { title: t('appeal.unit'), key: 'unit', width: 130, render: (_, a) => a.unitName },
          { title: t('appeal.kind'), key: 'kind', width: 120, render: (_, a) => t(`appeal.${a.kind}`) },
          { title: t('appeal.reason'), key: 'reason', ellipsis: true, render: (_, a) => a.reason },
          { title: t('appeal.filedAt'), key: 'filedAt', width: 140, render: (_, a) => fmtTime(a.filedAt) },
          {
            title: t('appeal.status'),
            key: 'status',
            width: 130,
            render: (_, a) =>
              a.status === 'pending' ? (
                <Link to={`/orders/${a.workorderId}`}>{t('rulings.open')}</Link>
              ) : (
                <Tag color={a.status === 'upheld' ? 'green' : 'red'}>{t(`appeal.${a.status}`)}</Tag>
              ),
          },
        ]}
      />
    </>
  );
}

export function Rulings() {
  const { t } = useI18n();
  return (
    <>
      <Typography.Title level={3} className="page-title">
        {t('rulings.title')}
      </Typography.Title>
      <Tabs
        items={[
          {
            key: 'final',
            label: t('rulings.final'),
            children: (
              <OrderTable
                caption={t('rulings.final')}
                fixedStatus={['returned']}
                fixedPending="final-ruling"
                extraColumns={[
                  {
                    title: t('field.actions'),
                    key: 'actions',
                    width: 140,
                    fixed: 'right',
                    render: (o, reload) => <OrderActions size="small" order={o} only={['final-ruling']} onDone={reload} />,
                  },
                ]}
              />
            ),
          },
          { key: 'appeals', label: t('rulings.appeals'), children: <Appeals status="pending" /> },
          { key: 'ruled', label: t('rulings.decided'), children: <Appeals status={undefined} /> },
        ]}
      />
    </>
  );
}
