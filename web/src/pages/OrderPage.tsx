// One order: its fields, the actions this user may take, and the whole history as a timeline.
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Empty, Row, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';
import { get } from '../api';
import { useI18n, type T } from '../i18n';
import { useSession } from '../session';
import { OrderActions } from '../components/OrderActions';
import { Attachments } from '../components/Attachments';
import { SmsEntry, type SmsMessage } from '../components/SmsMessages';
import { StatusTag } from '../components/OrderTable';
import { fmtTime } from '../time';
import { DeadlineTag, useDeadlines } from '../components/Deadline';
import { calendarLabel } from '../components/CalendarSource';
import { Link } from '../router';
import { Handling, HandlingAlerts } from '../components/Handling';
import { CityMap } from '../components/CityMap';
import { AreasLine, type ResolvedAreas } from '../components/AreasLine';
import type { OrderEvent, WorkOrder } from '../types';

interface Caller {
  id: number | null;
  /** As src/duplicates/merge.ts writes it. */
  source: 'order' | 'repeat' | 'merge';
  name: string | null;
  phone: string | null;
  contactId: number | null;
  sourceOrderId: number | null;
  addedAt: string;
}
interface Merge {
  id: number;
  mainId: number;
  duplicateId: number;
  mode: string;
  createdAt: string;
  undoneAt: string | null;
}

/** The order as GET /workorders/:id gives it: with the number of the order it duplicates. */
type OrderView = WorkOrder & { duplicateOfNumber?: string | null };

/** Deadlines, callers about the same problem, and merged duplicates of one order. */
function OrderLinks({ order }: { order: OrderView }) {
  const { t, lang } = useI18n();
  const deadlines = useDeadlines(order.id, order.version);
  const [callers, setCallers] = useState<Caller[]>([]);
  const [merges, setMerges] = useState<Merge[]>([]);
  useEffect(() => {
    get<{ items: Caller[] }>(`/workorders/${order.id}/callers`)
      .then((r) => setCallers(r.items))
      .catch(() => setCallers([]));
    get<{ merges: Merge[] }>(`/workorders/${order.id}/duplicates`)
      .then((r) => setMerges(r.merges))
      .catch(() => setMerges([]));
  }, [order.id, order.version]);
  return (
    <>
      <Card size="small" title={t('order.deadlines')} style={{ marginBottom: 16 }} data-testid="deadlines">
        {!deadlines?.length ? (
          <Typography.Text type="secondary">{t('deadline.none')}</Typography.Text>
        ) : (
          <Space direction="vertical" size={4}>
            {deadlines.map((d) => (
              <div key={d.kind + d.cycle}>
                <DeadlineTag d={d} />{' '}
                <Typography.Text type="secondary">
                  {d.duration.amount}
                  {t(`deadline.unit.${d.duration.unit}`)}
                  {d.extensionDays ? ` +${d.extensionDays}${t('deadline.days')}` : ''} · {t('deadline.due')} {fmtTime(d.dueAt)}
                  {d.metAt ? ` · ${t('deadline.metAt')} ${fmtTime(d.metAt)}` : ''}
                  {(d.calendars ?? []).map((c) => ` · ${t('cal.deadline')} ${c.year}：${calendarLabel(c, t, lang)}`).join('')}
                </Typography.Text>
                {!!d.suspendedWorkingMs && (
                  <div>
                    <Typography.Text type="secondary" data-testid="deadline-suspended">
                      {t('deadline.suspendedBy', {
                        hours: Math.round((d.suspendedWorkingMs / 3_600_000) * 10) / 10,
                        reasons: (d.suspensions ?? []).map((x) => x.reason ?? '—').join('；'),
                      })}
                    </Typography.Text>
                  </div>
                )}
              </div>
            ))}
          </Space>
        )}
      </Card>
      <Card size="small" title={`${t('order.callers')} (${callers.length})`} style={{ marginBottom: 16 }}>
        {callers.length === 0 ? (
          <Typography.Text type="secondary">—</Typography.Text>
        ) : (
          callers.map((c, i) => (
            <div key={i}>
              {c.name ?? '—'} · {c.phone ?? '—'} <Tag>{t(`callerSource.${c.source}`)}</Tag>
              {c.sourceOrderId && c.sourceOrderId !== order.id && <Link to={`/orders/${c.sourceOrderId}`}>#{c.sourceOrderId}</Link>}{' '}
              <Typography.Text type="secondary">{fmtTime(c.addedAt)}</Typography.Text>
            </div>
          ))
        )}
      </Card>
      {(merges.length > 0 || order.duplicateOf) && (
        <Card size="small" title={t('order.duplicates')} style={{ marginBottom: 16 }}>
          {order.duplicateOf && (
            <div>
              {t('order.duplicateOf')} <Link to={`/orders/${order.duplicateOf}`}>{order.duplicateOfNumber ?? t('order.duplicateOfOpen')}</Link>
            </div>
          )}
          {merges.map((m) => {
            const other = m.mainId === order.id ? m.duplicateId : m.mainId;
            return (
              <div key={m.id}>
                {m.mainId === order.id ? t('order.mergedIn') : t('order.mergedInto')} <Link to={`/orders/${other}`}>#{other}</Link>{' '}
                <Typography.Text type="secondary">
                  {fmtTime(m.createdAt)}
                  {m.undoneAt ? ` · ${t('order.undone')}` : ''}
                </Typography.Text>
              </div>
            );
          })}
        </Card>
      )}
    </>
  );
}

const EVENT_COLORS: Record<string, string> = {
  created: 'blue',
  dispatched: 'cyan',
  signed: 'geekblue',
  returned: 'orange',
  replied: 'purple',
  surveyed: 'green',
  closed: 'gray',
  supervised: 'red',
  extension_requested: 'gold',
  extension_approved: 'green',
  extension_rejected: 'red',
  reply_submitted: 'purple',
  reply_rejected: 'orange',
  extension_endorsed: 'gold',
  transferred_down: 'cyan',
  transfer_signed: 'geekblue',
  transfer_returned: 'orange',
  reply_forwarded: 'purple',
  co_replied: 'purple',
  suspension_approved: 'magenta',
  suspension_ended: 'magenta',
  return_requested: 'orange',
  final_ruling: 'red',
  appeal_filed: 'gold',
  appeal_ruled: 'green',
};

function eventDetail(ev: OrderEvent, t: T, unitName: (id: number | null) => string, order: OrderView): string[] {
  const d = ev.data;
  switch (ev.type) {
    case 'created':
      return [`${t('type', d.type)} · ${t('urgency', d.urgency)} · ${d.number}`];
    case 'dispatched':
      return [
        `${t('field.mainUnit')}: ${unitName(d.unitId)}`,
        ...(d.coUnitIds?.length ? [`${t('field.coUnits')}: ${d.coUnitIds.map(unitName).join('、')}`] : []),
        ...(d.note ? [d.note] : []),
      ];
    case 'returned':
      return [`${t('field.reason')}: ${d.reason}`];
    case 'extension_requested':
      return [`${t('field.days')}: ${d.days}`, `${t('field.reason')}: ${d.reason}`];
    case 'extension_approved':
      return [`${t('field.days')}: ${d.days}`, ...(d.note ? [d.note] : [])];
    case 'extension_rejected':
      return [...(d.by === 'unit' ? [t('order.declinedByUnit')] : []), ...(d.reason ? [`${t('field.reason')}: ${d.reason}`] : [])];
    case 'replied':
      return [d.content, d.resolved ? t('field.resolved') : t('field.notResolved'), ...(d.amended ? [t('order.replyAmended')] : [])];
    case 'reply_submitted':
      return [d.content, d.resolved ? t('field.resolved') : t('field.notResolved')];
    case 'reply_rejected':
      return [`${t('field.reason')}: ${d.reason}`];
    case 'extension_endorsed':
      return [];
    case 'surveyed':
      return [`${t('sat', d.satisfaction)} · ${d.resolved ? t('field.resolved') : t('field.notResolved')}`, ...(d.note ? [d.note] : [])];
    case 'closed':
      return [t('close', d.reason) + (d.duplicateOf && d.duplicateOf === order.duplicateOf && order.duplicateOfNumber ? ` → ${order.duplicateOfNumber}` : '')];
    case 'supervised':
      return [d.note];
    case 'transferred_down':
      return [
        `${unitName(d.fromUnitId)} → ${unitName(d.unitId)}`,
        ...(d.internalDueAt ? [`${t('order.internalDue')}: ${fmtTime(d.internalDueAt)}`] : []),
        ...(d.note ? [d.note] : []),
      ];
    case 'transfer_returned':
      return [`${unitName(d.fromUnitId)} → ${unitName(d.toUnitId)}`, `${t('field.reason')}: ${d.reason}`];
    case 'reply_forwarded':
      return [`${t('order.upperReview', { unit: unitName(d.reviewUnitId) })}`, ...(d.amended ? [t('order.replyAmended')] : [])];
    case 'assigned':
      return [];
    case 'co_replied':
      return [`${unitName(d.unitId)}${d.onTime === false ? ` · ${t('order.late')}` : ''}`, d.content];
    case 'suspension_requested':
      return [`${t('order.suspensionDays')}: ${d.workingDays}`, `${t('field.reason')}: ${d.reason}`];
    case 'suspension_approved':
      return [`${fmtTime(d.startedAt)} → ${fmtTime(d.endsAt)}`, ...(d.note ? [d.note] : [])];
    case 'suspension_ended':
      return [
        t('order.suspensionWorking', { hours: Math.round((d.workingMs / 3_600_000) * 10) / 10 }) + (d.automatic ? ` · ${t('order.suspensionAuto')}` : ''),
      ];
    case 'suspension_rejected':
    case 'return_rejected':
      return d.reason ? [`${t('field.reason')}: ${d.reason}`] : [];
    case 'return_requested':
      return [`${t('field.reason')}: ${d.reason}`];
    case 'final_ruling':
      return [`${t('field.mainUnit')}: ${unitName(d.unitId)}`, ...(d.note ? [d.note] : [])];
    case 'appeal_filed':
      return [`${t(`appeal.${d.kind as 'unreasonable'}`)}`, d.reason];
    case 'appeal_ruled':
      return [t(`appeal.${d.decision as 'upheld'}`), ...(d.unitId ? [t('order.appealMoved', { unit: unitName(d.unitId) })] : []), ...(d.note ? [d.note] : [])];
    default:
      return [];
  }
}

/** The category's names from the top level down ("城乡建设 / 市容环卫 / 垃圾清运"); the code alone until they load. */
function useCategoryPath(code: string | null | undefined): string | null {
  const [path, setPath] = useState<string | null>(null);
  useEffect(() => {
    setPath(null);
    if (!code) return;
    let live = true;
    (async () => {
      const names: string[] = [];
      let next: string | null = code;
      for (let level = 0; next && level < 3; level++) {
        const c: { name: string; parentCode: string | null } = await get(`/categories/${encodeURIComponent(next)}`);
        names.unshift(c.name);
        next = c.parentCode;
      }
      if (live) setPath(names.join(' / '));
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [code]);
  return path;
}

export function OrderPage({ id }: { id: number }) {
  const { t } = useI18n();
  const { unitName, user } = useSession();
  const [order, setOrder] = useState<OrderView | null>(null);
  const [events, setEvents] = useState<OrderEvent[]>([]);
  const [sms, setSms] = useState<SmsMessage[]>([]);
  const [error, setError] = useState<string | null>(null);
  const categoryPath = useCategoryPath(order?.categoryCode);

  const load = useCallback(async () => {
    try {
      const [o, ev] = await Promise.all([get<WorkOrder>(`/workorders/${id}`), get<{ items: OrderEvent[] }>(`/workorders/${id}/events`)]);
      setOrder(o);
      setEvents(ev.items);
      setError(null);
      // The messages sent about the order join its history (no version of their own).
      setSms((await get<{ items: SmsMessage[] }>(`/workorders/${id}/sms`).catch(() => ({ items: [] }))).items);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [id]);
  useEffect(() => void load(), [load]);

  if (error) return <Alert type="error" role="alert" title={error} />;
  if (!order) return <Spin />;
  const actorName = (ev: OrderEvent) =>
    ev.actorId == null
      ? t('event.system')
      : ev.actorName
        ? ev.actorUnit
          ? t('event.actorOfUnit', { name: ev.actorName, unit: ev.actorUnit })
          : ev.actorName
        : ev.actorId === user?.id
          ? user.displayName
          : t('event.staff');
  const masked = order.citizen?.phone?.includes('*');
  const timelineEvent = (ev: OrderEvent) => ({
    key: `ev-${ev.seq}`,
    color: EVENT_COLORS[ev.type] ?? 'gray',
    content: (
      <div>
        <Typography.Text strong>{t('event', ev.type)}</Typography.Text>{' '}
        <Typography.Text type="secondary">
          {fmtTime(ev.at)} · {t('event.by')} {actorName(ev)}
        </Typography.Text>
        {eventDetail(ev, t, unitName, order).map((line, i) => (
          <div key={i} className="pre">
            {line}
          </div>
        ))}
      </div>
    ),
  });

  // The areas module's part of the single read: district, sub-district and community of the order's area.
  const areas = (order as WorkOrder & { areas?: ResolvedAreas }).areas;
  return (
    <article aria-labelledby="order-title">
      <Space style={{ marginBottom: 8 }}>
        <Button icon={<ArrowLeftOutlined />} onClick={() => history.back()}>
          {t('order.back')}
        </Button>
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('order.refresh')}
        </Button>
      </Space>
      <Typography.Title level={3} id="order-title" className="page-title">
        {order.number} <StatusTag status={order.status} /> {order.urgency === 'urgent' && <Tag color="red">{t('urgency.urgent')}</Tag>}
      </Typography.Title>
      <Typography.Title level={4} style={{ marginTop: 0 }} data-testid="order-heading">
        {order.title}
      </Typography.Title>
      <div style={{ marginBottom: 12 }}>
        <OrderActions order={order} openDraft onDone={(o) => (o ? void load() : void load())} />
      </div>
      {order.pendingReply && (
        <Alert
          style={{ marginBottom: 12 }}
          type="info"
          showIcon
          data-testid="pending-reply"
          title={order.pendingReply.stage === 'upper' ? t('order.upperReview', { unit: unitName(order.pendingReply.reviewUnitId) }) : t('order.pendingReply')}
          description={<div className="pre">{order.pendingReply.content}</div>}
        />
      )}
      {order.pendingExtension && (
        <Alert
          style={{ marginBottom: 12 }}
          type="warning"
          showIcon
          title={
            t('order.pendingExtension', { days: order.pendingExtension.days, reason: order.pendingExtension.reason }) +
            (order.pendingExtension.endorsed ? '' : ` · ${t('order.extensionAtUnit')}`)
          }
        />
      )}
      <HandlingAlerts order={order} />
      <Row gutter={16}>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('order.title')}>
            <Descriptions size="small" column={2} bordered>
              <Descriptions.Item label={t('field.type')}>{t(`type.${order.type}`)}</Descriptions.Item>
              <Descriptions.Item label={t('field.urgency')}>{t(`urgency.${order.urgency}`)}</Descriptions.Item>
              <Descriptions.Item label={t('field.citizenName')}>{order.citizen?.name ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('field.citizenPhone')}>
                {order.citizen?.phone ?? '—'} {masked && <Typography.Text type="secondary">{t('order.masked')}</Typography.Text>}
              </Descriptions.Item>
              <Descriptions.Item label={t('field.district')}>
                {areas && (areas.district || areas.subdistrict || areas.community) ? <AreasLine areas={areas} /> : unitName(order.location?.districtUnitId)}
              </Descriptions.Item>
              <Descriptions.Item label={t('field.address')}>{order.location?.address ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('field.mainUnit')}>{unitName(order.mainUnitId)}</Descriptions.Item>
              <Descriptions.Item label={t('field.coUnits')}>{order.coUnitIds.map(unitName).join('、') || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('field.createdAt')}>{fmtTime(order.createdAt)}</Descriptions.Item>
              <Descriptions.Item label={t('field.category')}>
                {order.categoryCode ? (
                  <>
                    {categoryPath ?? order.categoryCode} <Typography.Text type="secondary">{categoryPath && order.categoryCode}</Typography.Text>
                  </>
                ) : (
                  '—'
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t('field.counts')} span={2}>
                {order.dispatchCount} / {order.returnCount} / {order.reopenCount} / {order.supervisionCount}
              </Descriptions.Item>
              <Descriptions.Item label={t('field.content')} span={2}>
                <div className="pre">{order.content}</div>
              </Descriptions.Item>
              {order.reply && (
                <Descriptions.Item label={t('field.reply')} span={2}>
                  <div className="pre">{order.reply.content}</div>
                  <Tag color={order.reply.resolved ? 'green' : 'orange'}>{order.reply.resolved ? t('field.resolved') : t('field.notResolved')}</Tag>
                </Descriptions.Item>
              )}
              {order.survey && (
                <Descriptions.Item label={t('field.survey')} span={2}>
                  {t(`sat.${order.survey.satisfaction}`)} · {order.survey.resolved ? t('field.resolved') : t('field.notResolved')}
                  {order.survey.note && <div className="pre">{order.survey.note}</div>}
                </Descriptions.Item>
              )}
            </Descriptions>
          </Card>
          <Handling order={order} />
          <div style={{ marginTop: 16 }}>
            <Attachments order={order} />
          </div>
        </Col>
        <Col xs={24} lg={10}>
          {order.location?.lat != null && order.location.lng != null && (
            <Card size="small" title={t('map.areas')} style={{ marginBottom: 16 }} data-testid="order-map">
              <CityMap
                label={t('map.orderLabel')}
                point={{ lat: order.location.lat, lng: order.location.lng }}
                kinds={['district', 'subdistrict', 'community']}
                height={220}
              />
            </Card>
          )}
          <OrderLinks order={order} />
          <Card size="small" title={t('order.history')}>
            {events.length === 0 ? (
              <Empty />
            ) : (
              <Timeline
                data-testid="timeline"
                items={[...events.map((ev) => ({ at: ev.at, ev, m: null })), ...sms.map((m) => ({ at: m.sentAt ?? m.createdAt, ev: null, m }))]
                  .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
                  .map(({ ev, m }) =>
                    m ? { key: `sms-${m.id}`, color: m.status === 'dead' ? 'red' : 'blue', content: <SmsEntry m={m} /> } : timelineEvent(ev),
                  )}
              />
            )}
          </Card>
        </Col>
      </Row>
    </article>
  );
}
