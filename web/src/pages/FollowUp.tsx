// Follow-up (回访): the queue of replied orders (GET /survey/queue, oldest reply first), and for
// the order being called: the script to read, the unit's reply, how many calls did not get
// through, and the outcomes (satisfied/unresolved via `survey`, 未接通 via `survey-unreachable`).
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Empty, Row, Space, Switch, Table, Tag, Typography } from 'antd';
import { get } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { fmtTime } from '../time';
import { OrderActions } from '../components/OrderActions';
import type { WorkOrder } from '../types';

interface QueueItem {
  order: WorkOrder;
  unitName: string | null;
  script: string;
  dueAt: string;
}
interface Queue {
  items: QueueItem[];
  total: number;
  rules: { maxAttempts: number; retryAfterMinutes: number };
}

export function FollowUp() {
  const { t } = useI18n();
  const [queue, setQueue] = useState<Queue | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [includeWaiting, setIncludeWaiting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const q = await get<Queue>('/survey/queue', { limit: 50, includeWaiting });
      setQueue(q);
      setError(null);
      setSelected((id) => (q.items.some((i) => i.order.id === id) ? id : (q.items[0]?.order.id ?? null)));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [includeWaiting]);
  useEffect(() => void load(), [load]);

  const item = queue?.items.find((i) => i.order.id === selected) ?? null;
  const max = queue?.rules.maxAttempts ?? 3;
  const waiting = (i: QueueItem) => Date.parse(i.dueAt) > Date.now();

  return (
    <>
      <Typography.Title level={3} className="page-title">
        {t('followup.title')}
      </Typography.Title>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Row gutter={16}>
        <Col xs={24} xl={13}>
          <Card
            size="small"
            title={t('followup.queue', { n: queue?.total ?? 0 })}
            extra={
              <Space>
                <Switch size="small" checked={includeWaiting} onChange={setIncludeWaiting} aria-label={t('followup.includeWaiting')} />
                <Typography.Text type="secondary">{t('followup.includeWaiting')}</Typography.Text>
                <Button size="small" onClick={() => void load()}>
                  {t('followup.refresh')}
                </Button>
              </Space>
            }
          >
            <Table<QueueItem>
              rowKey={(i) => i.order.id}
              size="small"
              pagination={false}
              dataSource={queue?.items ?? []}
              loading={!queue && !error}
              locale={{ emptyText: t('followup.empty') }}
              onRow={(i) => ({ onClick: () => setSelected(i.order.id), style: { cursor: 'pointer' } })}
              rowClassName={(i) => (i.order.id === selected ? 'ant-table-row-selected' : '')}
              columns={[
                { title: t('field.number'), key: 'n', width: 125, render: (_, i) => <Link to={`/orders/${i.order.id}`}>{i.order.number}</Link> },
                { title: t('field.title'), key: 't', ellipsis: true, render: (_, i) => i.order.title },
                { title: t('field.unit'), key: 'u', width: 100, ellipsis: true, render: (_, i) => i.unitName ?? '—' },
                {
                  title: t('followup.attempts'),
                  key: 'a',
                  width: 70,
                  render: (_, i) =>
                    i.order.surveyAttempts > 0 ? <Tag color="orange">{t('followup.attemptsOf', { n: i.order.surveyAttempts, max })}</Tag> : '—',
                },
                {
                  title: t('followup.nextCall'),
                  key: 'd',
                  width: 90,
                  render: (_, i) => (waiting(i) ? fmtTime(i.dueAt) : <Typography.Text type="success">{t('followup.now')}</Typography.Text>),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={11}>
          <Card size="small" title={item ? `${t('followup.script')} · ${item.order.number}` : t('followup.script')} data-testid="followup-call">
            {!item ? (
              <Empty description={t('followup.pick')} />
            ) : (
              <>
                <Typography.Paragraph className="pre" data-testid="followup-script" style={{ fontSize: 15 }}>
                  {item.script}
                </Typography.Paragraph>
                <Typography.Paragraph>
                  <b>{t('field.reply')}</b>{' '}
                  {item.order.reply && (
                    <Tag color={item.order.reply.resolved ? 'green' : 'orange'}>{item.order.reply.resolved ? t('field.resolved') : t('field.notResolved')}</Tag>
                  )}
                  <span className="pre">{item.order.reply?.content ?? '—'}</span>
                </Typography.Paragraph>
                <Typography.Paragraph type="secondary" data-testid="followup-attempts">
                  {t('followup.attemptsLine', { n: item.order.surveyAttempts, max, minutes: queue?.rules.retryAfterMinutes ?? 0 })}
                  {item.order.lastSurveyAttemptAt && ` · ${t('followup.lastAttempt', { at: fmtTime(item.order.lastSurveyAttemptAt) })}`}
                </Typography.Paragraph>
                <OrderActions order={item.order} only={['survey', 'survey-unreachable']} onDone={() => void load()} />
              </>
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
