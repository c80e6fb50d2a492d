// Work orders from GET /workorders: filters (status, type, text), cursor paging, and a
// column for each workspace's own actions.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Button, Input, Select, Space, Table, Tag, Tooltip } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { get } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';
import { ORDER_TYPES, STATUSES, type Page, type Status, type WorkOrder } from '../types';
import { useActionError } from './OrderActions';
import { fmtTime } from '../time';

export const STATUS_COLORS: Record<Status, string> = {
  new: 'blue',
  dispatched: 'cyan',
  accepted: 'geekblue',
  returned: 'orange',
  replied: 'purple',
  reopened: 'red',
  closed: 'default',
};

export function StatusTag({ status }: { status: Status }) {
  const { t } = useI18n();
  return <Tag color={STATUS_COLORS[status]}>{t(`status.${status}`)}</Tag>;
}

export interface Filters {
  status?: Status[];
  type?: string;
  q?: string;
}

export function OrderTable({
  fixedStatus,
  initial = {},
  showFilters = true,
  extraColumns = [],
  pageSize = 20,
  reloadKey = 0,
  onFilters,
  caption,
}: {
  fixedStatus?: Status[];
  initial?: Filters;
  showFilters?: boolean;
  extraColumns?: {
    title: string;
    key: string;
    width?: number;
    fixed?: 'right';
    render: (o: WorkOrder, reload: () => void, replace: (o: WorkOrder) => void) => ReactNode;
  }[];
  pageSize?: number;
  reloadKey?: number;
  onFilters?: (f: Filters) => void;
  caption: string;
}) {
  const { t } = useI18n();
  const { unitName } = useSession();
  const [filters, setFilters] = useState<Filters>(initial);
  const [text, setText] = useState(initial.q ?? '');
  const [cursors, setCursors] = useState<(string | null)[]>([null]); // cursor of each page seen
  const [page, setPage] = useState<Page<WorkOrder>>({ items: [], nextCursor: null });
  const [loading, setLoading] = useState(false);
  const showError = useActionError();
  const cursor = cursors[cursors.length - 1] ?? null;

  // A caller's fixed statuses arrive as a new array each render: the effect keys on their text.
  const fixedKey = fixedStatus?.join(',');
  const load = useCallback(async () => {
    setLoading(true);
    try {
      const fixed = fixedKey ? (fixedKey.split(',') as Status[]) : undefined;
      const status = fixed ? (filters.status?.length ? filters.status.filter((s) => fixed.includes(s)) : fixed) : filters.status;
      setPage(await get<Page<WorkOrder>>('/workorders', { status, type: filters.type, q: filters.q, limit: pageSize, cursor: cursor ?? undefined }));
    } catch (e) {
      showError(e);
    } finally {
      setLoading(false);
    }
  }, [filters, fixedKey, cursor, pageSize, showError]);

  // reloadKey: the caller asks for the same page again (after an action elsewhere).
  useEffect(() => void load(), [load, reloadKey]);

  const change = (f: Filters) => {
    setFilters(f);
    setCursors([null]);
    onFilters?.(f);
  };
  const replace = (o: WorkOrder) => setPage((p) => ({ ...p, items: p.items.map((x) => (x.id === o.id ? o : x)) }));
  const statusOptions = (fixedStatus ?? [...STATUSES]).map((s) => ({ label: t(`status.${s}`), value: s }));

  return (
    <section aria-label={caption}>
      {showFilters && (
        <Space wrap style={{ marginBottom: 12 }}>
          <Select
            aria-label={t('field.status')}
            mode="multiple"
            allowClear
            placeholder={t('field.status')}
            style={{ minWidth: 200 }}
            value={filters.status ?? []}
            options={statusOptions}
            onChange={(v) => change({ ...filters, status: v })}
            maxTagCount="responsive"
          />
          <Select
            aria-label={t('field.type')}
            allowClear
            placeholder={t('field.type')}
            style={{ width: 130 }}
            value={filters.type}
            options={ORDER_TYPES.map((x) => ({ label: t(`type.${x}`), value: x }))}
            onChange={(v) => change({ ...filters, type: v })}
          />
          <Input.Search
            aria-label={t('field.search')}
            placeholder={t('field.search')}
            allowClear
            style={{ width: 260 }}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onSearch={(v) => change({ ...filters, q: v.trim() || undefined })}
          />
          <Tooltip title={t('list.refresh')}>
            <Button aria-label={t('list.refresh')} icon={<ReloadOutlined />} onClick={() => void load()} />
          </Tooltip>
        </Space>
      )}
      <Table<WorkOrder>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={page.items}
        pagination={false}
        locale={{ emptyText: t('list.empty') }}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('field.number'), key: 'number', width: 150, render: (_, o) => <Link to={`/orders/${o.id}`}>{o.number}</Link> },
          {
            title: t('field.title'),
            key: 'title',
            width: 280,
            ellipsis: true,
            render: (_, o) => (
              <span>
                {o.urgency === 'urgent' && <Tag color="red">{t('urgency.urgent')}</Tag>}
                {o.title}
              </span>
            ),
          },
          { title: t('field.type'), key: 'type', width: 70, render: (_, o) => t(`type.${o.type}`) },
          {
            title: t('field.status'),
            key: 'status',
            width: 90,
            render: (_, o) => (
              <>
                <StatusTag status={o.status} />
                {o.pendingReply && <Tag color="purple">{t('order.reviewTag')}</Tag>}
                {o.pendingExtension && !o.pendingExtension.endorsed && <Tag color="gold">{t('order.extensionTag')}</Tag>}
              </>
            ),
          },
          { title: t('field.mainUnit'), key: 'unit', width: 150, ellipsis: true, render: (_, o) => unitName(o.mainUnitId) },
          { title: t('field.createdAt'), key: 'createdAt', width: 130, render: (_, o) => fmtTime(o.createdAt) },
          ...extraColumns.map((c) => ({
            title: c.title,
            key: c.key,
            width: c.width,
            fixed: c.fixed,
            render: (_: unknown, o: WorkOrder) => c.render(o, () => void load(), replace),
          })),
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors([null])}>
          {t('list.first')}
        </Button>
        <Button disabled={!page.nextCursor} onClick={() => page.nextCursor && setCursors([...cursors, page.nextCursor])}>
          {t('list.more')}
        </Button>
      </Space>
    </section>
  );
}
