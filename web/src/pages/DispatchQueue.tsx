// The dispatcher's queue: new, returned and reopened orders, each dispatched in one click
// to the unit picked in its row (pre-filled with the order's district as a first suggestion);
// beside it the units' suspension requests and returns waiting for the center's approval.
import { useEffect, useState } from 'react';
import { App, Button, Space, Tabs, TreeSelect, Typography } from 'antd';
import { get, post } from '../api';
import { useI18n } from '../i18n';
import { unitTree, useSession } from '../session';
import { OrderTable } from '../components/OrderTable';
import { DispatchSuggestion, type DispatchSuggestionData } from '../components/DispatchSuggestion';
import { OrderActions, useActionError, type ActionName } from '../components/OrderActions';
import { HeatPanel } from '../components/HeatPanel';
import type { OrderEvent, WorkOrder } from '../types';

function ReturnReason({ order }: { order: WorkOrder }) {
  const [reason, setReason] = useState<string | null>(null);
  useEffect(() => {
    if (order.status !== 'returned' && order.status !== 'reopened') return;
    get<{ items: OrderEvent[] }>(`/workorders/${order.id}/events`)
      .then((r) => {
        const last = [...r.items].reverse().find((e) => e.type === 'returned' || e.type === 'surveyed');
        setReason(last ? (last.data.reason ?? last.data.note ?? null) : null);
      })
      .catch(() => undefined);
  }, [order.id, order.status]);
  return reason ? (
    <Typography.Text type="warning" className="pre">
      {reason}
    </Typography.Text>
  ) : (
    <>—</>
  );
}

function DispatchCell({ order, onDone }: { order: WorkOrder; onDone: () => void }) {
  const { t } = useI18n();
  const { units } = useSession();
  const { message } = App.useApp();
  const [unitId, setUnitId] = useState<number | undefined>(order.location?.districtUnitId ?? undefined);
  const [suggestion, setSuggestion] = useState<DispatchSuggestionData | null>(null);
  const [busy, setBusy] = useState(false);
  // What the platform suggested when the order was made: a new order's unit is pre-picked from it
  // (a returned or reopened one keeps the district, the suggested unit may be the one that returned it).
  useEffect(() => {
    let live = true;
    get<{ suggestion: DispatchSuggestionData | null }>(`/dispatch/suggestions/${order.id}`)
      // An order made before there was a model (or loaded in bulk) is asked about now.
      .then(
        (r) =>
          r.suggestion ??
          post<DispatchSuggestionData>('/dispatch/suggest', {
            title: order.title,
            content: order.content,
            categoryCode: order.categoryCode ?? null,
            districtUnitId: order.location?.districtUnitId ?? null,
          }),
      )
      .then((found) => {
        if (!live || !found) return;
        setSuggestion(found);
        const first = found.decision?.unitId ?? found.units[0]?.unitId;
        if (order.status === 'new' && first) setUnitId(first);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [order.id, order.status, order.title, order.content, order.categoryCode, order.location?.districtUnitId]);
  const showError = useActionError(onDone);
  const dispatch = async () => {
    if (!unitId) return void message.warning(t('action.pickUnit'));
    setBusy(true);
    try {
      await post(`/workorders/${order.id}/actions/dispatch`, { version: order.version, unitId });
      message.success(t('action.done', { action: t('action.dispatch') }));
      onDone();
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" size={4} style={{ width: '100%' }}>
      <Space.Compact style={{ width: '100%' }}>
        <TreeSelect
          aria-label={`${t('action.pickUnit')} ${order.number}`}
          style={{ width: 190 }}
          value={unitId}
          onChange={setUnitId}
          treeData={unitTree(units, { activeOnly: true })}
          showSearch
          treeNodeFilterProp="title"
          treeDefaultExpandAll
          placeholder={t('action.pickUnit')}
          popupMatchSelectWidth={false}
        />
        <Button type="primary" loading={busy} onClick={() => void dispatch()} aria-label={`${t('action.dispatch')} ${order.number}`}>
          {t('action.dispatch')}
        </Button>
      </Space.Compact>
      {suggestion && suggestion.units.length > 0 && <DispatchSuggestion suggestion={suggestion} compact onPickUnit={setUnitId} />}
    </Space>
  );
}

export function DispatchQueue() {
  const { t } = useI18n();
  // The center's own approvals on the departments' side wait in their own tabs (#24).
  const approvals = (pending: 'suspension' | 'return-review', only: ActionName[]) => (
    <OrderTable
      caption={t(pending === 'suspension' ? 'dispatch.suspensions' : 'dispatch.returns')}
      fixedStatus={['dispatched', 'accepted']}
      fixedPending={pending}
      extraColumns={[
        {
          title: t('field.actions'),
          key: 'actions',
          width: 240,
          fixed: 'right',
          render: (o, reload) => <OrderActions size="small" order={o} only={only} onDone={reload} />,
        },
      ]}
    />
  );
  return (
    <>
      <Typography.Title level={3} className="page-title">
        {t('dispatch.title')}
      </Typography.Title>
      <Tabs
        items={[
          {
            key: 'queue',
            label: t('dispatch.queue'),
            children: (
              <OrderTable
                caption={t('dispatch.title')}
                fixedStatus={['new', 'returned', 'reopened']}
                extraColumns={[
                  { title: t('dispatch.lastReason'), key: 'reason', width: 160, render: (o) => <ReturnReason order={o} /> },
                  {
                    title: t('action.dispatch'),
                    key: 'dispatch',
                    width: 300,
                    fixed: 'right',
                    render: (o, reload) => <DispatchCell order={o} onDone={reload} />,
                  },
                  {
                    title: t('field.actions'),
                    key: 'more',
                    width: 110,
                    fixed: 'right',
                    render: (o, reload) => <OrderActions size="small" order={o} only={['close']} onDone={reload} />,
                  },
                ]}
              />
            ),
          },
          { key: 'map', label: t('map.heatTitle'), children: <HeatPanel openOnly height={480} /> },
          { key: 'suspensions', label: t('dispatch.suspensions'), children: approvals('suspension', ['approve-suspension', 'reject-suspension']) },
          { key: 'returns', label: t('dispatch.returns'), children: approvals('return-review', ['approve-return', 'reject-return']) },
        ]}
      />
    </>
  );
}
