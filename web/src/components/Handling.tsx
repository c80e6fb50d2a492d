// The departments' side of one order (issue #24): where it waits (suspension, return review, final
// ruling), the way it went down the tree, the named handler, the co-units' parts and the appeal.
import { Alert, Card, Descriptions, Space, Tag, Typography } from 'antd';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { fmtTime } from '../time';
import type { WorkOrder } from '../types';

/** The appeal as GET /workorders/{id} adds it (src/appeals). */
interface AppealView {
  status: 'pending' | 'upheld' | 'rejected';
  kind: 'unreasonable' | 'not_our_duty' | 'survey_error';
  reason: string;
  unitName: string;
  filedAt: string;
  windowEndsAt: string;
  note: string | null;
  rightUnitName: string | null;
}
type View = WorkOrder & { assigneeName?: string | null; appeal?: AppealView };

/** What the order waits for from the center, above the order's fields. */
export function HandlingAlerts({ order }: { order: View }) {
  const { t } = useI18n();
  const { unitName } = useSession();
  const alerts: { type: 'info' | 'warning' | 'error'; text: string; id: string }[] = [];
  if (order.suspension)
    alerts.push({
      id: 'suspended',
      type: 'warning',
      text: t('order.suspendedUntil', { until: fmtTime(order.suspension.endsAt), reason: order.suspension.reason }),
    });
  if (order.pendingSuspension)
    alerts.push({
      id: 'pending-suspension',
      type: 'info',
      text: t('order.pendingSuspension', { days: order.pendingSuspension.workingDays, reason: order.pendingSuspension.reason }),
    });
  if (order.pendingReturn) alerts.push({ id: 'pending-return', type: 'warning', text: t('order.pendingReturn', { reason: order.pendingReturn.reason }) });
  if (order.awaitingRuling) alerts.push({ id: 'awaiting-ruling', type: 'error', text: t('order.awaitingRuling') });
  if (order.finalUnitId != null) alerts.push({ id: 'final-unit', type: 'info', text: t('order.finalUnit', { unit: unitName(order.finalUnitId) }) });
  return (
    <>
      {alerts.map((a) => (
        <Alert key={a.id} data-testid={a.id} style={{ marginBottom: 12 }} type={a.type} showIcon title={a.text} />
      ))}
    </>
  );
}

/** The transfer path, the named handler, the co-units' parts and the appeal, under the order's fields. */
export function Handling({ order }: { order: View }) {
  const { t } = useI18n();
  const { unitName } = useSession();
  const chain = order.transferChain ?? [];
  const hasCo = order.coUnitIds.length > 0;
  if (!chain.length && order.assigneeId == null && !hasCo && !order.appeal) return null;
  return (
    <Card size="small" title={t('order.handling')} style={{ marginTop: 16 }} data-testid="handling">
      <Descriptions size="small" column={1} bordered>
        {chain.length > 0 && (
          <Descriptions.Item label={t('order.transferChain')}>
            <span data-testid="transfer-chain">
              {unitName(chain[0]!.fromUnitId)}
              {chain.map((s, i) => (
                <span key={i}>
                  {' → '}
                  {unitName(s.unitId)}{' '}
                  {s.signedAt ? (
                    <Typography.Text type="secondary">{t('order.signedAt', { at: fmtTime(s.signedAt) })}</Typography.Text>
                  ) : (
                    <Tag color="cyan">{t('order.unsigned')}</Tag>
                  )}
                </span>
              ))}
            </span>
          </Descriptions.Item>
        )}
        {order.internalDueAt && <Descriptions.Item label={t('order.internalDue')}>{fmtTime(order.internalDueAt)}</Descriptions.Item>}
        {order.assigneeId != null && (
          <Descriptions.Item label={t('order.assignee')}>
            <span data-testid="assignee">{order.assigneeName ?? t('event.staff')}</span>
          </Descriptions.Item>
        )}
        {hasCo && (
          <Descriptions.Item label={t('order.coReplies')}>
            <Space direction="vertical" size={4} data-testid="co-replies">
              {order.coUnitIds.map((u) => {
                const part = order.coReplies?.find((c) => c.unitId === u);
                return (
                  <div key={u}>
                    <Typography.Text strong>{unitName(u)}</Typography.Text>{' '}
                    {part ? (
                      <>
                        <Typography.Text type="secondary">{fmtTime(part.at)}</Typography.Text>{' '}
                        {part.onTime != null && <Tag color={part.onTime ? 'green' : 'orange'}>{part.onTime ? t('order.onTime') : t('order.late')}</Tag>}
                        <div className="pre">{part.content}</div>
                      </>
                    ) : (
                      <Tag>{t('order.coReplyMissing')}</Tag>
                    )}
                  </div>
                );
              })}
            </Space>
          </Descriptions.Item>
        )}
        {order.appeal && (
          <Descriptions.Item label={t('order.appeal')}>
            <div data-testid="appeal">
              <Tag color={order.appeal.status === 'upheld' ? 'green' : order.appeal.status === 'rejected' ? 'red' : 'gold'}>
                {t(`appeal.${order.appeal.status}`)}
              </Tag>
              {t('order.appealBy', { unit: order.appeal.unitName, kind: t(`appeal.${order.appeal.kind}`), reason: order.appeal.reason })}
              <div>
                <Typography.Text type="secondary">
                  {fmtTime(order.appeal.filedAt)}
                  {order.appeal.status === 'pending' ? ` · ${t('order.appealWindow', { at: fmtTime(order.appeal.windowEndsAt) })}` : ''}
                </Typography.Text>
              </div>
              {order.appeal.status !== 'pending' && (
                <div className="pre">
                  {t('order.appealRuling', { decision: t(`appeal.${order.appeal.status}`), note: order.appeal.note ?? '' })}
                  {order.appeal.rightUnitName ? ` ${t('order.appealMoved', { unit: order.appeal.rightUnitName })}` : ''}
                </div>
              )}
            </div>
          </Descriptions.Item>
        )}
      </Descriptions>
    </Card>
  );
}
