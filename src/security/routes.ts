// Security endpoints: TOTP enrolment, revoking sessions, the personal-data audit log.
import { decrypt, encrypt } from '../privacy/index.js';
import { revokeUserSessions } from '../org/index.js';
import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { hasRole } from '../core/context.js';
import { badRequest, conflict, forbidden, notFound } from '../core/errors.js';
import { Id } from '../http/schemas.js';
import { audit, listAuditEvents, listPiiAccess } from './audit.js';
import { newTotpSecret, otpauthUrl, verifyTotp } from './totp.js';

const Instant = Type.String({ minLength: 10, maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}' });
const Limit = Type.Integer({ minimum: 1, maximum: 1000 });
const Cursor = Type.String({ maxLength: 20, pattern: '^\\d+$' });

const instant = (v: string | undefined, field: string) => {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw badRequest('validation.formatDateTime', { field }, field);
  return d.toISOString();
};

export function routes(app: App, { db }: AppContext) {
  // TOTP: an admin starts enrolment (a fresh secret, not yet required), then confirms it with
  // a code from the authenticator app; from then on login needs `totp`.
  app.post('/api/v1/auth/totp/setup', { schema: { tags: ['auth'] } }, async (req) => {
    const actor = requireActor(req, 'admin');
    const { rows } = await db.query<{ totp_enabled: boolean }>('SELECT totp_enabled FROM users WHERE id = $1', [actor.id]);
    if (rows[0]?.totp_enabled) throw conflict('totp_enabled', 'auth.totpEnabled');
    const secret = newTotpSecret();
    await db.query('UPDATE users SET totp_secret_enc = $2, totp_secret = NULL, totp_last_step = NULL WHERE id = $1', [actor.id, encrypt(secret)]);
    return { secret, otpauthUrl: otpauthUrl(secret, actor.username) };
  });
  app.post(
    '/api/v1/auth/totp/enable',
    { schema: { tags: ['auth'], body: Type.Object({ code: Type.String({ pattern: '^\\d{6}$' }) }, { additionalProperties: false }) } },
    async (req) => {
      const actor = requireActor(req, 'admin');
      const { rows } = await db.query<{ totp_secret: string | null; totp_enabled: boolean }>(
        'SELECT coalesce(totp_secret_enc, totp_secret) AS totp_secret, totp_enabled FROM users WHERE id = $1',
        [actor.id],
      );
      const u = rows[0]!;
      if (u.totp_enabled) throw conflict('totp_enabled', 'auth.totpEnabled');
      if (!u.totp_secret) throw conflict('totp_not_set_up', 'auth.totpNotSetUp');
      const step = verifyTotp(decrypt(u.totp_secret)!, req.body.code);
      if (step == null) throw badRequest('auth.totpWrong', {}, 'code');
      await db.query('UPDATE users SET totp_enabled = true, totp_last_step = $2 WHERE id = $1', [actor.id, step]);
      await audit(db, actor.id, 'totp.enable', { userId: actor.id });
      return { enabled: true };
    },
  );
  // An admin turns TOTP off for a user (a lost phone); the user's sessions end.
  app.post('/api/v1/auth/totp/disable', { schema: { tags: ['auth'], body: Type.Object({ userId: Id }, { additionalProperties: false }) } }, async (req) => {
    const actor = requireActor(req, 'admin');
    const r = await db.query('UPDATE users SET totp_enabled = false, totp_secret = NULL, totp_secret_enc = NULL, totp_last_step = NULL WHERE id = $1', [
      req.body.userId,
    ]);
    if (r.rowCount === 0) throw notFound('user', req.body.userId);
    await revokeUserSessions(db, req.body.userId);
    await audit(db, actor.id, 'totp.disable', { userId: req.body.userId });
    return { enabled: false };
  });

  // Ends every open session of a user: one's own without `userId`, anyone's for an admin.
  app.post(
    '/api/v1/auth/sessions/revoke-all',
    { schema: { tags: ['auth'], body: Type.Optional(Type.Object({ userId: Type.Optional(Id) }, { additionalProperties: false })) } },
    async (req) => {
      const actor = requireActor(req);
      const userId = req.body?.userId ?? actor.id;
      if (userId !== actor.id && !hasRole(actor, 'admin')) throw forbidden('auth.revokeOthers');
      const exists = await db.query('SELECT 1 FROM users WHERE id = $1', [userId]);
      if (exists.rowCount === 0) throw notFound('user', userId);
      const revoked = await revokeUserSessions(db, userId);
      await audit(db, actor.id, 'sessions.revoke_all', { userId, revoked });
      return { userId, revoked };
    },
  );

  app.get(
    '/api/v1/audit/pii',
    {
      schema: {
        tags: ['audit'],
        querystring: Type.Object(
          {
            userId: Type.Optional(Id),
            workorderId: Type.Optional(Id),
            from: Type.Optional(Instant),
            to: Type.Optional(Instant),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      const q = req.query;
      return listPiiAccess(db, { ...q, from: instant(q.from, 'from'), to: instant(q.to, 'to') });
    },
  );
  app.get(
    '/api/v1/audit/events',
    {
      schema: {
        tags: ['audit'],
        querystring: Type.Object(
          { action: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      return listAuditEvents(db, req.query);
    },
  );
}
