// The agent's assistant: while the agent types the summary of a call, return the best
// articles and similar recent work orders in one response. The response is an object
// of named parts produced by providers, so other modules (caller history, dispatch
// suggestion) add a part by pushing a provider onto `assistProviders`.
import type { Database, Queryable } from '../db/database.js';
import { hasRole, type Actor, type AppContext } from '../core/context.js';
import { suggest } from '../dispatch/index.js';
import { callerHistory } from '../intake/index.js';
import { indexTokens } from './text.js';
import { planQuery, searchArticles, searchStages, stageConditions, type SearchHit } from './search.js';
import { commonTerms, matchGroups } from './termstats.js';
import { orderScope, scopeSql } from '../workorders/index.js';
import { tsqueryText, type QueryPlan } from './text.js';

export interface AssistInput {
  text: string;
  phone?: string;
  limit?: number;
}

export interface AssistRequest {
  ctx: AppContext;
  actor: Actor;
  input: AssistInput;
  /** The segmented query, planned once for every provider. */
  plan: QueryPlan;
}

/** Adds one key to the assist response; returning undefined leaves the key out. */
export interface AssistProvider {
  key: string;
  provide(req: AssistRequest): Promise<unknown>;
}

export interface SimilarOrder {
  id: number;
  number: string;
  title: string;
  status: string;
  categoryCode: string | null;
  mainUnitId: number | null;
  createdAt: string;
  score: number;
}

/** How far back "recent" orders go. */
export const SIMILAR_ORDER_DAYS = 180;

/** Indexes an order's title and content (called by the order listener and the backfill). */
export async function indexOrder(q: Queryable, order: { id: number; title: string; content: string; createdAt: string | Date }) {
  await q.query(
    `INSERT INTO kb_order_index (workorder_id, created_at, tsv)
     VALUES ($1, $2, setweight(to_tsvector('simple', $3), 'A') || setweight(to_tsvector('simple', $4), 'C'))
     ON CONFLICT (workorder_id) DO UPDATE SET tsv = EXCLUDED.tsv`,
    [order.id, order.createdAt, indexTokens(order.title), indexTokens(order.content)],
  );
}

/** Indexes many orders in one statement (bulk loads such as the demo city). */
export async function indexOrders(q: Queryable, orders: { id: number; title: string; content: string; createdAt: string | Date }[]) {
  if (!orders.length) return;
  await q.query(
    `INSERT INTO kb_order_index (workorder_id, created_at, tsv)
     SELECT id, at, setweight(to_tsvector('simple', t), 'A') || setweight(to_tsvector('simple', c), 'C')
       FROM unnest($1::int[], $2::timestamptz[], $3::text[], $4::text[]) AS u(id, at, t, c)
     ON CONFLICT (workorder_id) DO UPDATE SET tsv = EXCLUDED.tsv`,
    [
      orders.map((o) => o.id),
      orders.map((o) => new Date(o.createdAt).toISOString()),
      orders.map((o) => indexTokens(o.title)),
      orders.map((o) => indexTokens(o.content)),
    ],
  );
}

/** Indexes orders that are not indexed yet (orders created before the module); returns how many. */
export async function indexMissingOrders(db: Database, onProgress?: (done: number, total: number) => void): Promise<number> {
  const total = (
    await db.query<{ n: number }>('SELECT count(*)::int AS n FROM workorders w WHERE NOT EXISTS (SELECT 1 FROM kb_order_index i WHERE i.workorder_id = w.id)')
  ).rows[0]!.n;
  let done = 0;
  onProgress?.(0, total);
  for (;;) {
    const { rows } = await db.query<{ id: number; title: string; content: string; createdAt: Date }>(
      `SELECT id, title, content, created_at AS "createdAt" FROM workorders w
       WHERE NOT EXISTS (SELECT 1 FROM kb_order_index i WHERE i.workorder_id = w.id) ORDER BY id LIMIT 500`,
    );
    if (rows.length === 0) return done;
    await db.tx(async (q) => {
      for (const r of rows) await indexOrder(q, r);
    });
    done += rows.length;
    onProgress?.(done, total);
  }
}

const PLACE_SUFFIX = /(?:街道|社区|居委会|区|县|市|镇|乡|村)$/;
const placeCache = new WeakMap<Queryable, { until: number; names: string[] }>();

/** The names of the city's districts, sub-districts and communities (cached a minute). */
async function placeNames(q: Queryable): Promise<string[]> {
  const hit = placeCache.get(q);
  if (hit && hit.until > Date.now()) return hit.names;
  const { rows } = await q.query<{ name: string }>(`SELECT name FROM units WHERE kind IN ('district', 'subdistrict', 'community')`);
  const names = rows.map((r) => r.name);
  placeCache.set(q, { until: Date.now() + 60_000, names });
  return names;
}

/** The words that name a place in this text: the places it names in full, also without their suffix (新华街道: 新华). */
async function placeWords(q: Queryable, text: string): Promise<Set<string>> {
  const words = new Set<string>(['街道', '社区']);
  for (const name of await placeNames(q)) {
    if (!text.includes(name)) continue; // 建设 is a place only where the text says 建设街道
    words.add(name);
    const stem = name.replace(PLACE_SUFFIX, '');
    if (stem.length >= 2) words.add(stem);
  }
  return words;
}

/** Orders like the text, among those the reader may see (`scope` from orderScope; null: the city). */
export async function similarOrders(q: Queryable, plan: QueryPlan, limit: number, text = '', scope: number[] | null = null): Promise<SimilarOrder[]> {
  if (plan.groups.length === 0 || scope?.length === 0) return [];
  // Orders about the same problem, wherever: the place is what the duplicate check matches on, and
  // here its words would rank every order of the same street above the same problem elsewhere.
  const places = await placeWords(q, text);
  const problem = plan.groups.filter((g) => !places.has(g[0]!));
  const groups = problem.length ? problem : plan.groups;
  const stages = searchStages(matchGroups(groups, await commonTerms(q, 'kb_order_index')));
  const params: unknown[] = [tsqueryText(groups, 'or'), limit, SIMILAR_ORDER_DAYS];
  const visible = scopeSql(scope, params, 'w');
  // The head is the order's title; the expression reads exactly as in the index (0041_kb_head_index.sql).
  const branches = stageConditions(stages, params, (head) => (head ? `ts_filter(i.tsv, '{a}')` : 'i.tsv')).map(
    (where, n) => `(SELECT w.id, w.number, w.title, w.status, w.category_code AS "categoryCode", w.main_unit_id AS "mainUnitId",
            w.created_at AS "createdAt", ts_rank(i.tsv, to_tsquery('simple', $1), 1)::float8 AS score, ${n} AS stage
     FROM (SELECT * FROM kb_order_index i WHERE ${where} AND i.created_at >= now() - make_interval(days => $3) LIMIT ${stages[n]!.cap}) i
     JOIN workorders w ON w.id = i.workorder_id
     WHERE ${visible}
     ORDER BY score DESC, i.created_at DESC LIMIT $2)`,
  );
  const { rows } = await q.query<SimilarOrder & { stage?: number }>(`SELECT * FROM (${branches.join('\nUNION ALL\n')}) s\nLIMIT $2`, params);
  rows.sort((a, b) => a.stage! - b.stage!);
  return rows.map(({ stage: _, ...r }) => ({ ...r, score: Math.round(r.score * 1e6) / 1e6 }));
}

/** The parts of an answer: knowledge, similar orders, the caller's history, the dispatch suggestion. */
export const assistProviders: AssistProvider[] = [
  {
    key: 'articles',
    provide: async ({ ctx, input, plan }): Promise<SearchHit[]> => (await searchArticles(ctx.db, input.text, { limit: input.limit ?? 5, plan })).items,
  },
  {
    key: 'similarOrders',
    provide: async ({ ctx, actor, plan, input }) => similarOrders(ctx.db, plan, input.limit ?? 5, input.text, await orderScope(ctx.db, actor)),
  },
  {
    // Only for the roles that answer calls; others get no key rather than an error.
    key: 'callerHistory',
    provide: async ({ ctx, actor, input }) =>
      input.phone && hasRole(actor, 'agent', 'dispatcher') ? callerHistory(ctx.db, actor, input.phone, 10) : undefined,
  },
  {
    key: 'dispatch',
    provide: async ({ ctx, input }) => {
      const s = await suggest(ctx.db, ctx, { title: '', content: input.text });
      return s.decision || s.units.length ? s : null;
    },
  },
];

export async function assist(ctx: AppContext, actor: Actor, input: AssistInput): Promise<Record<string, unknown>> {
  const plan = await planQuery(ctx.db, input.text);
  const out: Record<string, unknown> = { terms: plan.terms };
  // Concurrently: on a server the parts come back in parallel (PGlite serialises them anyway).
  const parts = await Promise.all(assistProviders.map((p) => p.provide({ ctx, actor, input, plan })));
  assistProviders.forEach((p, i) => {
    if (parts[i] !== undefined) out[p.key] = parts[i];
  });
  return out;
}
