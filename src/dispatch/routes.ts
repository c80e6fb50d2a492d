import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { badRequest } from '../core/errors.js';
import { Id, IdParams, StringEnum } from '../http/schemas.js';
import { decodeText } from '../http/text.js';
import {
  createCategory,
  createRule,
  getCategory,
  getRule,
  importCategories,
  importRules,
  listCategories,
  listRules,
  route,
  updateCategory,
  updateRule,
} from './catalog.js';
import { ACCURACY_GROUPS, autoDispatchListener, dispatchAccuracy, getSettings, listModels, suggest, trainFromHistory, updateSettings } from './service.js';

const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Nullable = <T extends ReturnType<typeof Type.String> | typeof Id>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));
const CodeParams = Type.Object({ code: Code });

/** A CSV body arrives as text/csv or as JSON {csv}. */
function csvOf(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body && typeof (body as { csv?: unknown }).csv === 'string') return (body as { csv: string }).csv;
  throw badRequest('dispatch.csvRequired', {}, 'csv');
}

export function routes(app: App, ctx: AppContext) {
  const { db } = ctx;
  // Runs last among the order listeners, so other modules see `created` before an automatic `dispatched`.
  const listener = autoDispatchListener(ctx, ctx);
  ctx.orderListeners.push(listener);
  app.addHook('onReady', (done) => {
    const i = ctx.orderListeners.indexOf(listener);
    if (i >= 0 && i !== ctx.orderListeners.length - 1) ctx.orderListeners.push(...ctx.orderListeners.splice(i, 1));
    done();
  });
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: 5_000_000 }, (_req, body, done) => done(null, decodeText(body as Buffer)));

  // ---- categories ----
  app.post(
    '/api/v1/categories',
    { schema: { tags: ['dispatch'], body: Type.Object({ code: Code, name: Name, parentCode: Nullable(Code) }, { additionalProperties: false }) } },
    async (req, reply) => {
      requireActor(req, 'admin');
      return reply.status(201).send(await db.tx((q) => createCategory(q, req.body)));
    },
  );
  app.get(
    '/api/v1/categories',
    {
      schema: {
        tags: ['dispatch'],
        querystring: Type.Object({ parentCode: Type.Optional(Code), level: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })) }),
      },
    },
    async (req) => {
      requireActor(req);
      return { items: await listCategories(db, req.query) };
    },
  );
  app.get('/api/v1/categories/:code', { schema: { tags: ['dispatch'], params: CodeParams } }, async (req) => {
    requireActor(req);
    return getCategory(db, req.params.code);
  });
  app.patch(
    '/api/v1/categories/:code',
    {
      schema: {
        tags: ['dispatch'],
        params: CodeParams,
        body: Type.Object({ name: Type.Optional(Name), active: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      return db.tx((q) => updateCategory(q, req.params.code, req.body));
    },
  );
  app.post('/api/v1/categories/import', { schema: { tags: ['dispatch'] } }, async (req) => {
    requireActor(req, 'admin');
    const csv = csvOf(req.body);
    return db.tx((q) => importCategories(q, csv));
  });

  // ---- responsibility list ----
  const RuleBody = Type.Object(
    {
      categoryCode: Code,
      areaUnitId: Nullable(Id),
      mainUnitId: Id,
      coUnitIds: Type.Optional(Type.Array(Id, { maxItems: 20 })),
      note: Nullable(Type.String({ maxLength: 2000 })),
    },
    { additionalProperties: false },
  );
  const RulePatch = Type.Object(
    {
      mainUnitId: Type.Optional(Id),
      coUnitIds: Type.Optional(Type.Array(Id, { maxItems: 20 })),
      note: Nullable(Type.String({ maxLength: 2000 })),
      active: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  );
  app.post('/api/v1/dispatch/rules', { schema: { tags: ['dispatch'], body: RuleBody } }, async (req, reply) => {
    requireActor(req, 'admin');
    return reply.status(201).send(await db.tx((q) => createRule(q, req.body)));
  });
  app.get(
    '/api/v1/dispatch/rules',
    {
      schema: {
        tags: ['dispatch'],
        querystring: Type.Object({ categoryCode: Type.Optional(Code), areaUnitId: Type.Optional(Id), mainUnitId: Type.Optional(Id) }),
      },
    },
    async (req) => {
      requireActor(req, 'admin', 'dispatcher', 'supervisor');
      return { items: await listRules(db, req.query) };
    },
  );
  app.get('/api/v1/dispatch/rules/:id', { schema: { tags: ['dispatch'], params: IdParams } }, async (req) => {
    requireActor(req, 'admin', 'dispatcher', 'supervisor');
    return getRule(db, req.params.id);
  });
  app.patch('/api/v1/dispatch/rules/:id', { schema: { tags: ['dispatch'], params: IdParams, body: RulePatch } }, async (req) => {
    requireActor(req, 'admin');
    return db.tx((q) => updateRule(q, req.params.id, req.body));
  });
  app.post('/api/v1/dispatch/rules/import', { schema: { tags: ['dispatch'] } }, async (req) => {
    requireActor(req, 'admin');
    const csv = csvOf(req.body);
    return db.tx((q) => importRules(q, csv));
  });

  app.get(
    '/api/v1/dispatch/route',
    { schema: { tags: ['dispatch'], querystring: Type.Object({ category: Code, districtUnitId: Type.Optional(Id) }) } },
    async (req) => {
      requireActor(req);
      const r = await route(db, req.query.category, req.query.districtUnitId);
      return r ? { unitId: r.unitId, coUnitIds: r.coUnitIds, rule: r.rule } : { unitId: null, coUnitIds: [], rule: null };
    },
  );

  // ---- suggestions, models, settings, accuracy ----
  app.post(
    '/api/v1/dispatch/suggest',
    {
      schema: {
        tags: ['dispatch'],
        body: Type.Object(
          {
            title: Type.String({ maxLength: 200 }),
            content: Type.String({ maxLength: 20000 }),
            categoryCode: Nullable(Code),
            districtUnitId: Nullable(Id),
            location: Type.Optional(Type.Union([Type.Object({ districtUnitId: Nullable(Id) }, { additionalProperties: true }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requireActor(req, 'agent', 'dispatcher', 'admin', 'supervisor');
      const b = req.body;
      if (!`${b.title}${b.content}`.trim()) throw badRequest('dispatch.titleOrContent', {}, 'content');
      let districtUnitId = b.districtUnitId ?? b.location?.districtUnitId ?? null;
      // A draft with a point or an address and no area: the area it lies in, as the order will get.
      const loc = b.location as { address?: unknown; lat?: unknown; lng?: unknown } | null | undefined;
      if (districtUnitId == null && loc && ctx.locateArea) {
        const place = {
          address: typeof loc.address === 'string' && loc.address.trim() ? loc.address : null,
          lat: typeof loc.lat === 'number' ? loc.lat : null,
          lng: typeof loc.lng === 'number' ? loc.lng : null,
        };
        if (place.address || (place.lat != null && place.lng != null)) districtUnitId = await ctx.locateArea(db, place);
      }
      return suggest(db, ctx, { ...b, districtUnitId });
    },
  );
  app.get('/api/v1/dispatch/suggestions/:id', { schema: { tags: ['dispatch'], params: IdParams } }, async (req) => {
    requireActor(req, 'agent', 'dispatcher', 'admin', 'supervisor');
    const { rows } = await db.query<{ result: unknown; auto: boolean }>('SELECT result, auto FROM dispatch_suggestions WHERE workorder_id = $1', [
      req.params.id,
    ]);
    if (!rows[0]) return { workorderId: req.params.id, suggestion: null, auto: false };
    return { workorderId: req.params.id, suggestion: rows[0].result, auto: rows[0].auto };
  });
  app.get('/api/v1/dispatch/models', { schema: { tags: ['dispatch'] } }, async (req) => {
    requireActor(req, 'admin', 'dispatcher', 'supervisor');
    return { items: await listModels(db) };
  });
  app.post('/api/v1/dispatch/models/train-from-history', { schema: { tags: ['dispatch'] } }, async (req) => {
    requireActor(req, 'admin');
    return { items: await trainFromHistory(db) };
  });
  app.get('/api/v1/dispatch/settings', { schema: { tags: ['dispatch'] } }, async (req) => {
    requireActor(req, 'admin', 'dispatcher', 'supervisor');
    return getSettings(db);
  });
  app.patch(
    '/api/v1/dispatch/settings',
    {
      schema: {
        tags: ['dispatch'],
        body: Type.Object(
          { autoDispatch: Type.Optional(Type.Boolean()), autoThreshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      return updateSettings(db, req.body);
    },
  );
  app.get(
    '/api/v1/dispatch/accuracy',
    {
      schema: {
        tags: ['dispatch'],
        querystring: Type.Object({
          groupBy: StringEnum(ACCURACY_GROUPS, {
            description: "dispatcher | unit | category | mode (auto/human) | suggestion (auto, followed, overridden, none: the model's share)",
          }),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
      },
    },
    async (req) => {
      requireActor(req, 'admin', 'dispatcher', 'supervisor');
      return dispatchAccuracy(db, req.query);
    },
  );
}
