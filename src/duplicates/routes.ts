import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import { orderScope } from '../workorders/index.js';
import type { AppContext } from '../core/context.js';
import { badRequest } from '../core/errors.js';
import { Id, IdParams, Text } from '../http/schemas.js';
import { checkDuplicates, reindex } from './index.js';
import { hotspots } from './hotspots.js';
import { addRepeat, duplicateHistory, listCallers, mergeOrders, orderListener, undoMerge } from './merge.js';

const CheckBody = Type.Object(
  {
    title: Type.String({ maxLength: 200 }),
    content: Text(20000),
    districtUnitId: Type.Optional(Type.Union([Id, Type.Null()])),
    lat: Type.Optional(Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()])),
    lng: Type.Optional(Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()])),
    at: Type.Optional(Type.String({ format: 'date-time' })),
    excludeId: Type.Optional(Id),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    windowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
  },
  { additionalProperties: false },
);

const MergeBody = Type.Object({ mainId: Id, duplicateIds: Type.Array(Id, { minItems: 1, maxItems: 50 }) }, { additionalProperties: false });

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

  app.post('/api/v1/duplicates/check', { schema: { tags, body: CheckBody } }, async (req) => {
    const actor = requireActor(req, 'agent', 'dispatcher');
    const b = req.body;
    if ((b.lat == null) !== (b.lng == null)) throw badRequest('validation.latLng', {}, b.lat == null ? 'lat' : 'lng');
    return checkDuplicates(ctx.db, b, await orderScope(ctx.db, actor));
  });

  app.post('/api/v1/duplicates/merge', { schema: { tags, body: MergeBody } }, async (req) =>
    mergeOrders(ctx, requireActor(req, 'agent', 'dispatcher'), req.body.mainId, req.body.duplicateIds),
  );

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
