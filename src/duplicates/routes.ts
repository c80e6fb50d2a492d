import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import { loadVisible, orderIdByNumber, orderScope } from '../workorders/index.js';
import type { Queryable } from '../db/database.js';
import type { Actor, AppContext } from '../core/context.js';
import { badRequest } from '../core/errors.js';
import { setting } from '../core/config.js';
import { runPeriodically } from '../http/periodic.js';
import { Id, IdParams, Text } from '../http/schemas.js';
import { checkDuplicates, refreshDocumentFrequencies, reindex } from './index.js';
import { hotspots } from './hotspots.js';
import { addRepeat, duplicateHistory, listCallers, mergeOrders, orderListener, undoMerge } from './merge.js';

const CheckBody = Type.Object(
  {
    title: Type.String({ maxLength: 200 }),
    content: Text(20000),
    districtUnitId: Type.Optional(Type.Union([Id, Type.Null()])),
    lat: Type.Optional(Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()])),
    lng: Type.Optional(Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()])),
    address: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    phone: Type.Optional(Type.Union([Type.String({ maxLength: 32, pattern: '^\\+?[0-9][0-9 -]{2,30}$' }), Type.Null()])),
    at: Type.Optional(Type.String({ format: 'date-time' })),
    excludeId: Type.Optional(Id),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    windowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
  },
  { additionalProperties: false },
);

/** An order as people name it (its 13-digit number), or its internal id. */
const OrderRef = Type.Union([Type.String({ pattern: '^\\s*[0-9]{13}\\s*$' }), Id]);
const MergeBody = Type.Object({ mainId: OrderRef, duplicateIds: Type.Array(OrderRef, { minItems: 1, maxItems: 50 }) }, { additionalProperties: false });
const LookupQuery = Type.Object({ number: Type.String({ pattern: '^\\s*[0-9]{13}\\s*$' }) }, { additionalProperties: false });

const orderId = (q: Queryable, ref: string | number) => (typeof ref === 'string' ? orderIdByNumber(q, ref) : Promise.resolve(ref));

/** The caller's earlier orders listed by their phone: a read of who called about what, logged like the call panel's. */
async function logCallerOrders(q: Queryable, actor: Actor, ids: number[]) {
  if (!ids.length) return;
  await q.query(`INSERT INTO pii_access_log (user_id, workorder_id, fields, purpose) SELECT $1, unnest($2::int[]), $3, 'duplicates.callerOrders'`, [
    actor.id,
    ids,
    ['citizen.phone'],
  ]);
}

const RepeatBody = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    phone: Type.Optional(Type.Union([Type.String({ maxLength: 32, pattern: '^\\+?[0-9][0-9 -]{2,30}$' }), Type.Null()])),
    contactId: Type.Optional(Type.Union([Id, Type.Null()])),
    note: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  },
  { additionalProperties: false },
);

const HotspotQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  district: Type.Optional(Id),
  minSize: Type.Optional(Type.Integer({ minimum: 2, maximum: 10000 })),
  spikeFactor: Type.Optional(Type.Number({ minimum: 1, maximum: 100 })),
  spikeMin: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

export function routes(app: App, ctx: AppContext) {
  ctx.orderListeners.push(orderListener);
  const tags = ['duplicates'];
  // The words' document frequencies, rebuilt by whichever node's turn comes first.
  const minutes = setting('JIESU_DUP_DF_MINUTES');
  if (minutes > 0) {
    runPeriodically(app, minutes * 60_000, 'duplicates: word frequencies', async () => {
      await refreshDocumentFrequencies(ctx.db, (minutes * 60_000) / 2);
    });
  }

  app.post('/api/v1/duplicates/check', { schema: { tags, body: CheckBody } }, async (req) => {
    const actor = requireActor(req, 'agent', 'dispatcher');
    const b = req.body;
    if ((b.lat == null) !== (b.lng == null)) throw badRequest('validation.latLng', {}, b.lat == null ? 'lat' : 'lng');
    const r = await checkDuplicates(ctx.db, b, await orderScope(ctx.db, actor));
    await logCallerOrders(
      ctx.db,
      actor,
      r.callerOrders.map((c) => c.workorderId),
    );
    return r;
  });

  // The agent names the order the caller means by its number: what it is, before linking to it.
  app.get('/api/v1/duplicates/lookup', { schema: { tags, querystring: LookupQuery } }, async (req) => {
    const actor = requireActor(req, 'agent', 'dispatcher');
    const o = await loadVisible(ctx.db, actor, await orderIdByNumber(ctx.db, req.query.number));
    return { workorderId: o.id, number: o.number, title: o.title, status: o.status, createdAt: o.createdAt, mainUnitId: o.mainUnitId };
  });

  app.post('/api/v1/duplicates/merge', { schema: { tags, body: MergeBody } }, async (req) => {
    const actor = requireActor(req, 'agent', 'dispatcher');
    const mainId = await orderId(ctx.db, req.body.mainId);
    const ids: number[] = [];
    for (const d of req.body.duplicateIds) ids.push(await orderId(ctx.db, d));
    return mergeOrders(ctx, actor, mainId, ids);
  });

  app.post('/api/v1/duplicates/merges/:id/undo', { schema: { tags, params: IdParams } }, async (req) =>
    undoMerge(ctx, requireActor(req, 'agent', 'dispatcher'), req.params.id),
  );

  app.post('/api/v1/workorders/:id/repeats', { schema: { tags, params: IdParams, body: RepeatBody } }, async (req, reply) =>
    reply.status(201).send(await addRepeat(ctx, requireActor(req, 'agent', 'dispatcher'), req.params.id, req.body)),
  );

  app.get('/api/v1/workorders/:id/callers', { schema: { tags, params: IdParams } }, async (req) => listCallers(ctx, requireActor(req), req.params.id));

  app.get('/api/v1/workorders/:id/duplicates', { schema: { tags, params: IdParams } }, async (req) => duplicateHistory(ctx, requireActor(req), req.params.id));

  app.get('/api/v1/hotspots', { schema: { tags, querystring: HotspotQuery } }, async (req) => {
    const actor = requireActor(req, 'agent', 'dispatcher', 'supervisor', 'admin');
    const q = req.query;
    const to = q.to ?? new Date().toISOString();
    const from = q.from ?? new Date(new Date(to).getTime() - 7 * 86400_000).toISOString();
    const span = new Date(to).getTime() - new Date(from).getTime();
    if (span <= 0) throw badRequest('validation.toAfterFrom', {}, 'from');
    if (span > 92 * 86400_000) throw badRequest('validation.periodTooLong', { days: 92 }, 'from');
    // Orders loaded in bulk (demo seed, imports) get their signatures on first use.
    await reindex(ctx.db, { from, to });
    return hotspots(ctx.db, { ...q, from, to, timeZone: ctx.config.timeZone, scope: await orderScope(ctx.db, actor) });
  });
}
