import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import { ROLES, type AppContext } from '../core/context.js';
import { Id, IdParams, StringEnum } from '../http/schemas.js';
import { logout, sessionTimes } from './auth.js';
import { forbidden, unauthorized } from '../core/errors.js';
import { secureLogin } from '../security/index.js';
import { UNIT_KINDS, createUnit, getUnit, listUnits, updateUnit } from './units.js';
import { createUser, getUser, listUsers, updateUser } from './users.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const UnitBody = Type.Object(
  { name: Name, kind: StringEnum(UNIT_KINDS), parentId: Type.Optional(Type.Union([Id, Type.Null()])) },
  { additionalProperties: false },
);
const UnitPatch = Type.Object(
  {
    name: Type.Optional(Name),
    kind: Type.Optional(StringEnum(UNIT_KINDS)),
    parentId: Type.Optional(Type.Union([Id, Type.Null()])),
    active: Type.Optional(Type.Boolean()),
    managerReview: Type.Optional(Type.Boolean({ description: "the unit's manager approves its handlers' replies (答复审核) and extension requests" })),
  },
  { additionalProperties: false },
);
const Username = Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const Password = Type.String({ minLength: 1, maxLength: 256 });
const Roles = Type.Array(StringEnum(ROLES), { maxItems: ROLES.length });
const UserBody = Type.Object(
  { username: Username, password: Password, displayName: Name, unitId: Type.Optional(Type.Union([Id, Type.Null()])), roles: Roles },
  { additionalProperties: false },
);
const UserPatch = Type.Object(
  {
    password: Type.Optional(Password),
    displayName: Type.Optional(Name),
    unitId: Type.Optional(Type.Union([Id, Type.Null()])),
    roles: Type.Optional(Roles),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export function routes(app: App, { db, config }: AppContext) {
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 256 }),
          totp: Type.Optional(Type.String({ maxLength: 16 })),
        }),
      },
    },
    // Throttling, the password and TOTP: src/security/login.ts.
    async (req, reply) => secureLogin(db, config, req, reply, req.body),
  );
  app.post('/api/v1/auth/logout', { schema: { tags: ['auth'] } }, async (req, reply) => {
    await logout(db, req.headers.authorization!.slice(7).trim());
    return reply.status(204).send();
  });
  app.get('/api/v1/auth/me', { schema: { tags: ['auth'] } }, async (req) => getUser(db, requireActor(req).id));
  // When this login ends: `expiresAt` moves with activity (this request counts), never past
  // `absoluteExpiresAt`, which is fixed at sign-in.
  app.get('/api/v1/auth/session', { schema: { tags: ['auth'] } }, async (req) => {
    const actor = requireActor(req);
    const times = await sessionTimes(db, req.headers.authorization!.slice(7).trim());
    if (!times) throw unauthorized();
    return {
      username: actor.username,
      expiresAt: times.expiresAt.toISOString(),
      absoluteExpiresAt: times.absoluteExpiresAt.toISOString(),
      idleMinutes: config.sessionIdleSeconds / 60,
      maxHours: config.sessionMaxSeconds / 3600,
    };
  });

  app.post('/api/v1/units', { schema: { tags: ['org'], body: UnitBody } }, async (req, reply) => {
    requireActor(req, 'admin');
    return reply.status(201).send(await createUnit(db, req.body));
  });
  // Every staff member may read the org tree: dispatching and co-handling need it.
  app.get(
    '/api/v1/units',
    { schema: { tags: ['org'], querystring: Type.Object({ parentId: Type.Optional(Id), kind: Type.Optional(StringEnum(UNIT_KINDS)) }) } },
    async (req) => ({ items: await listUnits(db, req.query) }),
  );
  app.get('/api/v1/units/:id', { schema: { tags: ['org'], params: IdParams } }, async (req) => getUnit(db, req.params.id));
  // Who works in a unit, for its manager to name an order's handler (assign): names and roles
  // only. The unit's own managers and admins may read it; anyone else is refused.
  app.get('/api/v1/units/:id/members', { schema: { tags: ['org'], params: IdParams } }, async (req) => {
    const actor = requireActor(req, 'unit_manager', 'admin');
    if (!actor.roles.includes('admin') && actor.unitId !== req.params.id) throw forbidden('org.membersOwnUnit');
    await getUnit(db, req.params.id);
    const users = await listUsers(db, { unitId: req.params.id });
    return { items: users.filter((u) => u.active).map((u) => ({ id: u.id, displayName: u.displayName, roles: u.roles })) };
  });
  app.patch('/api/v1/units/:id', { schema: { tags: ['org'], params: IdParams, body: UnitPatch } }, async (req) => {
    requireActor(req, 'admin');
    return updateUnit(db, req.params.id, req.body);
  });

  app.post('/api/v1/users', { schema: { tags: ['org'], body: UserBody } }, async (req, reply) => {
    requireActor(req, 'admin');
    return reply.status(201).send(await createUser(db, req.body));
  });
  app.get(
    '/api/v1/users',
    { schema: { tags: ['org'], querystring: Type.Object({ unitId: Type.Optional(Id), role: Type.Optional(StringEnum(ROLES)) }) } },
    async (req) => {
      requireActor(req, 'admin');
      return { items: await listUsers(db, req.query) };
    },
  );
  app.get('/api/v1/users/:id', { schema: { tags: ['org'], params: IdParams } }, async (req) => {
    requireActor(req, 'admin');
    return getUser(db, req.params.id);
  });
  app.patch('/api/v1/users/:id', { schema: { tags: ['org'], params: IdParams, body: UserPatch } }, async (req) => {
    requireActor(req, 'admin');
    return updateUser(db, req.params.id, req.body);
  });
}
