// Work orders from GET /workorders: the filters and sort the server offers (listing.ts), cursor
// paging, export of exactly what is filtered (Excel or CSV, with progress), and a column for
// each workspace's own actions.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Button, Checkbox, DatePicker, Dropdown, Input, Modal, Progress, Select, Space, Table, Tag, Tooltip, TreeSelect, Typography } from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { download, get, type DownloadProgress } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { unitTree, useSession } from '../session';
import { ORDER_TYPES, PENDING, STATUSES, URGENCIES, type Page, type Pending, type Status, type Urgency, type WorkOrder } from '../types';
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

/** Where the order waits on the departments' side, as small tags beside its status. */
export function StepTags({ order: o }: { order: WorkOrder }) {
  const { t } = useI18n();
  const last = o.transferChain?.[o.transferChain.length - 1];
  return (
    <>
      {last && last.signedAt == null && o.status === 'accepted' && <Tag color="cyan">{t('pending.transfer-sign')}</Tag>}
      {o.pendingReply?.stage === 'upper' && <Tag color="purple">{t('pending.transfer-review')}</Tag>}
      {o.pendingSuspension && <Tag color="gold">{t('pending.suspension')}</Tag>}
      {o.suspended && <Tag color="magenta">{t('pending.suspended')}</Tag>}
      {o.pendingReturn && <Tag color="orange">{t('pending.return-review')}</Tag>}
      {o.awaitingRuling && <Tag color="red">{t('pending.final-ruling')}</Tag>}
    </>
  );
}

export interface Filters {
  status?: Status[];
  type?: string;
  q?: string;
  urgency?: Urgency;
  /** Created on or after / on or before these days (YYYY-MM-DD, city time). */
  from?: string;
  to?: string;
  /** The district the problem is in (a unit of kind district). */
  district?: number;
  /** Main unit: this unit or one below it. */
  unit?: number;
  /** A category code: it and its sub-categories. */
  category?: string;
  overdue?: boolean;
  /** Only the orders the reader is the named handler of (assign). */
  mine?: boolean;
  /** Waiting on this step of the departments' side (转派, 协办, 挂起, 退单审核, 终审). */
  pending?: Pending;
  /** created_at, deadline, urgency or status; a leading - sorts descending. */
  sort?: string;
}

/** The filter keys, for callers that keep them in the URL. */
export const FILTER_KEYS = ['status', 'type', 'q', 'urgency', 'from', 'to', 'district', 'unit', 'category', 'overdue', 'mine', 'pending', 'sort'] as const;

/** Filters from a URL's query (unknown or malformed values are dropped). */
export function filtersFromQuery(search: URLSearchParams): Filters {
  const int = (k: string) => {
    const v = Number(search.get(k));
    return Number.isInteger(v) && v > 0 ? v : undefined;
  };
  const day = (k: string) => (/^\d{4}-\d{2}-\d{2}$/.test(search.get(k) ?? '') ? search.get(k)! : undefined);
  const overdue = search.get('overdue');
  const urgency = search.get('urgency');
  return {
    status: search.getAll('status').filter((s): s is Status => (STATUSES as readonly string[]).includes(s)),
    type: search.get('type') ?? undefined,
    q: search.get('q') ?? undefined,
    urgency: (URGENCIES as readonly string[]).includes(urgency ?? '') ? (urgency as Urgency) : undefined,
    from: day('from'),
    to: day('to'),
    district: int('district'),
    unit: int('unit'),
    category: search.get('category') ?? undefined,
    overdue: overdue === 'true' ? true : overdue === 'false' ? false : undefined,
    mine: search.get('mine') === 'true' ? true : undefined,
    pending: (PENDING as readonly string[]).includes(search.get('pending') ?? '') ? (search.get('pending') as Pending) : undefined,
    sort: /^-?(created_at|deadline|urgency|status)$/.test(search.get('sort') ?? '') ? search.get('sort')! : undefined,
  };
}

/** The URL query of filters (the inverse of filtersFromQuery). */
export function filtersToQuery(f: Filters): URLSearchParams {
  const p = new URLSearchParams();
  f.status?.forEach((s) => p.append('status', s));
  for (const k of FILTER_KEYS) {
    if (k === 'status') continue;
    const v = f[k];
    if (v !== undefined && v !== '') p.set(k, String(v));
  }
  return p;
}

interface CategoryItem {
  code: string;
  name: string;
  parentCode: string | null;
}

type CategoryNode = { title: string; value: string; key: string; children: CategoryNode[] };

/** The category tree for the filter, loaded once per page. */
function useCategoryTree(enabled: boolean): CategoryNode[] {
  const [cats, setCats] = useState<CategoryItem[]>([]);
  useEffect(() => {
    if (!enabled) return;
    get<{ items: CategoryItem[] }>('/categories')
      .then((r) => setCats(r.items))
      .catch(() => setCats([]));
  }, [enabled]);
  return useMemo(() => {
    const nodes = new Map<string, CategoryNode>(cats.map((c) => [c.code, { title: c.name, value: c.code, key: c.code, children: [] }]));
    const roots: CategoryNode[] = [];
    for (const c of cats) (c.parentCode && nodes.get(c.parentCode) ? nodes.get(c.parentCode)!.children : roots).push(nodes.get(c.code)!);
    return roots;
  }, [cats]);
}

/** The built-in columns' widths together (number, title, status, created, deadline, unit, district, urgency). */
const BASE_WIDTH = 140 + 220 + 100 + 130 + 170 + 130 + 90 + 90;

/** Column key → the server's sort key. */
const SORTABLE: Record<string, string> = { createdAt: 'created_at', deadline: 'deadline', urgency: 'urgency', status: 'status' };

function sortOrderOf(sort: string | undefined, columnKey: string): 'ascend' | 'descend' | null {
  const key = SORTABLE[columnKey];
  if (!key || !sort) return columnKey === 'createdAt' && !sort ? 'descend' : null;
  if (sort === key) return 'ascend';
  if (sort === `-${key}`) return 'descend';
  return null;
}

/** Exports what the filters select, showing how far the file has come. */
function ExportButton({ query }: { query: Record<string, string | number | boolean | string[] | undefined> }) {
  const { t } = useI18n();
  const showError = useActionError();
  const [progress, setProgress] = useState<(DownloadProgress & { format: string }) | null>(null);
  const abort = useRef<AbortController | null>(null);
  const run = async (format: 'xlsx' | 'csv') => {
    abort.current = new AbortController();
    setProgress({ format, total: null, rows: 0, bytes: 0 });
    try {
      await download('/workorders/export', { ...query, format }, (p) => setProgress({ ...p, format }), abort.current.signal);
    } catch (e) {
      if (!abort.current.signal.aborted) showError(e);
    } finally {
      setProgress(null);
    }
  };
  const percent = progress && progress.total ? Math.min(99, Math.round(((progress.rows ?? 0) / progress.total) * 100)) : 0;
  return (
    <>
      <Dropdown
        menu={{
          items: [
            { key: 'xlsx', label: t('list.exportXlsx') },
            { key: 'csv', label: t('list.exportCsv') },
          ],
          onClick: ({ key }) => void run(key as 'xlsx' | 'csv'),
        }}
      >
        <Button icon={<DownloadOutlined />} loading={!!progress}>
          {t('list.export')}
        </Button>
      </Dropdown>
      <Modal
        open={!!progress}
        title={t('list.exporting')}
        closable={false}
        maskClosable={false}
        okButtonProps={{ style: { display: 'none' } }}
        cancelText={t('list.exportCancel')}
        onCancel={() => abort.current?.abort()}
      >
        {progress && (
          <div role="status" aria-live="polite">
            {progress.rows !== null && progress.total ? (
              <Progress percent={percent} status="active" />
            ) : (
              <Progress percent={100} status="active" showInfo={false} />
            )}
            <Typography.Text type="secondary">
              {progress.total === null
                ? t('list.exportBytes', { kb: Math.round(progress.bytes / 1024) })
                : progress.rows !== null
                  ? t('list.exportRows', { rows: progress.rows.toLocaleString(), total: progress.total.toLocaleString() })
                  : t('list.exportTotal', { total: progress.total.toLocaleString(), kb: Math.round(progress.bytes / 1024) })}
            </Typography.Text>
          </div>
        )}
      </Modal>
    </>
  );
}

export interface ExtraColumn {
  title: string;
  key: string;
  width?: number;
  fixed?: 'right';
  render: (o: WorkOrder, reload: () => void, replace: (o: WorkOrder) => void) => ReactNode;
}

type Row = WorkOrder & { runningDueAt?: string | null };

export function OrderTable({
  fixedStatus,
  initial = {},
  showFilters = true,
  exportable = true,
  extraColumns = [],
  pageSize = 20,
  reloadKey = 0,
  onFilters,
  caption,
  showMine = false,
  pendingOptions = [],
  fixedPending,
}: {
  fixedStatus?: Status[];
  initial?: Filters;
  showFilters?: boolean;
  exportable?: boolean;
  extraColumns?: ExtraColumn[];
  pageSize?: number;
  reloadKey?: number;
  onFilters?: (f: Filters) => void;
  caption: string;
  /** Offer 「只看我的」 (the orders the reader was named for). */
  showMine?: boolean;
  /** The departments' steps this workspace filters on (none: no such filter). */
  pendingOptions?: Pending[];
  /** Always this step (a tab of one step's orders). */
  fixedPending?: Pending;
}) {
  const { t } = useI18n();
  const { unitName, units } = useSession();
  const [filters, setFilters] = useState<Filters>(initial);
  const [text, setText] = useState(initial.q ?? '');
  const [cursors, setCursors] = useState<(string | null)[]>([null]); // cursor of each page seen
  const [page, setPage] = useState<Page<Row>>({ items: [], nextCursor: null });
  const [loading, setLoading] = useState(false);
  const showError = useActionError();
  const cursor = cursors[cursors.length - 1] ?? null;
  const categories = useCategoryTree(showFilters);
  const unitOptions = useMemo(() => unitTree(units), [units]);
  const districts = useMemo(() => units.filter((u) => u.kind === 'district').map((u) => ({ label: u.name, value: u.id })), [units]);

  // A caller's fixed statuses arrive as a new array each render: the query keys on their text.
  const fixedKey = fixedStatus?.join(',');
  const query = useMemo(() => {
    const fixed = fixedKey ? (fixedKey.split(',') as Status[]) : undefined;
    const status = fixed ? (filters.status?.length ? filters.status.filter((s) => fixed.includes(s)) : fixed) : filters.status;
    return {
      status,
      type: filters.type,
      q: filters.q,
      urgency: filters.urgency,
      from: filters.from,
      to: filters.to,
      district: filters.district,
      unit: filters.unit,
      category: filters.category,
      overdue: filters.overdue,
      mine: filters.mine,
      pending: fixedPending ?? filters.pending,
      sort: filters.sort,
    };
  }, [filters, fixedKey, fixedPending]);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setPage(await get<Page<Row>>('/workorders', { ...query, limit: pageSize, cursor: cursor ?? undefined }));
    } catch (e) {
      showError(e);
    } finally {
      setLoading(false);
    }
  }, [query, cursor, pageSize, showError]);

  // reloadKey: the caller asks for the same page again (after an action elsewhere).
  useEffect(() => void load(), [load, reloadKey]);

  const change = (f: Filters) => {
    setFilters(f);
    setCursors([null]);
    onFilters?.(f);
  };
  const replace = (o: WorkOrder) => setPage((p) => ({ ...p, items: p.items.map((x) => (x.id === o.id ? { ...x, ...o } : x)) }));
  const statusOptions = (fixedStatus ?? [...STATUSES]).map((s) => ({ label: t(`status.${s}`), value: s }));
  const ownDeadline = extraColumns.some((c) => c.key === 'deadline');
  const sorter = (key: string) =>
    SORTABLE[key] ? { sorter: true, sortOrder: sortOrderOf(filters.sort, key), sortDirections: ['ascend', 'descend', 'ascend'] as SortOrder[] } : {};

  return (
    <section aria-label={caption}>
      {showFilters && (
        <Space wrap size={[8, 8]} style={{ marginBottom: 12 }} className="order-filters">
          <Select
            aria-label={t('field.status')}
            mode="multiple"
            allowClear
            placeholder={t('field.status')}
            style={{ minWidth: 160 }}
            value={filters.status ?? []}
            options={statusOptions}
            onChange={(v) => change({ ...filters, status: v })}
            maxTagCount="responsive"
          />
          <DatePicker.RangePicker
            aria-label={t('list.dates')}
            placeholder={[t('list.fromDay'), t('list.toDay')]}
            style={{ width: 240 }}
            value={[filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null]}
            allowEmpty={[true, true]}
            disabledDate={(d) => d.isAfter(dayjs(), 'day')}
            onChange={(v) => change({ ...filters, from: v?.[0]?.format('YYYY-MM-DD'), to: v?.[1]?.format('YYYY-MM-DD') })}
          />
          <Select
            aria-label={t('field.district')}
            allowClear
            placeholder={t('field.district')}
            style={{ width: 120 }}
            value={filters.district}
            options={districts}
            onChange={(v) => change({ ...filters, district: v })}
          />
          <TreeSelect
            aria-label={t('field.mainUnit')}
            allowClear
            showSearch
            treeNodeFilterProp="title"
            placeholder={t('field.mainUnit')}
            style={{ width: 170 }}
            popupMatchSelectWidth={280}
            value={filters.unit}
            treeData={unitOptions}
            onChange={(v) => change({ ...filters, unit: v })}
          />
          <TreeSelect
            aria-label={t('field.category')}
            allowClear
            showSearch
            treeNodeFilterProp="title"
            placeholder={t('field.category')}
            style={{ width: 150 }}
            popupMatchSelectWidth={300}
            value={filters.category}
            treeData={categories}
            onChange={(v) => change({ ...filters, category: v })}
          />
          <Select
            aria-label={t('field.urgency')}
            allowClear
            placeholder={t('field.urgency')}
            style={{ width: 100 }}
            value={filters.urgency}
            options={URGENCIES.map((u) => ({ label: t(`urgency.${u}`), value: u }))}
            onChange={(v) => change({ ...filters, urgency: v })}
          />
          <Select
            aria-label={t('list.overdue')}
            allowClear
            placeholder={t('list.overdue')}
            style={{ width: 110 }}
            value={filters.overdue === undefined ? undefined : String(filters.overdue)}
            options={[
              { label: t('list.overdueYes'), value: 'true' },
              { label: t('list.overdueNo'), value: 'false' },
            ]}
            onChange={(v) => change({ ...filters, overdue: v === undefined ? undefined : v === 'true' })}
          />
          {pendingOptions.length > 0 && (
            <Select
              aria-label={t('list.pending')}
              allowClear
              placeholder={t('list.pending')}
              style={{ width: 150 }}
              popupMatchSelectWidth={200}
              value={filters.pending}
              options={pendingOptions.map((p) => ({ label: t(`pending.${p}`), value: p }))}
              onChange={(v) => change({ ...filters, pending: v })}
            />
          )}
          {showMine && (
            <Checkbox checked={!!filters.mine} onChange={(e) => change({ ...filters, mine: e.target.checked || undefined })}>
              {t('list.mine')}
            </Checkbox>
          )}
          <Select
            aria-label={t('field.type')}
            allowClear
            placeholder={t('field.type')}
            style={{ width: 100 }}
            value={filters.type}
            options={ORDER_TYPES.map((x) => ({ label: t(`type.${x}`), value: x }))}
            onChange={(v) => change({ ...filters, type: v })}
          />
          <Input.Search
            aria-label={t('field.search')}
            placeholder={t('field.search')}
            allowClear
            style={{ width: 240 }}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onSearch={(v) => change({ ...filters, q: v.trim() || undefined })}
          />
          <Tooltip title={t('list.refresh')}>
            <Button aria-label={t('list.refresh')} icon={<ReloadOutlined />} onClick={() => void load()} />
          </Tooltip>
          {exportable && <ExportButton query={query} />}
        </Space>
      )}
      <Table<Row>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={page.items}
        pagination={false}
        locale={{ emptyText: t('list.empty') }}
        // A fixed layout at the columns' own widths: long titles are cut with an ellipsis instead of
        // pushing the deadline and unit off a 1366 px screen.
        tableLayout="fixed"
        scroll={{ x: BASE_WIDTH + extraColumns.reduce((n, c) => n + (c.key === 'deadline' ? 0 : (c.width ?? 120)), 0) }}
        showSorterTooltip={false}
        onChange={(_p, _f, s) => {
          const one = Array.isArray(s) ? s[0] : s;
          const key = one?.columnKey ? SORTABLE[String(one.columnKey)] : undefined;
          const sort = key && one?.order ? (one.order === 'descend' ? `-${key}` : key) : undefined;
          // The default order is newest first: say nothing for it, so the URL stays short.
          change({ ...filters, sort: sort === '-created_at' ? undefined : sort });
        }}
        columns={[
          {
            title: t('field.number'),
            key: 'number',
            width: 140,
            fixed: 'left',
            render: (_, o) => <Link to={`/orders/${o.id}`}>{o.number}</Link>,
          },
          {
            title: t('field.title'),
            key: 'title',
            width: 220,
            ellipsis: { showTitle: true },
            render: (_, o) => o.title,
          },
          {
            title: t('field.status'),
            key: 'status',
            width: 100,
            ...sorter('status'),
            render: (_, o) => (
              <>
                <StatusTag status={o.status} />
                {o.pendingReply && o.pendingReply.stage !== 'upper' && <Tag color="purple">{t('order.reviewTag')}</Tag>}
                {o.pendingExtension && !o.pendingExtension.endorsed && <Tag color="gold">{t('order.extensionTag')}</Tag>}
                <StepTags order={o} />
              </>
            ),
          },
          { title: t('field.createdAt'), key: 'createdAt', width: 130, ...sorter('createdAt'), render: (_, o) => fmtTime(o.createdAt) },
          ...(ownDeadline
            ? []
            : [
                {
                  title: t('field.deadline'),
                  key: 'deadline',
                  width: 170,
                  ...sorter('deadline'),
                  render: (_: unknown, o: Row) =>
                    o.runningDueAt ? (
                      <span className={new Date(o.runningDueAt) <= new Date() ? 'overdue' : undefined}>
                        {fmtTime(o.runningDueAt)}
                        {new Date(o.runningDueAt) <= new Date() && (
                          <Tag color="red" style={{ marginLeft: 4 }}>
                            {t('list.overdueYes')}
                          </Tag>
                        )}
                      </span>
                    ) : (
                      '—'
                    ),
                },
              ]),
          { title: t('field.mainUnit'), key: 'unit', width: 130, ellipsis: true, render: (_, o) => unitName(o.mainUnitId) },
          {
            title: t('field.district'),
            key: 'district',
            width: 90,
            ellipsis: true,
            render: (_, o) => (o.location?.districtUnitId ? unitName(o.location.districtUnitId) : '—'),
          },
          {
            title: t('field.urgency'),
            key: 'urgency',
            width: 90,
            ...sorter('urgency'),
            render: (_, o) => (o.urgency === 'urgent' ? <Tag color="red">{t('urgency.urgent')}</Tag> : t('urgency.normal')),
          },
          ...extraColumns.map((c) => ({
            title: c.title,
            key: c.key,
            width: c.width,
            fixed: c.fixed,
            ...sorter(c.key),
            render: (_: unknown, o: Row) => c.render(o, () => void load(), replace),
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
