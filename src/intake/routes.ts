import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import { idempotencyKeyOf } from '../http/idempotency.js';
import type { AppContext } from '../core/context.js';
import { Id, IdParams, Nullable, StringEnum, Text } from '../http/schemas.js';
import { ORDER_TYPES, URGENCIES, OrderLocation } from '../workorders/index.js';
import { CHANNELS, CONTACT_READERS, INVALID_REASONS, OUTCOMES, TRANSFER_TARGETS, callerHistory, createContact, getContact, listContacts } from './service.js';

const Phone = Type.String({ maxLength: 32, pattern: '^[+(（]?[0-9][0-9 ()（）-]{2,30}$' });
const DateTime = Type.String({ format: 'date-time' });

/** The order created together with a contact whose outcome is `workorder`. */
const OrderBody = Type.Object(
  {
    type: StringEnum(ORDER_TYPES),
    title: Text(200),
    content: Text(20000),
    categoryCode: Nullable(Type.String({ minLength: 1, maxLength: 64 })),
    urgency: Type.Optional(StringEnum(URGENCIES)),
    location: Nullable(OrderLocation),
    citizen: Nullable(Type.Object({ name: Nullable(Type.String({ maxLength: 100 })), phone: Nullable(Phone) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const ContactBody = Type.Object(
  {
    channel: StringEnum(CHANNELS),
    startedAt: DateTime,
    endedAt: Nullable(DateTime),
    caller: Nullable(Type.Object({ phone: Nullable(Phone), name: Nullable(Type.String({ maxLength: 100 })) }, { additionalProperties: false })),
    agentId: Nullable(Id),
    summary: Text(5000),
    outcome: StringEnum(OUTCOMES),
    workorderId: Nullable(Id),
    transferTo: Nullable(StringEnum(TRANSFER_TARGETS)),
    invalidReason: Nullable(StringEnum(INVALID_REASONS)),
    callId: Nullable(Type.String({ minLength: 1, maxLength: 128 })),
    workorder: Nullable(OrderBody),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object({
  channel: Type.Optional(Type.Array(StringEnum(CHANNELS), { maxItems: CHANNELS.length })),
  outcome: Type.Optional(Type.Array(StringEnum(OUTCOMES), { maxItems: OUTCOMES.length })),
  agentId: Type.Optional(Id),
  phone: Type.Optional(Phone),
  workorderId: Type.Optional(Id),
  from: Type.Optional(DateTime),
  to: Type.Optional(DateTime),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export function routes(app: App, ctx: AppContext) {
  const { db } = ctx;
  app.post(
    '/api/v1/contacts',
    // A contact is small; anything bigger than 64 KiB is refused with 413 before parsing.
    { bodyLimit: 64 * 1024, schema: { tags: ['intake'], body: ContactBody } },
    async (req, reply) => {
      const actor = requireActor(req, 'agent', 'dispatcher');
      const key = idempotencyKeyOf(req);
      // createContact resolves only after its transaction has committed.
      const r = await createContact(ctx, actor, req.body, key);
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send({ ...r.contact, workorder: r.workorder });
    },
  );
  app.get('/api/v1/contacts', { schema: { tags: ['intake'], querystring: ListQuery } }, async (req) => {
    requireActor(req, ...CONTACT_READERS);
    return listContacts(db, req.query);
  });
  app.get('/api/v1/contacts/:id', { schema: { tags: ['intake'], params: IdParams } }, async (req) =>
    getContact(db, requireActor(req, ...CONTACT_READERS), req.params.id),
  );
  app.get(
    '/api/v1/callers/:phone/history',
    {
      schema: {
        tags: ['intake'],
        params: Type.Object({ phone: Type.String({ minLength: 3, maxLength: 32 }) }),
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }),
      },
    },
    async (req) => callerHistory(db, requireActor(req), req.params.phone, req.query.limit),
  );
}
