import { Type, type TSchema } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { Id, IdParams, Nullable, StringEnum, Text } from '../http/schemas.js';
import { CLOSE_REASONS, ORDER_TYPES, SATISFACTIONS, STATUSES, URGENCIES } from './model.js';
import { act, createOrder, createOrderOnce, forReader, getOrder, listEvents, listOrders } from './service.js';
import { idempotencyKeyOf } from '../http/idempotency.js';
import { AccessReason, accessPurpose } from '../security/index.js';
import { reviewListener } from './review.js';
import { OrderLocation } from './schemas.js';
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
  close: action({ reason: StringEnum(CLOSE_REASONS), duplicateOf: Type.Optional(Id) }),
  supervise: action({ note: Text(2000) }),
  'reply-supervision': action({ note: Text(2000) }),
};

const ListQuery = Type.Object({
  status: Type.Optional(Type.Array(StringEnum(STATUSES), { maxItems: STATUSES.length })),
  overdue: Type.Optional(Type.Boolean({ description: 'a running deadline has passed' })),
  warning: Type.Optional(StringEnum(['yellow', 'red'] as const, { description: 'a running deadline is at this level now' })),
  unitId: Type.Optional(Id),
  type: Type.Optional(StringEnum(ORDER_TYPES)),
  categoryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  createdFrom: Type.Optional(Type.String({ format: 'date-time' })),
  createdTo: Type.Optional(Type.String({ format: 'date-time' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export function routes(app: App, ctx: AppContext) {
  const { db } = ctx;
  ctx.orderListeners.push(reviewListener);
  app.post('/api/v1/workorders', { schema: { tags: ['workorders'], body: CreateBody } }, async (req, reply) => {
    const actor = requireActor(req, 'agent', 'dispatcher');
    // With an Idempotency-Key a retried create answers the first order instead of making a second.
    const key = idempotencyKeyOf(req);
    if (!key) return reply.status(201).send(forReader(await createOrder(ctx, actor, req.body), actor));
    const r = await createOrderOnce(ctx, actor, req.body, key);
    if (r.replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(201).send(forReader(r.order, actor));
  });
  app.get('/api/v1/workorders', { schema: { tags: ['workorders'], querystring: ListQuery } }, async (req) => listOrders(db, requireActor(req), req.query));
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
