// Citizen portal API (public: submit, track, rate) and open data (public). Photos sent with a
// request become files on its order (GET /api/v1/workorders/{id}/attachments).
import { Type } from 'typebox';
import type { App } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { StringEnum, Text } from '../http/schemas.js';
import { requestLanguage } from '../http/errors.js';
import { SATISFACTIONS } from '../workorders/index.js';
import { localize, monthly, toCsv } from './opendata.js';
import { LIMITS, newChallenge, rate, submit, track } from './portal.js';

const Number13 = Type.String({ pattern: '^[0-9]{8,20}$' });

const SubmitBody = Type.Object(
  {
    categoryCode: Type.String({ minLength: 1, maxLength: 64 }),
    address: Text(500),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    content: Text(4000),
    phone: Type.String({ maxLength: 32, pattern: '^\\+?[0-9][0-9 -]{5,30}$' }),
    name: Type.Optional(Type.String({ maxLength: 50 })),
    photos: Type.Optional(Type.Array(Type.String({ maxLength: 800_000 }), { maxItems: LIMITS.photos })),
    challengeToken: Type.String({ minLength: 1, maxLength: 200 }),
    challengeAnswer: Type.String({ minLength: 1, maxLength: 10 }),
  },
  { additionalProperties: false },
);
const CodeQuery = Type.Object({ code: Type.String({ minLength: 4, maxLength: 32 }) });
const RateBody = Type.Object(
  {
    code: Type.String({ minLength: 4, maxLength: 32 }),
    satisfaction: StringEnum(SATISFACTIONS),
    resolved: Type.Boolean(),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export function routes(app: App, ctx: AppContext) {
  const { db, config } = ctx;
  const pub = { public: true };

  app.get('/api/v1/portal/challenge', { config: pub, schema: { tags: ['portal'] } }, async () => newChallenge(db));
  app.post('/api/v1/portal/requests', { config: pub, bodyLimit: 3 * 1024 * 1024, schema: { tags: ['portal'], body: SubmitBody } }, async (req, reply) =>
    reply.status(201).send(await submit(ctx, req.ip, req.body)),
  );
  app.get(
    '/api/v1/portal/requests/:number',
    { config: pub, schema: { tags: ['portal'], params: Type.Object({ number: Number13 }), querystring: CodeQuery } },
    async (req) => track(ctx, req.ip, req.params.number, req.query.code, requestLanguage(req)),
  );
  app.post(
    '/api/v1/portal/requests/:number/rating',
    { config: pub, schema: { tags: ['portal'], params: Type.Object({ number: Number13 }), body: RateBody } },
    async (req) => rate(ctx, req.ip, req.params.number, req.body),
  );

  app.get(
    '/api/v1/opendata/monthly',
    {
      config: pub,
      schema: {
        tags: ['opendata'],
        querystring: Type.Object({ month: Type.String({ maxLength: 7 }), format: Type.Optional(StringEnum(['json', 'csv'] as const)) }),
      },
    },
    async (req, reply) => {
      const data = localize(await monthly(db, req.query.month, config.timeZone), requestLanguage(req));
      if (req.query.format === 'csv') {
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="jiesu-opendata-${data.month}.csv"`)
          .send(toCsv(data));
      }
      return data;
    },
  );
}
