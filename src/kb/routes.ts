import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { notFound } from '../core/errors.js';
import { runPeriodically } from '../http/periodic.js';
import { Id, IdParams, Nullable, StringEnum, Text } from '../http/schemas.js';
import {
  ARTICLE_STATUSES,
  CENTER_EDITORS,
  createArticle,
  getArticle,
  listArticles,
  listVersions,
  markReviewed,
  proposeChange,
  publishVersion,
  recordUse,
  rejectVersion,
  retireArticle,
  reviewDue,
} from './articles.js';
import { assist, indexOrder } from './assist.js';
import { importArticles, parseImport } from './importer.js';
import { analyzeKb } from './termstats.js';
import { addSynonyms, deleteSynonyms, listSynonyms, searchArticles } from './search.js';
import { setting } from '../core/config.js';

const DateStr = Type.String({ format: 'date' });
const content = {
  title: Text(200),
  questions: Type.Optional(Type.Array(Text(500), { maxItems: 50 })),
  answer: Text(50000),
  categoryCode: Nullable(Type.String({ minLength: 1, maxLength: 64 })),
  validFrom: Nullable(DateStr),
  validUntil: Nullable(DateStr),
  reviewDate: Nullable(DateStr),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
};
const CreateBody = Type.Object({ ...content, ownerUnitId: Type.Optional(Id), publish: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const PatchBody = Type.Object(
  { ...content, title: Type.Optional(content.title), answer: Type.Optional(content.answer) },
  { additionalProperties: false, minProperties: 1 },
);
const VersionParams = Type.Object({ id: Id, version: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

export function routes(app: App, ctx: AppContext) {
  const { db } = ctx;
  const tags = ['kb'];

  // Keep the assistant's order index current: a new order is segmented inside its own transaction.
  ctx.orderListeners.push(async (q, { order, event }) => {
    if (event.type === 'created') await indexOrder(q, { id: order.id, title: order.title, content: order.content, createdAt: event.at });
  });

  refreshStatistics(app, ctx);

  app.post('/api/v1/kb/articles', { schema: { tags, body: CreateBody } }, async (req, reply) => {
    const actor = requireActor(req);
    return reply.status(201).send(await db.tx((q) => createArticle(q, actor, req.body)));
  });
  app.get(
    '/api/v1/kb/articles',
    {
      schema: {
        tags,
        querystring: Type.Object({
          status: Type.Optional(StringEnum(ARTICLE_STATUSES)),
          ownerUnitId: Type.Optional(Id),
          categoryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
        }),
      },
    },
    async (req) => {
      requireActor(req);
      return listArticles(db, req.query);
    },
  );
  app.get('/api/v1/kb/articles/:id', { schema: { tags, params: IdParams } }, async (req) => {
    requireActor(req);
    return getArticle(db, req.params.id);
  });
  app.patch('/api/v1/kb/articles/:id', { schema: { tags, params: IdParams, body: PatchBody } }, async (req, reply) => {
    const actor = requireActor(req);
    return reply.status(201).send(await db.tx((q) => proposeChange(q, actor, req.params.id, req.body)));
  });
  app.get('/api/v1/kb/articles/:id/versions', { schema: { tags, params: IdParams } }, async (req) => {
    requireActor(req);
    return { items: await listVersions(db, req.params.id) };
  });
  app.post(
    '/api/v1/kb/articles/:id/publish',
    {
      schema: {
        tags,
        params: IdParams,
        body: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const actor = requireActor(req, ...CENTER_EDITORS);
      return db.tx((q) => publishVersion(q, actor, req.params.id, req.body.version));
    },
  );
  app.post(
    '/api/v1/kb/articles/:id/versions/:version/reject',
    { schema: { tags, params: VersionParams, body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }) } },
    async (req) => {
      const actor = requireActor(req, ...CENTER_EDITORS);
      return db.tx((q) => rejectVersion(q, actor, req.params.id, req.params.version, req.body.note));
    },
  );
  app.post('/api/v1/kb/articles/:id/retire', { schema: { tags, params: IdParams } }, async (req) => {
    const actor = requireActor(req, ...CENTER_EDITORS);
    return db.tx((q) => retireArticle(q, actor, req.params.id));
  });
  app.post(
    '/api/v1/kb/articles/:id/review',
    { schema: { tags, params: IdParams, body: Type.Object({ reviewDate: Type.Optional(DateStr) }, { additionalProperties: false }) } },
    async (req) => {
      const actor = requireActor(req);
      return db.tx((q) => markReviewed(q, actor, req.params.id, req.body.reviewDate));
    },
  );
  app.post(
    '/api/v1/kb/articles/:id/use',
    {
      schema: {
        tags,
        params: IdParams,
        body: Type.Object({ contactId: Type.Optional(Id), helpful: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      return reply.status(201).send(await db.tx((q) => recordUse(q, actor, req.params.id, req.body)));
    },
  );
  app.get('/api/v1/kb/review-due', { schema: { tags, querystring: Type.Object({ unitId: Type.Optional(Id) }) } }, async (req) => ({
    items: await reviewDue(db, requireActor(req), req.query.unitId),
  }));

  app.get(
    '/api/v1/kb/search',
    {
      schema: {
        tags,
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 500 }),
          limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
          categoryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        }),
      },
    },
    async (req) => {
      requireActor(req);
      return searchArticles(db, req.query.q, req.query);
    },
  );

  app.get('/api/v1/kb/synonyms', { schema: { tags } }, async (req) => {
    requireActor(req);
    return { items: await listSynonyms(db) };
  });
  app.post(
    '/api/v1/kb/synonyms',
    { schema: { tags, body: Type.Object({ terms: Type.Array(Text(50), { minItems: 2, maxItems: 30 }) }, { additionalProperties: false }) } },
    async (req, reply) => {
      const actor = requireActor(req, 'admin');
      return reply.status(201).send(await addSynonyms(db, actor.id, req.body.terms));
    },
  );
  app.delete('/api/v1/kb/synonyms/:id', { schema: { tags, params: IdParams } }, async (req, reply) => {
    requireActor(req, 'admin');
    if (!(await deleteSynonyms(db, req.params.id))) throw notFound('synonyms', req.params.id);
    return reply.status(204).send();
  });

  app.post(
    '/api/v1/kb/import',
    {
      bodyLimit: 50 * 1024 * 1024,
      schema: {
        tags,
        body: Type.Object(
          {
            format: StringEnum(['jsonl', 'csv'] as const),
            content: Type.String({ minLength: 1 }),
            createUnits: Type.Optional(Type.Boolean()),
            publish: Type.Optional(Type.Boolean()),
            ownerUnitId: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const actor = requireActor(req, ...CENTER_EDITORS);
      const { format, content: text, ...opts } = req.body;
      return importArticles(db, parseImport(text, format), { ...opts, actorId: actor.id });
    },
  );

  app.post(
    '/api/v1/assist',
    {
      schema: {
        tags,
        body: Type.Object(
          {
            text: Text(5000),
            phone: Type.Optional(Type.String({ maxLength: 32, pattern: '^\\+?[0-9][0-9 -]{2,30}$' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => assist(ctx, requireActor(req), req.body),
  );
}

/**
 * Search leaves common terms out of its matches, reading them from the planner's statistics
 * (termstats.ts). A PostgreSQL server keeps those current by autovacuum; PGlite has none, so
 * the server refreshes them at start-up and every JIESU_KB_ANALYZE_MINUTES (default 60).
 */
function refreshStatistics(app: App, ctx: AppContext) {
  const minutes = setting('JIESU_KB_ANALYZE_MINUTES');
  if (minutes > 0) runPeriodically(app, minutes * 60_000, 'kb: ANALYZE', () => analyzeKb(ctx.db));
}
