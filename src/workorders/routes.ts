import { Type, type TSchema } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { Id, IdParams, Nullable, StringEnum, Text } from '../http/schemas.js';
import { CLOSE_REASONS, ORDER_TYPES, PENDING, SATISFACTIONS, STATUSES, URGENCIES } from './model.js';
import { act, createOrder, createOrderOnce, forReader, getOrder, listEvents, listOrders } from './service.js';
import { idempotencyKeyOf } from '../http/idempotency.js';
import { AccessReason, accessPurpose, audit } from '../security/index.js';
import { reviewListener } from './review.js';
import { departmentsListener } from './departments.js';
import { loadWorkorderSettings, saveWorkorderSettings } from './settings.js';
import { OrderLocation } from './schemas.js';
import { SORTS } from './listing.js';
import { EXPORT_FORMATS, exportOrders } from './export.js';
import { negotiateLanguage } from '../core/i18n.js';
import { addAttachment, ATTACHMENT_TYPES, listAttachments, MAX_ATTACHMENT_BYTES, readAttachment } from './attachments.js';

const CreateBody = Type.Object(
  {
    type: StringEnum(ORDER_TYPES),
    title: Text(200),
    content: Text(20000),
    categoryCode: Nullable(Type.String({ minLength: 1, maxLength: 64 })),
    urgency: Type.Optional(StringEnum(URGENCIES)),
    location: Nullable(OrderLocation),
    citizen: Nullable(
      Type.Object(
        {
          name: Nullable(Type.String({ maxLength: 100 })),
          phone: Nullable(Type.String({ maxLength: 32, pattern: '^\\+?[0-9][0-9 -]{2,30}$' })),
        },
        { additionalProperties: false },
      ),
    ),
    contactId: Nullable(Id),
  },
  { additionalProperties: false },
);

const Version = Type.Integer({ minimum: 1 });
const action = (props: Record<string, TSchema>) => Type.Object({ version: Version, ...props }, { additionalProperties: false });

/** The body each action takes; `version` is the order version the client last saw. */
export const ACTION_BODIES: Record<string, TSchema> = {
  dispatch: action({ unitId: Id, coUnitIds: Type.Optional(Type.Array(Id, { maxItems: 20 })), note: Type.Optional(Type.String({ maxLength: 2000 })) }),
  sign: action({}),
  return: action({ reason: Text(2000) }),
  'request-extension': action({ days: Type.Integer({ minimum: 1, maximum: 60 }), reason: Text(2000) }),
  'approve-extension': action({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })), note: Type.Optional(Type.String({ maxLength: 2000 })) }),
  'reject-extension': action({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }),
  reply: action({ content: Text(20000), resolved: Type.Boolean() }),
  'approve-reply': action({ content: Type.Optional(Text(20000)), resolved: Type.Optional(Type.Boolean()) }),
  'reject-reply': action({ reason: Text(2000) }),
  'endorse-extension': action({}),
  'decline-extension': action({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }),
  survey: action({ satisfaction: StringEnum(SATISFACTIONS), resolved: Type.Boolean(), note: Type.Optional(Type.String({ maxLength: 2000 })) }),
  'survey-unreachable': action({ note: Type.Optional(Type.String({ maxLength: 2000 })) }),
  close: action({
    reason: StringEnum(CLOSE_REASONS),
    // The other order's number as people see it (13 digits), or its internal id (older clients).
    duplicateOf: Type.Optional(Type.Union([Type.String({ pattern: '^\\s*[0-9]{13}\\s*$' }), Id])),
  }),
  supervise: action({ note: Text(2000) }),
  'reply-supervision': action({ note: Text(2000) }),
  // The departments' side (转派, 指定经办人, 协办, 挂起, 退单审核 / 终审).
  'transfer-down': action({
    unitId: Id,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    internalDueAt: Type.Optional(Type.String({ format: 'date-time', description: "the upper unit's own deadline for the lower one" })),
  }),
  assign: action({ userId: Id }),
  'co-reply': action({ content: Text(20000) }),
  'request-suspension': action({ reason: Text(2000), workingDays: Type.Integer({ minimum: 1, maximum: 60 }) }),
  'approve-suspension': action({
    workingDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  }),
  'reject-suspension': action({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }),
  resume: action({}),
  'approve-return': action({ note: Type.Optional(Type.String({ maxLength: 2000 })) }),
  'reject-return': action({ reason: Text(2000) }),
  'final-ruling': action({ unitId: Id, note: Type.Optional(Type.String({ maxLength: 2000 })) }),
};

const SettingsPatch = Type.Object(
  {
    requireCoReplies: Type.Optional(Type.Boolean({ description: "the lead unit's reply waits until every co-unit has given its part" })),
    returnReview: Type.Optional(Type.Boolean({ description: "a return waits for a dispatcher's approval; the second goes to a supervisor's final ruling" })),
  },
  { additionalProperties: false },
);

/** The filter and sort the list and its export share (listing.ts). */
const FilterProps = {
  status: Type.Optional(Type.Array(StringEnum(STATUSES), { maxItems: STATUSES.length })),
  overdue: Type.Optional(Type.Boolean({ description: 'true: a running deadline has passed; false: none has' })),
  warning: Type.Optional(StringEnum(['yellow', 'red'] as const, { description: 'a running deadline is at this level now' })),
  unitId: Type.Optional(Id),
  unit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: 'main unit: this unit or one below it' })),
  district: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: 'the district the problem is in' })),
  urgency: Type.Optional(StringEnum(URGENCIES)),
  type: Type.Optional(StringEnum(ORDER_TYPES)),
  categoryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'code prefix' })),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'a category code: it and its sub-categories' })),
  createdFrom: Type.Optional(Type.String({ format: 'date-time' })),
  createdTo: Type.Optional(Type.String({ format: 'date-time' })),
  from: Type.Optional(Type.String({ format: 'date', description: 'created on or after this day (YYYY-MM-DD, city time zone)' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'created on or before this day (YYYY-MM-DD, city time zone)' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  mine: Type.Optional(Type.Boolean({ description: 'true: orders assigned to me (the named handler)' })),
  pending: Type.Optional(StringEnum(PENDING, { description: 'orders waiting on this step of the departments’ side' })),
  sort: Type.Optional(StringEnum(SORTS, { description: 'created_at, deadline, urgency or status; a leading - sorts descending (default: newest first)' })),
};

const ListQuery = Type.Object({
  ...FilterProps,
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
});

const ExportQuery = Type.Object({ ...FilterProps, format: StringEnum(EXPORT_FORMATS, { description: 'xlsx (Excel) or csv (UTF-8 with BOM)' }) });

export function routes(app: App, ctx: AppContext) {
  const { db } = ctx;
  ctx.orderListeners.push(reviewListener, departmentsListener(ctx));
  app.post('/api/v1/workorders', { schema: { tags: ['workorders'], body: CreateBody } }, async (req, reply) => {
    const actor = requireActor(req, 'agent', 'dispatcher');
    // With an Idempotency-Key a retried create answers the first order instead of making a second.
    const key = idempotencyKeyOf(req);
    if (!key) return reply.status(201).send(forReader(await createOrder(ctx, actor, req.body), actor));
    const r = await createOrderOnce(ctx, actor, req.body, key);
    if (r.replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(201).send(forReader(r.order, actor));
  });
  app.get('/api/v1/workorders', { schema: { tags: ['workorders'], querystring: ListQuery } }, async (req) =>
    listOrders(db, requireActor(req), req.query, ctx.config.timeZone),
  );
  // The list as a file: the same filter, sort and visibility; X-Total-Count (sent first) lets the
  // client show progress while the rows stream.
  app.get(
    '/api/v1/workorders/export',
    {
      schema: {
        tags: ['workorders'],
        description: 'The filtered orders as Excel (xlsx) or CSV, in the Accept-Language (zh-CN or en), times in the city time zone.',
        querystring: ExportQuery,
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      const { format, ...filter } = req.query;
      const file = await exportOrders(db, actor, filter, { format, lang: negotiateLanguage(req.headers['accept-language']), timeZone: ctx.config.timeZone });
      await audit(db, actor.id, 'workorders.export', { format, filter, rows: file.total });
      return reply
        .type(file.contentType)
        .header('x-total-count', String(file.total))
        .header('access-control-expose-headers', 'X-Total-Count, Content-Disposition')
        .header('content-disposition', `attachment; filename="orders.${format}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
        .header('cache-control', 'no-store')
        .send(file.body);
    },
  );
  // The center's switches for the departments' side: every staff member may read them, an administrator sets them.
  app.get('/api/v1/workorders/settings', { schema: { tags: ['workorders'] } }, async (req) => {
    requireActor(req);
    return loadWorkorderSettings(db);
  });
  app.patch('/api/v1/workorders/settings', { schema: { tags: ['workorders'], body: SettingsPatch } }, async (req) => {
    requireActor(req, 'admin');
    return saveWorkorderSettings(db, req.body);
  });
  // `reason` (or the X-Access-Reason header) is the logged purpose of reading unmasked personal data.
  app.get(
    '/api/v1/workorders/:id',
    { schema: { tags: ['workorders'], params: IdParams, querystring: Type.Object({ reason: Type.Optional(AccessReason) }) } },
    async (req) => getOrder(ctx, requireActor(req), req.params.id, accessPurpose(req.query.reason, req.headers['x-access-reason'])),
  );
  app.get('/api/v1/workorders/:id/events', { schema: { tags: ['workorders'], params: IdParams } }, async (req) => ({
    items: await listEvents(db, requireActor(req), req.params.id),
  }));
  for (const [name, body] of Object.entries(ACTION_BODIES)) {
    app.post(`/api/v1/workorders/:id/actions/${name}`, { schema: { tags: ['workorders'], params: IdParams, body } }, async (req) =>
      act(ctx, requireActor(req), req.params.id, name, req.body as Record<string, unknown>),
    );
  }

  // --- attachments (附件): the file is the request body, its type the Content-Type ---------
  app.addContentTypeParser(Object.keys(ATTACHMENT_TYPES), { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES }, (_req, body, done) => done(null, body));
  const AttachmentParams = Type.Object({ id: Id, attachmentId: Id });
  app.post(
    '/api/v1/workorders/:id/attachments',
    {
      bodyLimit: MAX_ATTACHMENT_BYTES,
      schema: {
        tags: ['workorders'],
        description: `Adds a file (body: the bytes; Content-Type: ${Object.keys(ATTACHMENT_TYPES).join(', ')}; at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MiB).`,
        params: IdParams,
        querystring: Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }) }),
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const file = { name: req.query.name, contentType: req.headers['content-type'] ?? '', data };
      return reply.status(201).send(await db.tx((q) => addAttachment(q, actor, req.params.id, file)));
    },
  );
  app.get('/api/v1/workorders/:id/attachments', { schema: { tags: ['workorders'], params: IdParams } }, async (req) => ({
    items: await listAttachments(db, requireActor(req), req.params.id),
  }));
  app.get('/api/v1/workorders/:id/attachments/:attachmentId', { schema: { tags: ['workorders'], params: AttachmentParams } }, async (req, reply) => {
    const a = await readAttachment(db, requireActor(req), req.params.id, req.params.attachmentId);
    return reply
      .type(a.contentType)
      .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(a.name)}`)
      .header('cache-control', 'private, max-age=3600')
      .send(a.data);
  });
}
