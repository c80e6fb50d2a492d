// Serving the dispatch model: models stored in the database (every node loads the same
// latest one), suggestions (model + responsibility list), automatic dispatch of new orders,
// training from closed orders, and the first-time-right dispatch measure.
import type { Queryable } from '../db/database.js';
import type { AppContext, OrderEventListener } from '../core/context.js';
import { badRequest } from '../core/errors.js';
import { DEFAULT_LANGUAGE, translate } from '../core/i18n.js';
import { appendSystemEvent } from '../workorders/index.js';
import { route, type RouteResult } from './catalog.js';
import { TextModel, train, type Example, type TrainOptions } from './textmodel/index.js';

export type Target = 'unit' | 'category';

// ---------- model storage ----------

export async function saveModel(q: Queryable, target: Target, model: TextModel, actorId: number | null, metrics?: unknown): Promise<number> {
  const { rows } = await q.query<{ id: number }>('INSERT INTO dispatch_models (target, meta, metrics, created_by) VALUES ($1, $2, $3, $4) RETURNING id', [
    target,
    JSON.stringify(model.meta),
    metrics ? JSON.stringify(metrics) : null,
    actorId,
  ]);
  const id = rows[0]!.id;
  for (const [name, data] of Object.entries(model.toFiles())) {
    await q.query('INSERT INTO dispatch_model_files (model_id, name, data) VALUES ($1, $2, $3)', [id, name, data]);
  }
  return id;
}

const cache = new WeakMap<object, Map<Target, { id: number; model: TextModel }>>();

/** The newest model for the target, loaded once per node and reloaded when a newer one appears. */
export async function latestModel(q: Queryable, target: Target, cacheKey: object): Promise<{ id: number; model: TextModel } | null> {
  const { rows } = await q.query<{ id: number }>('SELECT max(id) AS id FROM dispatch_models WHERE target = $1', [target]);
  const id = rows[0]?.id;
  if (id == null) return null;
  let byTarget = cache.get(cacheKey);
  if (!byTarget) cache.set(cacheKey, (byTarget = new Map()));
  const hit = byTarget.get(target);
  if (hit?.id === id) return hit;
  const files = await q.query<{ name: string; data: Uint8Array }>('SELECT name, data FROM dispatch_model_files WHERE model_id = $1', [id]);
  const model = TextModel.fromFiles(Object.fromEntries(files.rows.map((f) => [f.name, f.data])));
  const entry = { id, model };
  byTarget.set(target, entry);
  return entry;
}

export async function listModels(q: Queryable) {
  const { rows } = await q.query<{ id: number; target: string; meta: any; metrics: unknown; createdAt: Date }>(
    'SELECT id, target, meta, metrics, created_at AS "createdAt" FROM dispatch_models ORDER BY id DESC LIMIT 50',
  );
  return rows.map((r) => ({
    id: r.id,
    target: r.target,
    labels: r.meta.labels.length,
    trainSize: r.meta.trainSize,
    temperature: r.meta.temperature,
    metrics: r.metrics,
    createdAt: new Date(r.createdAt).toISOString(),
  }));
}

// ---------- suggestions ----------

export interface Suggestion {
  units: { unitId: number; name: string | null; confidence: number; reason: 'model' | 'rule' | 'model+rule' }[];
  categories: { code: string; name: string | null; confidence: number }[];
  route: (RouteResult & { categoryCode: string }) | null;
  /** The unit to dispatch to, and why. */
  decision: { unitId: number; coUnitIds: number[]; reason: 'rule' | 'model' | 'model+rule'; confidence: number | null } | null;
  models: { unit: number | null; category: number | null };
}

export async function suggest(
  q: Queryable,
  cacheKey: object,
  input: { title: string; content: string; categoryCode?: string | null; districtUnitId?: number | null },
): Promise<Suggestion> {
  const text = `${input.title}\n${input.content}`;
  const unitModel = await latestModel(q, 'unit', cacheKey);
  const catModel = await latestModel(q, 'category', cacheKey);
  if (input.districtUnitId != null && !(await q.query('SELECT 1 FROM units WHERE id = $1', [input.districtUnitId])).rowCount) {
    throw badRequest('org.unitMissing', { id: input.districtUnitId }, 'districtUnitId');
  }
  let unitPreds = (unitModel?.model.predict(text, 3) ?? []).filter((p) => /^\d+$/.test(p.label));
  // Text rarely says where: with the caller's district given, the model's guesses of other
  // districts or streets are noise, and the unit of that place comes from the responsibility list.
  if (input.districtUnitId != null && unitPreds.length) unitPreds = await withinArea(q, unitPreds, input.districtUnitId);
  const catPreds = catModel?.model.predict(text, 3) ?? [];
  const names = await unitNames(
    q,
    unitPreds.map((p) => Number(p.label)),
  );
  const catNames = await categoryNames(
    q,
    catPreds.map((p) => p.label),
  );
  // The category: the one given, else the model's best guess; the rule then follows from it.
  const categoryCode = input.categoryCode ?? (catPreds[0] && catNames.has(catPreds[0].label) ? catPreds[0].label : null);
  let routed: Suggestion['route'] = null;
  if (categoryCode && (await q.query('SELECT 1 FROM categories WHERE code = $1', [categoryCode])).rowCount) {
    const r = await route(q, categoryCode, input.districtUnitId);
    if (r) routed = { ...r, categoryCode };
  }
  const units: Suggestion['units'] = unitPreds.map((p) => ({
    unitId: Number(p.label),
    name: names.get(Number(p.label)) ?? null,
    confidence: p.confidence,
    reason: routed?.unitId === Number(p.label) ? 'model+rule' : 'model',
  }));
  if (routed && !units.some((u) => u.unitId === routed.unitId)) {
    const n = await unitNames(q, [routed.unitId]);
    units.unshift({ unitId: routed.unitId, name: n.get(routed.unitId) ?? null, confidence: 0, reason: 'rule' });
  }
  let decision: Suggestion['decision'] = null;
  const top = unitPreds[0];
  if (routed) {
    const agree = top && Number(top.label) === routed.unitId;
    decision = { unitId: routed.unitId, coUnitIds: routed.coUnitIds, reason: agree ? 'model+rule' : 'rule', confidence: agree ? top.confidence : null };
  } else if (top) {
    decision = { unitId: Number(top.label), coUnitIds: [], reason: 'model', confidence: top.confidence };
  }
  return {
    units: units.slice(0, 3),
    categories: catPreds.map((p) => ({ code: p.label, name: catNames.get(p.label) ?? null, confidence: p.confidence })),
    route: routed,
    decision,
    models: { unit: unitModel?.id ?? null, category: catModel?.id ?? null },
  };
}

const AREA_KINDS = ['district', 'subdistrict', 'community'];

/** Predictions kept: units that are not areas, and areas above or below the given one. */
async function withinArea<T extends { label: string }>(q: Queryable, preds: T[], areaId: number): Promise<T[]> {
  const ids = [...preds.map((p) => Number(p.label)), areaId];
  const { rows } = await q.query<{ start: number; kind: string; chain: number[] }>(
    `WITH RECURSIVE up AS (
       SELECT id AS start, id, parent_id FROM units WHERE id = ANY($1::int[])
       UNION ALL SELECT up.start, u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id)
     SELECT up.start, (SELECT kind FROM units WHERE id = up.start) AS kind, array_agg(up.id) AS chain FROM up GROUP BY up.start`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.start, r]));
  const area = byId.get(areaId);
  return preds.filter((p) => {
    const u = byId.get(Number(p.label));
    if (!u || !area) return true;
    return !AREA_KINDS.includes(u.kind) || u.chain.includes(areaId) || area.chain.includes(u.start);
  });
}

async function unitNames(q: Queryable, ids: number[]) {
  const { rows } = await q.query<{ id: number; name: string }>('SELECT id, name FROM units WHERE id = ANY($1::int[])', [ids]);
  return new Map(rows.map((r) => [r.id, r.name]));
}
async function categoryNames(q: Queryable, codes: string[]) {
  const { rows } = await q.query<{ code: string; name: string }>('SELECT code, name FROM categories WHERE code = ANY($1::text[])', [codes]);
  return new Map(rows.map((r) => [r.code, r.name]));
}

// ---------- settings and automatic dispatch ----------

export interface Settings {
  autoDispatch: boolean;
  autoThreshold: number;
}

export async function getSettings(q: Queryable): Promise<Settings> {
  const { rows } = await q.query<Settings>('SELECT auto_dispatch AS "autoDispatch", auto_threshold AS "autoThreshold" FROM dispatch_settings WHERE id = 1');
  return rows[0]!;
}

export async function updateSettings(q: Queryable, patch: Partial<Settings>): Promise<Settings> {
  await q.query(
    'UPDATE dispatch_settings SET auto_dispatch = COALESCE($1, auto_dispatch), auto_threshold = COALESCE($2, auto_threshold), updated_at = now() WHERE id = 1',
    [patch.autoDispatch ?? null, patch.autoThreshold ?? null],
  );
  return getSettings(q);
}

/**
 * On `created`: records the suggestion; when automatic dispatch is on, the rule and the model
 * agree and the model is confident enough, dispatches the order in the same transaction as
 * a `dispatched` event marked `auto: true` (actor: the system).
 */
export function autoDispatchListener(ctx: AppContext, cacheKey: object): OrderEventListener {
  const self: OrderEventListener = async (q, { order, event }) => {
    if (event.type !== 'created') return;
    const settings = await getSettings(q);
    const s = await suggest(q, cacheKey, {
      title: order.title,
      content: order.content,
      categoryCode: order.categoryCode,
      districtUnitId: order.location?.districtUnitId ?? null,
    });
    if (!s.models.unit && !s.route) return;
    const d = s.decision;
    const auto = !!(settings.autoDispatch && d && d.reason === 'model+rule' && (d.confidence ?? 0) >= settings.autoThreshold);
    await q.query('INSERT INTO dispatch_suggestions (workorder_id, result, auto) VALUES ($1, $2, $3)', [order.id, JSON.stringify(s), auto]);
    if (!auto || !d) return;
    // Runs last among the listeners (see routes.ts), so the others saw `created` first.
    await appendSystemEvent(ctx, q, order.id, 'dispatched', {
      unitId: d.unitId,
      coUnitIds: d.coUnitIds,
      auto: true,
      confidence: d.confidence,
      ruleId: s.route?.rule.id ?? null,
      modelId: s.models.unit,
      note: translate(DEFAULT_LANGUAGE, 'dispatch.autoNote', { confidence: d.confidence!.toFixed(3) }),
    });
  };
  return self;
}

// ---------- training from history ----------

/**
 * Closed orders that went to a unit: the text is title + content, the unit label is the final
 * main unit (after any returns and re-dispatches), the category label the final category.
 */
export async function historyExamples(q: Queryable, target: Target, limit = 200_000): Promise<Example[]> {
  const col = target === 'unit' ? 'main_unit_id::text' : 'category_code';
  const { rows } = await q.query<{ text: string; label: string }>(
    `SELECT title || E'\\n' || content AS text, ${col} AS label FROM workorders
     WHERE status = 'closed' AND ${col} IS NOT NULL AND main_unit_id IS NOT NULL ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows;
}

/** `limit`: the most recent closed orders only (the demo city trains on a sample, to start in seconds). */
export async function trainFromHistory(q: Queryable, opts: TrainOptions & { targets?: Target[]; limit?: number } = {}) {
  const out: { target: Target; modelId: number | null; examples: number; labels: number; skipped?: string }[] = [];
  for (const target of opts.targets ?? (['unit', 'category'] as Target[])) {
    const ex = await historyExamples(q, target, opts.limit);
    const labels = new Set(ex.map((e) => e.label)).size;
    if (labels < 2) {
      out.push({ target, modelId: null, examples: ex.length, labels, skipped: translate(DEFAULT_LANGUAGE, 'dispatch.fewLabels') });
      continue;
    }
    const model = train(ex, { ...opts, target });
    out.push({ target, modelId: await saveModel(q, target, model, null), examples: ex.length, labels });
  }
  return out;
}

// ---------- first-time-right dispatch rate ----------

export const ACCURACY_GROUPS = ['dispatcher', 'unit', 'category', 'mode', 'suggestion'] as const;

/**
 * Share of orders whose first dispatch was final: no return and no later dispatch to another
 * unit. Counted over orders whose first dispatch is settled (signed for, returned or
 * re-dispatched), grouped by the first dispatcher, the first unit, the category, or auto/human.
 */
export async function dispatchAccuracy(q: Queryable, f: { groupBy: (typeof ACCURACY_GROUPS)[number]; from?: string; to?: string }) {
  const key = {
    dispatcher: `COALESCE(f.actor_id::text, 'auto')`,
    unit: `f.data->>'unitId'`,
    category: `COALESCE(w.category_code, '')`,
    mode: `CASE WHEN (f.data->>'auto')::boolean THEN 'auto' ELSE 'human' END`,
    // The model's share: dispatched by the platform itself, by a person to the unit suggested
    // first, by a person to another unit, or with no suggestion at all.
    suggestion: `CASE WHEN (f.data->>'auto')::boolean THEN 'auto'
                      WHEN s.result->'decision'->>'unitId' = f.data->>'unitId' THEN 'followed'
                      WHEN s.result->'decision' IS NOT NULL AND jsonb_typeof(s.result->'decision') = 'object' THEN 'overridden'
                      ELSE 'none' END`,
  }[f.groupBy];
  const params: unknown[] = [];
  const where: string[] = [];
  if (f.from) where.push(`f.at >= $${params.push(f.from)}`);
  if (f.to) where.push(`f.at < $${params.push(f.to)}`);
  const { rows } = await q.query<{ key: string; orders: number; right: number }>(
    `WITH firsts AS (
       SELECT DISTINCT ON (workorder_id) workorder_id, actor_id, at, data
       FROM workorder_events WHERE type = 'dispatched' ORDER BY workorder_id, seq),
     per AS (
       SELECT ${key} AS key,
         w.return_count = 0 AND NOT EXISTS (
           SELECT 1 FROM workorder_events e WHERE e.workorder_id = w.id AND e.type = 'dispatched'
             AND e.data->>'unitId' <> f.data->>'unitId') AS right_first
       FROM firsts f JOIN workorders w ON w.id = f.workorder_id
       ${f.groupBy === 'suggestion' ? 'LEFT JOIN dispatch_suggestions s ON s.workorder_id = f.workorder_id' : ''}
       WHERE (w.signed_at IS NOT NULL OR w.return_count > 0 OR w.dispatch_count > 1 OR w.status IN ('replied', 'closed', 'reopened'))
       ${where.length ? 'AND ' + where.join(' AND ') : ''})
     SELECT key, count(*)::int AS orders, count(*) FILTER (WHERE right_first)::int AS "right" FROM per GROUP BY key ORDER BY key`,
    params,
  );
  const total = rows.reduce((a, r) => ({ orders: a.orders + r.orders, right: a.right + r.right }), { orders: 0, right: 0 });
  return {
    groupBy: f.groupBy,
    total: { ...total, rate: total.orders ? total.right / total.orders : null },
    items: rows.map((r) => ({ key: r.key, orders: r.orders, firstTimeRight: r.right, rate: r.orders ? r.right / r.orders : null })),
  };
}
