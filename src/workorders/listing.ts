// Which orders a list shows and in what order: one filter and one sort, read by the list
// endpoint and the export alike, so a file holds exactly the rows the screen selects. Who may see
// an order comes from visibility.ts, applied first.
import type { Queryable } from '../db/database.js';
import type { Actor } from '../core/context.js';
import { badRequest } from '../core/errors.js';
import { subtreeUnitIds } from '../org/index.js';
import { STATUSES, type Pending, type Urgency } from './vocabulary.js';
import { orderScope, scopeSql } from './visibility.js';

/** Sort keys; a leading `-` sorts descending. */
export const SORT_KEYS = ['created_at', 'deadline', 'urgency', 'status'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const SORTS = SORT_KEYS.flatMap((k) => [k, `-${k}`] as const) as readonly (SortKey | `-${SortKey}`)[];
export type Sort = (typeof SORTS)[number];

export interface ListFilter {
  status?: string[];
  /** A running deadline (sign or reply) has passed (true), or none has (false). */
  overdue?: boolean;
  /** A running deadline is at this level now: yellow (warning share used) or red (passed). */
  warning?: 'yellow' | 'red';
  /** Main unit, exactly (older clients). */
  unitId?: number;
  /** Main unit: this unit or one below it. */
  unit?: number;
  /** The area the problem is in (location.districtUnitId): this unit or one below it (its sub-districts, communities). */
  district?: number;
  urgency?: Urgency;
  type?: string;
  /** Code prefix (older clients). */
  categoryCode?: string;
  /** A category code: orders of the category and of its sub-categories. */
  category?: string;
  createdFrom?: string;
  createdTo?: string;
  /** Created on or after this day, YYYY-MM-DD in the city's time zone. */
  from?: string;
  /** Created on or before this day (inclusive), YYYY-MM-DD in the city's time zone. */
  to?: string;
  q?: string;
  /** Orders assigned to the reader (assign: the named handler). */
  mine?: boolean;
  /** Orders waiting on this step of the departments' side (vocabulary.ts PENDING). */
  pending?: Pending;
  sort?: Sort;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

/**
 * The condition of each `pending` value. `co-reply`: a co-unit has not given its part (for a unit's
 * reader, one of its own units); `$units` stands for the reader's units, or NULL for the center.
 */
const PENDING_SQL: Record<Pending, string> = {
  'transfer-sign': `(workorders.transfer_unit_ids <> '{}' AND workorders.status = 'accepted' AND workorders.transfer_chain->-1->>'signedAt' IS NULL)`,
  'transfer-review': `(workorders.pending_reply->>'stage' = 'upper')`,
  'co-reply': `(workorders.co_unit_ids <> '{}' AND workorders.status IN ('dispatched', 'accepted') AND EXISTS (
      SELECT 1 FROM unnest(workorders.co_unit_ids) AS cu(id)
       WHERE ($units::int[] IS NULL OR cu.id = ANY($units::int[]))
         AND NOT workorders.co_replies @> jsonb_build_array(jsonb_build_object('unitId', cu.id))))`,
  suspension: `(workorders.pending_suspension IS NOT NULL)`,
  suspended: `(workorders.suspension IS NOT NULL)`,
  'return-review': `(workorders.pending_return IS NOT NULL)`,
  'final-ruling': `(workorders.awaiting_ruling)`,
};

/** The running deadline that falls first (sign or reply), from the time-limit module's order_deadlines. */
export const RUNNING_DUE_SQL = `(SELECT min(d.due_at) FROM order_deadlines d WHERE d.workorder_id = workorders.id AND d.state = 'running')`;
const OVERDUE_SQL = `EXISTS (SELECT 1 FROM order_deadlines d WHERE d.workorder_id = workorders.id AND d.state = 'running' AND d.due_at <= now())`;

/** The WHERE conditions (over `workorders`) of a filter, visibility first, with their parameters. */
export async function filterSql(q: Queryable, actor: Actor, f: ListFilter, timeZone: string): Promise<{ where: string[]; params: unknown[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const scope = await orderScope(q, actor);
  if (scope) where.push(scopeSql(scope, params));
  if (f.status?.length) where.push(`workorders.status = ANY($${params.push(f.status)}::text[])`);
  if (f.unitId !== undefined) where.push(`workorders.main_unit_id = $${params.push(f.unitId)}`);
  if (f.unit !== undefined) where.push(`workorders.main_unit_id = ANY($${params.push(await subtreeUnitIds(q, f.unit))}::int[])`);
  if (f.district !== undefined) where.push(`workorders.district_unit_id = ANY($${params.push(await subtreeUnitIds(q, f.district))}::int[])`);
  if (f.urgency) where.push(`workorders.urgency = $${params.push(f.urgency)}`);
  if (f.type) where.push(`workorders.type = $${params.push(f.type)}`);
  if (f.categoryCode) where.push(`workorders.category_code LIKE $${params.push(escapeLike(f.categoryCode) + '%')}`);
  if (f.category) {
    where.push(`workorders.category_code IN (
      WITH RECURSIVE sub AS (SELECT id, code FROM categories WHERE code = $${params.push(f.category)}
                             UNION ALL SELECT c.id, c.code FROM categories c JOIN sub ON c.parent_id = sub.id)
      SELECT code FROM sub)`);
  }
  if (f.createdFrom) where.push(`workorders.created_at >= $${params.push(f.createdFrom)}`);
  if (f.createdTo) where.push(`workorders.created_at < $${params.push(f.createdTo)}`);
  if (f.from && f.to && f.to < f.from) throw badRequest('workorders.toBeforeFrom', {}, 'to');
  // Days in the city's clock: from its midnight to the midnight after `to`.
  if (f.from || f.to) {
    const tz = params.push(timeZone);
    if (f.from) where.push(`workorders.created_at >= ($${params.push(f.from)}::date)::timestamp AT TIME ZONE $${tz}::text`);
    if (f.to) where.push(`workorders.created_at < ($${params.push(f.to)}::date + 1)::timestamp AT TIME ZONE $${tz}::text`);
  }
  if (f.q) {
    const p = params.push('%' + escapeLike(f.q) + '%');
    where.push(`(workorders.title ILIKE $${p} OR workorders.content ILIKE $${p} OR workorders.number = $${params.push(f.q)})`);
  }
  if (f.mine) where.push(`workorders.assignee_id = $${params.push(actor.id)}`);
  if (f.pending) {
    const units = f.pending === 'co-reply' ? `$${params.push(scope)}` : '';
    where.push(PENDING_SQL[f.pending].replaceAll('$units', () => units));
  }
  if (f.overdue === true) where.push(OVERDUE_SQL);
  if (f.overdue === false) where.push(`NOT ${OVERDUE_SQL}`);
  if (f.warning === 'red') where.push(OVERDUE_SQL);
  if (f.warning === 'yellow') {
    where.push(
      `EXISTS (SELECT 1 FROM order_deadlines d WHERE d.workorder_id = workorders.id AND d.state = 'running' AND d.warn_at <= now() AND d.due_at > now())`,
    );
  }
  return { where, params };
}

interface Ordering {
  /** The sort value of a row, never null (orders without one sort last either way). */
  expr: string;
  cast: 'timestamptz' | 'int';
  dir: 'ASC' | 'DESC';
}

function ordering(sort: Sort): Ordering {
  const desc = sort.startsWith('-');
  const key = (desc ? sort.slice(1) : sort) as SortKey;
  const dir = desc ? 'DESC' : 'ASC';
  switch (key) {
    case 'created_at':
      return { expr: 'workorders.created_at', cast: 'timestamptz', dir };
    case 'deadline':
      // Orders with no running deadline go last, ascending or descending.
      return { expr: `COALESCE(${RUNNING_DUE_SQL}, '${desc ? '-' : ''}infinity'::timestamptz)`, cast: 'timestamptz', dir };
    case 'urgency':
      return { expr: `(CASE workorders.urgency WHEN 'urgent' THEN 1 ELSE 0 END)`, cast: 'int', dir };
    case 'status':
      // The lifecycle's order (new … closed), not the alphabet.
      return { expr: `array_position(ARRAY[${STATUSES.map((s) => `'${s}'`).join(',')}]::text[], workorders.status)`, cast: 'int', dir };
  }
}

interface Cursor {
  s: string;
  v?: string;
  id: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(c.s === '' ? `id:${c.id}` : JSON.stringify(c)).toString('base64url');
}

function decodeCursor(raw: string, sort: string): Cursor {
  const text = Buffer.from(raw, 'base64url').toString();
  const plain = /^id:(\d{1,10})$/.exec(text);
  if (plain && sort === '') return { s: '', id: Number(plain[1]) };
  try {
    const c = JSON.parse(text) as Cursor;
    if (c.s === sort && typeof c.v === 'string' && Number.isInteger(c.id)) return c;
  } catch {
    // not JSON: answered below
  }
  throw badRequest('http.invalidCursor', {}, 'cursor');
}

/**
 * One page of the filtered orders' rows (`SELECT *` plus `running_due_at`), keyset-paged: newest
 * first by default, else by `sort` with the id breaking ties; `nextCursor` continues after the last.
 */
export async function pageOfRows(
  q: Queryable,
  actor: Actor,
  f: ListFilter,
  page: { limit: number; cursor?: string | null },
  timeZone: string,
): Promise<{ rows: Record<string, any>[]; nextCursor: string | null }> {
  const { where, params } = await filterSql(q, actor, f, timeZone);
  return pageWith(q, where, params, f.sort, page);
}

export async function pageWith(
  q: Queryable,
  where: string[],
  baseParams: unknown[],
  sort: Sort | undefined,
  page: { limit: number; cursor?: string | null },
): Promise<{ rows: Record<string, any>[]; nextCursor: string | null }> {
  const params = [...baseParams];
  const conds = [...where];
  const o = sort ? ordering(sort) : null;
  const cursor = page.cursor ? decodeCursor(page.cursor, sort ?? '') : null;
  if (cursor) {
    if (!o) conds.push(`workorders.id < $${params.push(cursor.id)}`);
    else {
      const cmp = o.dir === 'ASC' ? '>' : '<';
      conds.push(`(${o.expr}, workorders.id) ${cmp} ($${params.push(cursor.v)}::${o.cast}, $${params.push(cursor.id)}::int)`);
    }
  }
  const orderBy = o ? `${o.expr} ${o.dir}, workorders.id ${o.dir}` : 'workorders.id DESC';
  const { rows } = await q.query(
    `SELECT workorders.*, ${RUNNING_DUE_SQL} AS running_due_at${o ? `, (${o.expr})::text AS sort_value` : ''}
       FROM workorders ${conds.length ? 'WHERE ' + conds.join(' AND ') : ''}
      ORDER BY ${orderBy} LIMIT $${params.push(page.limit + 1)}`,
    params,
  );
  const more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit);
  const last = shown[shown.length - 1];
  const nextCursor = more && last ? encodeCursor({ s: sort ?? '', v: o ? (last.sort_value as string) : undefined, id: last.id as number }) : null;
  return { rows: shown, nextCursor };
}

/** How many orders the filter selects. */
export async function countRows(q: Queryable, actor: Actor, f: ListFilter, timeZone: string): Promise<number> {
  const { where, params } = await filterSql(q, actor, f, timeZone);
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM workorders ${where.length ? 'WHERE ' + where.join(' AND ') : ''}`, params);
  return rows[0]!.n;
}
