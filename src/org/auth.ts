// Passwords (argon2id) and bearer tokens (random, stored as SHA-256).
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Database, Queryable } from '../db/database.js';
import type { Actor, Role } from '../core/context.js';
import { setting } from '../core/config.js';

export const hashPassword = (password: string) => hash(password);

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// Verified against when the user does not exist, so that both cases take the same time.
let dummyHash: Promise<string> | undefined;

/** The user id when the username and password are right and the user is active, else null (same time either way). */
export async function verifyCredentials(db: Queryable, username: string, password: string): Promise<number | null> {
  const { rows } = await db.query<{ id: number; password_hash: string; active: boolean }>('SELECT id, password_hash, active FROM users WHERE username = $1', [
    username,
  ]);
  const user = rows[0];
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  const ok = await verify(user?.password_hash ?? (await dummyHash), password).catch(() => false);
  return user && ok && user.active ? user.id : null;
}

/** How long a session lives: an idle timeout that each request renews, up to a cap from sign-in. */
export interface SessionLimits {
  idleSeconds: number;
  maxSeconds: number;
}

export interface SessionTimes {
  /** When the session ends unless a request renews it. */
  expiresAt: Date;
  /** When it ends however active it is. */
  absoluteExpiresAt: Date;
}

export async function createSession(db: Queryable, userId: number, limits: SessionLimits): Promise<{ token: string } & SessionTimes> {
  const token = randomBytes(32).toString('base64url');
  // The database's clock, the one authenticate() compares with.
  const { rows } = await db.query<{ expires_at: Date; absolute_expires_at: Date }>(
    `INSERT INTO sessions (token_hash, user_id, expires_at, absolute_expires_at)
     VALUES ($1, $2, now() + make_interval(secs => least($3::float8, $4::float8)), now() + make_interval(secs => $4::float8))
     RETURNING expires_at, absolute_expires_at`,
    [sha256(token), userId, limits.idleSeconds, limits.maxSeconds],
  );
  return { token, expiresAt: rows[0]!.expires_at, absoluteExpiresAt: rows[0]!.absolute_expires_at };
}

/** Returns a new token, or null when the username or password is wrong (the caller cannot tell which). */
export async function login(db: Database, username: string, password: string, limits: SessionLimits): Promise<({ token: string } & SessionTimes) | null> {
  const userId = await verifyCredentials(db, username, password);
  return userId == null ? null : createSession(db, userId, limits);
}

export async function logout(db: Database, token: string): Promise<void> {
  const h = sha256(token);
  actorCache.delete(h);
  await db.query('UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [h]);
}

// A short in-process cache of token → actor, so that a busy client (a CTI connector, an
// intake gateway) does not cost one session lookup per request. Logout and changes to a
// user on THIS node take effect at once; a session revoked or a user changed on another
// node is still honoured here for at most AUTH_CACHE_MS (JIESU_AUTH_CACHE_SECONDS, default
// 5 s; 0 turns the cache off). A cached entry never outlives the session's own expiry.
const AUTH_CACHE_MS = 1000 * setting('JIESU_AUTH_CACHE_SECONDS');
const AUTH_CACHE_MAX = 10_000;
const actorCache = new Map<string, { db: Queryable; actor: Actor; until: number }>();

/** Ends every open session of a user, here and in this node's cache; returns how many. */
export async function revokeUserSessions(db: Queryable, userId: number): Promise<number> {
  const r = await db.query('UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()', [userId]);
  forgetUser(userId);
  return r.rowCount;
}

/** Drops every cached session of a user (roles, unit, password or active flag changed). */
export function forgetUser(userId: number): void {
  for (const [h, e] of actorCache) if (e.actor.id === userId) actorCache.delete(h);
}

// A request renews its session's expiry to now + idle, but the row is written only when that
// moves it by more than this, so a busy client costs one write a minute, not one a request.
const RENEW_STEP_SECONDS = 60;

/** Why a token was refused: none such (or its user is disabled), ended by time, or signed out / revoked. */
export type AuthFailure = 'unknown' | 'expired' | 'revoked';

/** The actor of a live session, renewing its idle expiry; or why there is none. */
export async function authenticate(db: Queryable, token: string, idleSeconds: number): Promise<{ actor: Actor } | { failure: AuthFailure }> {
  const h = sha256(token);
  const now = Date.now();
  const hit = actorCache.get(h);
  if (hit && hit.db === db && hit.until > now) return { actor: { ...hit.actor, roles: [...hit.actor.roles] } };
  const { rows } = await db.query<{
    id: number;
    username: string;
    unit_id: number | null;
    roles: Role[];
    active: boolean;
    revoked: boolean;
    live: boolean;
    expires_at: Date;
    renewed: Date;
    renew: boolean;
  }>(
    `SELECT u.id, u.username, u.unit_id, u.roles, u.active, s.revoked_at IS NOT NULL AS revoked,
            s.expires_at > now() AS live, s.expires_at,
            least(now() + make_interval(secs => $2::float8), s.absolute_expires_at) AS renewed,
            least(now() + make_interval(secs => $2::float8), s.absolute_expires_at) > s.expires_at + make_interval(secs => $3::float8) AS renew
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1`,
    [h, idleSeconds, RENEW_STEP_SECONDS],
  );
  const u = rows[0];
  if (!u || !u.active || u.revoked || !u.live) {
    actorCache.delete(h);
    return { failure: !u || !u.active ? 'unknown' : u.revoked ? 'revoked' : 'expired' };
  }
  let expiresAt = u.expires_at;
  if (u.renew) {
    // Only forward, and not on a session revoked meanwhile: two nodes renewing at once both succeed harmlessly.
    await db.query('UPDATE sessions SET expires_at = $2 WHERE token_hash = $1 AND expires_at < $2 AND revoked_at IS NULL', [h, u.renewed]);
    expiresAt = u.renewed;
  }
  const actor: Actor = { id: u.id, username: u.username, unitId: u.unit_id, roles: u.roles };
  if (AUTH_CACHE_MS > 0) {
    if (actorCache.size >= AUTH_CACHE_MAX) {
      for (const [k, e] of actorCache) if (e.until <= now) actorCache.delete(k);
      if (actorCache.size >= AUTH_CACHE_MAX) actorCache.delete(actorCache.keys().next().value!);
    }
    actorCache.set(h, { db, actor, until: Math.min(now + AUTH_CACHE_MS, expiresAt.getTime()) });
  }
  return { actor: { ...actor, roles: [...actor.roles] } };
}

/** A session's expiry times, as they stand (null when the token names no live session). */
export async function sessionTimes(db: Queryable, token: string): Promise<SessionTimes | null> {
  const { rows } = await db.query<{ expires_at: Date; absolute_expires_at: Date }>(
    'SELECT expires_at, absolute_expires_at FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()',
    [sha256(token)],
  );
  return rows[0] ? { expiresAt: rows[0].expires_at, absoluteExpiresAt: rows[0].absolute_expires_at } : null;
}

/** Creates the `admin` user from JIESU_ADMIN_PASSWORD when it does not exist yet. */
export async function bootstrapAdmin(db: Database, password: string | undefined): Promise<boolean> {
  if (!password) return false;
  const passwordHash = await hashPassword(password);
  const r = await db.query(
    `INSERT INTO users (username, password_hash, display_name, roles)
     VALUES ('admin', $1, '系统管理员', ARRAY['admin']) ON CONFLICT (username) DO NOTHING`,
    [passwordHash],
  );
  return r.rowCount > 0;
}
