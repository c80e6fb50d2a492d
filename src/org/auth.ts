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

export async function createSession(db: Queryable, userId: number, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  await db.query('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [sha256(token), userId, expiresAt]);
  return { token, expiresAt };
}

/** Returns a new token, or null when the username or password is wrong (the caller cannot tell which). */
export async function login(db: Database, username: string, password: string, ttlSeconds: number): Promise<{ token: string; expiresAt: Date } | null> {
  const userId = await verifyCredentials(db, username, password);
  return userId == null ? null : createSession(db, userId, ttlSeconds);
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

export async function authenticate(db: Queryable, token: string): Promise<Actor | null> {
  const h = sha256(token);
  const now = Date.now();
  const hit = actorCache.get(h);
  if (hit && hit.db === db && hit.until > now) return { ...hit.actor, roles: [...hit.actor.roles] };
  const { rows } = await db.query<{ id: number; username: string; unit_id: number | null; roles: Role[]; expires_at: Date }>(
    `SELECT u.id, u.username, u.unit_id, u.roles, s.expires_at
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active`,
    [h],
  );
  const u = rows[0];
  if (!u) {
    actorCache.delete(h);
    return null;
  }
  const actor: Actor = { id: u.id, username: u.username, unitId: u.unit_id, roles: u.roles };
  if (AUTH_CACHE_MS > 0) {
    if (actorCache.size >= AUTH_CACHE_MAX) {
      for (const [k, e] of actorCache) if (e.until <= now) actorCache.delete(k);
      if (actorCache.size >= AUTH_CACHE_MAX) actorCache.delete(actorCache.keys().next().value!);
    }
    actorCache.set(h, { db, actor, until: Math.min(now + AUTH_CACHE_MS, u.expires_at.getTime()) });
  }
  return { ...actor, roles: [...actor.roles] };
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
