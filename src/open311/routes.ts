// Open311 GeoReport v2 under /open311/v2 (public, JSON or XML by suffix), and the staff
// API that manages its service catalogue and API keys under /api/v1/open311.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { AppError, badRequest, notFound } from '../core/errors.js';
import { IdParams, StringEnum } from '../http/schemas.js';
import { requestLanguage } from '../http/errors.js';
import { translate } from '../core/i18n.js';
import { ORDER_TYPES } from '../workorders/index.js';
import { CONTENT_TYPE, formatOf, renderErrors, splitFormat, toXml, toXmlSingle, type Format } from './format.js';
import {
  checkApiKey,
  createApiKey,
  getRequest,
  listApiKeys,
  listRequests,
  postRequest,
  resolveJurisdiction,
  revokeApiKey,
  tokenLookup,
  type PostRequestInput,
} from './georeport.js';
import { listUpdates, postUpdate } from './updates.js';
import { deactivateEndpoint, listEndpoints, listOutbound, putEndpoint, queueOnDispatch, runOpen311Client } from './client.js';
import { runPeriodically } from '../http/periodic.js';
import { checkFile, MAX_ATTACHMENT_BYTES, type NewFile } from '../workorders/index.js';
import multipart from '@fastify/multipart';
import { AUTOMATED, DATATYPES, createService, getService, listServices, updateService, type Service, syncServicesFromCategories } from './services.js';

const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Short = (max: number) => Type.String({ maxLength: max });
const Attribute = Type.Object(
  {
    code: Code,
    variable: Type.Optional(Type.Boolean()),
    datatype: Type.Optional(StringEnum(DATATYPES)),
    required: Type.Optional(Type.Boolean()),
    datatype_description: Type.Optional(Short(500)),
    order: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    description: Type.Optional(Short(2000)),
    automated: Type.Optional(StringEnum(AUTOMATED)),
    values: Type.Optional(
      Type.Array(
        Type.Object(
          { key: Type.String({ minLength: 1, maxLength: 100 }), name: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        { maxItems: 200 },
      ),
    ),
  },
  { additionalProperties: false },
);
const serviceProps = {
  serviceName: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  description: Type.Optional(Short(2000)),
  group: Type.Optional(Short(200)),
  keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50, pattern: '^[^,]+$' }), { maxItems: 50 })),
  attributes: Type.Optional(Type.Array(Attribute, { maxItems: 50 })),
  orderType: Type.Optional(StringEnum(ORDER_TYPES)),
  active: Type.Optional(Type.Boolean()),
};
const ServiceBody = Type.Object({ serviceCode: Code, ...serviceProps }, { additionalProperties: false });
const ServicePatch = Type.Partial(Type.Object(serviceProps, { additionalProperties: false }));

/** The GeoReport fields of a service list entry; a name two services share (older catalogues) gets its code. */
const serviceEntry = (s: Service, shared: Set<string>) => ({
  service_code: s.serviceCode,
  service_name: shared.has(s.serviceName) ? `${s.serviceName} (${s.serviceCode})` : s.serviceName,
  description: s.description,
  metadata: s.metadata,
  type: 'realtime',
  keywords: s.keywords.join(','),
  group: s.group,
});

const attributeEntry = (a: Service['attributes'][number]) => ({
  variable: a.variable,
  code: a.code,
  datatype: a.datatype,
  required: a.required,
  datatype_description: a.datatype_description,
  order: a.order,
  description: a.description,
  values: a.values.map((v) => ({ key: v.key, name: v.name })),
  ...(a.automated ? { automated: a.automated } : {}),
});

/** Names used by more than one service of the list. */
function sharedNames(list: Service[]): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const s of list) (seen.has(s.serviceName) ? shared : seen).add(s.serviceName);
  return shared;
}

/** Decodes an application/x-www-form-urlencoded body into a multi-valued map. */
function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Splits a decoded body (form, JSON or multipart) into GeoReport fields, media URLs, attribute[code] values and files. */
function toPostInput(body: unknown): PostRequestInput & { mediaUrls: string[]; files: NewFile[] } {
  if (body == null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('open311.bodyShape');
  const fields: Record<string, string | undefined> = {};
  const attributes: Record<string, string | string[]> = {};
  const mediaUrls: string[] = [];
  const files: NewFile[] = [];
  const scalar = (k: string, v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw badRequest('open311.singleValue', { name: k }, k);
  };
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const m = /^attribute\[([^\]]+)\](\[\])?$/.exec(k);
    if (m) {
      attributes[m[1]!] = Array.isArray(v) ? v.map((x) => scalar(k, x)) : m[2] ? [scalar(k, v)] : scalar(k, v);
    } else if (k === 'attribute' && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [code, x] of Object.entries(v as Record<string, unknown>)) {
        attributes[code] = Array.isArray(x) ? x.map((y) => scalar(code, y)) : scalar(code, x);
      }
    } else if (k === 'media_url' || k === 'media_url[]') {
      // Clients send several photos as repeated media_url fields (or one JSON array).
      for (const x of Array.isArray(v) ? v : [v]) mediaUrls.push(scalar(k, x));
    } else if (k === FILES) {
      files.push(...(v as NewFile[]));
    } else {
      fields[k] = scalar(k, v);
    }
  }
  return { fields, attributes, mediaUrls, files };
}

// Where the multipart parser puts the uploaded files in the decoded body (no form field has this name).
const FILES = '\u0000files';

/** Reads a multipart/form-data body: its fields (repeated ones as lists) and its photos, each checked like any file on an order. */
async function parseMultipart(req: FastifyRequest): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const files: NewFile[] = [];
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      if (data.length === 0 && !part.filename) continue;
      const contentType = checkFile({ contentType: part.mimetype, data }, part.fieldname);
      files.push({ name: part.filename || `${part.fieldname}.jpg`, contentType, data });
    } else {
      const v = String(part.value);
      const prev = out[part.fieldname];
      out[part.fieldname] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev as string, v];
    }
  }
  out[FILES] = files;
  return out;
}

const bodyOf = (req: FastifyRequest): Promise<unknown> => (req.isMultipart() ? parseMultipart(req) : Promise.resolve(req.body));

function send(reply: FastifyReply, format: Format, status: number, json: unknown, xml: () => string) {
  return reply
    .status(status)
    .header('content-type', CONTENT_TYPE[format])
    .send(format === 'xml' ? xml() : JSON.stringify(json));
}

const FORMATS = ['', '.json', '.xml'] as const;
const fmt = (suffix: string): Format => (suffix === '.xml' ? 'xml' : 'json');

/** Reads the last path segment "id.format"; an unknown format is a 400. */
function idAndFormat(raw: string): { id: string; format: Format } {
  const { id, format } = splitFormat(raw);
  if (!format) throw badRequest('open311.format');
  if (!id) throw notFound('resource');
  return { id, format };
}

/** A query parameter as text: a string, or a repeated parameter's list, which then fails its check. */
const queryText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
function parseDate(v: unknown, name: string): Date | undefined {
  if (v === undefined || v === '') return undefined;
  const s = queryText(v);
  const d = new Date(s);
  if (!DATE.test(s) || Number.isNaN(d.getTime())) throw badRequest('validation.formatDateTime', { field: name }, name);
  return d;
}

function positiveInt(v: unknown, name: string, def: number, max: number): number {
  if (v === undefined || v === '') return def;
  const s = queryText(v);
  if (!/^\d{1,7}$/.test(s) || Number(s) < 1) throw badRequest('validation.positiveInteger', { field: name }, name);
  return Math.min(Number(s), max);
}

/** A single text parameter (a repeated one: its first value). */
const textParam = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

/** start_date/end_date: at most 90 days apart; the last 90 days (or 90 days from the one given) by default. */
function window(q: Record<string, unknown>): { start: Date; end: Date } {
  const start = parseDate(q.start_date, 'start_date');
  const end = parseDate(q.end_date, 'end_date');
  if (start && end && start > end) throw badRequest('validation.toAfterFrom', {}, 'start_date');
  if (start && end && end.getTime() - start.getTime() > 90 * 86400_000) throw badRequest('validation.periodTooLong', { days: 90 }, 'end_date');
  const e = end ?? (start ? new Date(Math.min(Date.now(), start.getTime() + 90 * 86400_000)) : new Date());
  return { start: start ?? new Date(e.getTime() - 90 * 86400_000), end: e };
}

const list = (v: unknown): string[] | undefined => {
  if (v === undefined || v === '') return undefined;
  const parts = (Array.isArray(v) ? v : [v])
    .flatMap((x) => String(x).split(','))
    .map((x) => x.trim())
    .filter(Boolean);
  if (parts.length > 200) throw badRequest('open311.tooManyValues');
  return parts;
};

export async function routes(app: App, ctx: AppContext) {
  const { db, config } = ctx;
  const tz = config.timeZone;
  const jurisdictionOf = (req: FastifyRequest) => resolveJurisdiction(db, textParam((req.query as Record<string, unknown>).jurisdiction_id));

  // ---- jiesu as a client: units served by their own Open311 system ----
  ctx.orderListeners.push(queueOnDispatch);
  // With the server's background jobs on (JIESU_SLA_INTERVAL_SECONDS > 0), at the same interval.
  if (config.slaIntervalSeconds > 0) runPeriodically(app, config.slaIntervalSeconds * 1000, 'open311: client', async () => void (await runOpen311Client(ctx)));
  const UnitParams = Type.Object({ unitId: Type.Integer({ minimum: 1 }) });
  app.get('/api/v1/open311/endpoints', { schema: { tags: ['open311'] } }, async (req) => {
    requireActor(req, 'admin');
    return { items: await listEndpoints(db) };
  });
  app.put(
    '/api/v1/open311/endpoints/:unitId',
    {
      schema: {
        tags: ['open311'],
        params: UnitParams,
        body: Type.Object(
          {
            baseUrl: Type.String({ minLength: 8, maxLength: 500 }),
            apiKey: Type.String({ minLength: 1, maxLength: 500 }),
            jurisdictionId: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
            serviceCodes: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ minLength: 1, maxLength: 100 }))),
            defaultServiceCode: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      return putEndpoint(db, req.params.unitId, req.body);
    },
  );
  app.delete('/api/v1/open311/endpoints/:unitId', { schema: { tags: ['open311'], params: UnitParams } }, async (req, reply) => {
    requireActor(req, 'admin');
    await deactivateEndpoint(db, req.params.unitId);
    return reply.status(204).send();
  });
  app.get(
    '/api/v1/open311/outbound',
    {
      schema: {
        tags: ['open311'],
        querystring: Type.Object({
          status: Type.Optional(StringEnum(['pending', 'sent', 'dead', 'cancelled'] as const)),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      return { items: await listOutbound(db, { status: req.query.status, limit: req.query.limit ?? 100 }) };
    },
  );
  app.post('/api/v1/open311/client/run', { schema: { tags: ['open311'] } }, async (req) => {
    requireActor(req, 'admin');
    return runOpen311Client(ctx);
  });

  // ---- staff API: jurisdictions this endpoint serves ----
  app.get('/api/v1/open311/jurisdictions', { schema: { tags: ['open311'] } }, async (req) => {
    requireActor(req, 'admin');
    const { rows } = await db.query(
      `SELECT jurisdiction_id AS "jurisdictionId", name, unit_id AS "unitId" FROM open311_jurisdictions ORDER BY jurisdiction_id`,
    );
    return { items: rows };
  });
  app.put(
    '/api/v1/open311/jurisdictions/:id',
    {
      schema: {
        tags: ['open311'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' }) }),
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }), unitId: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      const unit = await db.query('SELECT 1 FROM units WHERE id = $1', [req.body.unitId]);
      if (unit.rowCount === 0) throw badRequest('org.unitMissing', { id: req.body.unitId }, 'unitId');
      await db.query(
        `INSERT INTO open311_jurisdictions (jurisdiction_id, name, unit_id) VALUES ($1, $2, $3)
         ON CONFLICT (jurisdiction_id) DO UPDATE SET name = EXCLUDED.name, unit_id = EXCLUDED.unit_id`,
        [req.params.id, req.body.name, req.body.unitId],
      );
      return { jurisdictionId: req.params.id, name: req.body.name, unitId: req.body.unitId };
    },
  );
  app.delete(
    '/api/v1/open311/jurisdictions/:id',
    { schema: { tags: ['open311'], params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }) } },
    async (req, reply) => {
      requireActor(req, 'admin');
      await db.query('DELETE FROM open311_jurisdictions WHERE jurisdiction_id = $1', [req.params.id]);
      return reply.status(204).send();
    },
  );

  // ---- staff API: service catalogue and API keys ----
  app.get('/api/v1/open311/services', { schema: { tags: ['open311'] } }, async (req) => {
    requireActor(req);
    return { items: await listServices(db, { includeInactive: true }) };
  });
  app.post('/api/v1/open311/services', { schema: { tags: ['open311'], body: ServiceBody } }, async (req, reply) => {
    requireActor(req, 'admin');
    return reply.status(201).send(await createService(db, req.body));
  });
  app.patch('/api/v1/open311/services/:code', { schema: { tags: ['open311'], params: Type.Object({ code: Code }), body: ServicePatch } }, async (req) => {
    requireActor(req, 'admin');
    return updateService(db, req.params.code, req.body);
  });
  app.post('/api/v1/open311/services/sync', { schema: { tags: ['open311'] } }, async (req) => {
    requireActor(req, 'admin');
    return db.tx((q) => syncServicesFromCategories(q));
  });
  app.post(
    '/api/v1/open311/keys',
    {
      schema: {
        tags: ['open311'],
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => reply.status(201).send(await createApiKey(db, requireActor(req, 'admin'), req.body.name)),
  );
  app.get('/api/v1/open311/keys', { schema: { tags: ['open311'] } }, async (req) => {
    requireActor(req, 'admin');
    return { items: await listApiKeys(db) };
  });
  app.post('/api/v1/open311/keys/:id/revoke', { schema: { tags: ['open311'], params: IdParams } }, async (req, reply) => {
    requireActor(req, 'admin');
    await revokeApiKey(db, req.params.id);
    return reply.status(204).send();
  });

  // ---- GeoReport v2 ----
  await app.register(
    (v2, _opts, done) => {
      // Photos arrive with the request (FixMyStreet's photo1, photo2, …), each ≤ the attachment limit.
      void v2.register(multipart, { limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 6, fields: 200, fieldSize: 64 * 1024, parts: 220 } });
      v2.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
        done(null, parseForm(body as string));
      });
      v2.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req: FastifyRequest, reply: FastifyReply) => {
        const format = formatOf(req.url);
        let status = 500;
        const lang = requestLanguage(req);
        let description = translate(lang, 'http.internal');
        if (err instanceof AppError) {
          status = err.status;
          // GeoReport clients know the parameters by name: the description starts with it.
          description = err.field ? `${err.field}: ${err.messageIn(lang)}` : err.messageIn(lang);
        } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
          status = err.statusCode;
          description = translate(lang, err.validation ? 'validation.body' : 'http.badRequest');
        } else {
          req.log.error(err);
        }
        return send(reply, format, status, [{ code: status, description }], () => renderErrors(format, [{ code: status, description }]));
      });
      v2.setNotFoundHandler((req, reply) => {
        const format = formatOf(req.url);
        const e = [{ code: 404, description: translate(requestLanguage(req), 'http.routeNotFound', { method: req.method, path: req.url.split('?')[0]! }) }];
        return send(reply, format, 404, e, () => renderErrors(format, e));
      });
      const open = { config: { public: true }, schema: { tags: ['open311'] } };

      for (const suffix of FORMATS) {
        const format = fmt(suffix);
        v2.get(`/services${suffix}`, open, async (req, reply) => {
          await jurisdictionOf(req);
          const all = await listServices(db);
          const shared = sharedNames(all);
          const items = all.map((s) => serviceEntry(s, shared));
          return send(reply, format, 200, items, () => toXml('services', 'service', items));
        });
        v2.post(`/requests${suffix}`, { ...open, bodyLimit: 64 * 1024 }, async (req, reply) => {
          const r = await postRequest(ctx, toPostInput(await bodyOf(req)), requestLanguage(req));
          return send(reply, format, 201, [r], () => toXml('service_requests', 'request', [r]));
        });
        v2.get(`/servicerequestupdates${suffix}`, open, async (req, reply) => {
          const q = req.query as Record<string, unknown>;
          await checkApiKey(db, textParam(q.api_key));
          const jurisdiction = await jurisdictionOf(req);
          const { start, end } = window(q);
          const items = await listUpdates(db, { start, end, ids: list(q.service_request_id), jurisdiction, limit: 1000 }, tz, requestLanguage(req));
          return send(reply, format, 200, items, () => toXml('service_requests_updates', 'request_update', items));
        });
        v2.post(`/servicerequestupdates${suffix}`, { ...open, bodyLimit: 64 * 1024 }, async (req, reply) => {
          const input = toPostInput(await bodyOf(req));
          const r = await postUpdate(ctx, { fields: input.fields, mediaUrls: input.mediaUrls, files: input.files });
          return send(reply, format, 201, [r], () => toXml('service_request_updates', 'request_update', [r]));
        });
        v2.get(`/requests${suffix}`, open, async (req, reply) => {
          const q = req.query as Record<string, unknown>;
          const jurisdiction = await jurisdictionOf(req);
          const start = parseDate(q.start_date, 'start_date');
          const end = parseDate(q.end_date, 'end_date');
          if (start && end && start > end) throw badRequest('validation.toAfterFrom', {}, 'start_date');
          if (start && end && end.getTime() - start.getTime() > 90 * 86400_000) {
            throw badRequest('validation.periodTooLong', { days: 90 }, 'end_date');
          }
          const status = q.status === undefined || q.status === '' ? undefined : queryText(q.status);
          if (status !== undefined && status !== 'open' && status !== 'closed') throw badRequest('open311.status', {}, 'status');
          const items = await listRequests(
            db,
            {
              ids: list(q.service_request_id),
              serviceCodes: list(q.service_code),
              start: start ?? (end ? new Date(end.getTime() - 90 * 86400_000) : undefined),
              end: end ?? (start ? new Date(Math.min(Date.now(), start.getTime() + 90 * 86400_000)) : undefined),
              status: status,
              jurisdiction,
              page: positiveInt(q.page, 'page', 1, 100000),
              pageSize: positiveInt(q.page_size, 'page_size', 1000, 1000),
            },
            tz,
            requestLanguage(req),
          );
          return send(reply, format, 200, items, () => toXml('service_requests', 'request', items));
        });
      }
      v2.get('/services/:code', open, async (req, reply) => {
        const { id, format } = idAndFormat((req.params as { code: string }).code);
        const s = await getService(db, id).catch((err) => {
          if (err instanceof AppError && err.status === 404) throw notFound('service', id);
          throw err;
        });
        const attributes = s.attributes.map(attributeEntry).sort((a, b) => a.order - b.order);
        const body = { service_code: s.serviceCode, attributes };
        return send(reply, format, 200, body, () =>
          toXmlSingle('service_definition', {
            service_code: s.serviceCode,
            attributes: { attribute: attributes.map((a) => ({ ...a, values: { value: a.values } })) },
          }),
        );
      });
      v2.get('/requests/:id', open, async (req, reply) => {
        const { id, format } = idAndFormat((req.params as { id: string }).id);
        const r = await getRequest(db, id, tz, requestLanguage(req), await jurisdictionOf(req));
        return send(reply, format, 200, [r], () => toXml('service_requests', 'request', [r]));
      });
      v2.get('/tokens/:token', open, async (req, reply) => {
        const { id, format } = idAndFormat((req.params as { token: string }).token);
        const r = await tokenLookup(db, id);
        return send(reply, format, 200, [r], () => toXml('service_requests', 'request', [r]));
      });
      // Service discovery (the spec asks every endpoint to publish one).
      for (const suffix of FORMATS) {
        const format = fmt(suffix);
        v2.get(`/discovery${suffix}`, open, async (req, reply) => {
          const base = `${req.protocol}://${req.host}/open311/v2/`;
          const body = {
            changeset: '2024-01-01T00:00:00+08:00',
            contact: '12345 热线',
            key_service: '/api/v1/open311/keys',
            endpoints: [
              {
                specification: 'http://wiki.open311.org/GeoReport_v2',
                url: base,
                changeset: '2024-01-01T00:00:00+08:00',
                type: 'production',
                formats: ['application/json', 'text/xml'],
              },
            ],
          };
          return send(reply, format, 200, body, () =>
            toXmlSingle('discovery', { ...body, endpoints: { endpoint: body.endpoints.map((e) => ({ ...e, formats: { format: e.formats } })) } }),
          );
        });
      }
      done();
    },
    { prefix: '/open311/v2' },
  );
}
