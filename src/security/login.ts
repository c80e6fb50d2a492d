// Hardened login: sliding-window throttling per user and per IP (in the database, so every
// node shares it), then the password, then the TOTP code for users who enabled it.
import { decrypt } from '../privacy/index.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/database.js';
import type { AppConfig } from '../core/context.js';
import { AppError, unauthorized } from '../core/errors.js';
import { createSession, verifyCredentials } from '../org/index.js';
import { verifyTotp } from './totp.js';
import { setting } from '../core/config.js';

export interface ThrottleSettings {
  windowSeconds: number;
  maxPerUser: number;
  maxPerIp: number;
}

export const throttleSettings = (): ThrottleSettings => ({
  windowSeconds: setting('JIESU_LOGIN_WINDOW_SECONDS'),
  maxPerUser: setting('JIESU_LOGIN_MAX_USER_FAILURES'),
  maxPerIp: setting('JIESU_LOGIN_MAX_IP_FAILURES'),
});

/** Seconds until the key drops below `max` failures in the window, or 0 when it is not blocked. */
async function blockedFor(db: Queryable, key: string, max: number, windowSeconds: number): Promise<number> {
  const { rows } = await db.query<{ wait: number }>(
    `SELECT ceil(extract(epoch FROM (at + make_interval(secs => $3) - now())))::int AS wait
       FROM login_failures WHERE key = $1 AND at > now() - make_interval(secs => $3)
      ORDER BY at DESC OFFSET $2 - 1 LIMIT 1`,
    [key, max, windowSeconds],
  );
  return rows[0] ? Math.max(1, rows[0].wait) : 0;
}

async function recordFailure(db: Queryable, keys: string[], windowSeconds: number) {
  for (const key of keys) {
    await db.query('INSERT INTO login_failures (key) VALUES ($1)', [key]);
    // Keep the table small: rows that left the window are no longer needed.
    await db.query('DELETE FROM login_failures WHERE key = $1 AND at < now() - make_interval(secs => $2)', [key, windowSeconds * 2]);
  }
}

export function tooManyAttempts(reply: FastifyReply, seconds: number): AppError {
  reply.header('retry-after', String(seconds));
  const minutes = Math.ceil(seconds / 60);
  return new AppError(429, 'too_many_attempts', 'auth.tooManyAttempts', { minutes, seconds });
}

export async function secureLogin(
  db: Queryable,
  config: AppConfig,
  req: FastifyRequest,
  reply: FastifyReply,
  body: { username: string; password: string; totp?: string },
): Promise<{ token: string; expiresAt: string; absoluteExpiresAt: string }> {
  const s = throttleSettings();
  const userKey = `user:${body.username.toLowerCase()}`;
  const ipKey = `ip:${req.ip}`;
  const wait = Math.max(await blockedFor(db, userKey, s.maxPerUser, s.windowSeconds), await blockedFor(db, ipKey, s.maxPerIp, s.windowSeconds));
  if (wait > 0) throw tooManyAttempts(reply, wait);

  const userId = await verifyCredentials(db, body.username, body.password);
  if (userId == null) {
    await recordFailure(db, [userKey, ipKey], s.windowSeconds);
    throw unauthorized('auth.wrongPassword');
  }
  const { rows } = await db.query<{ totp_enabled: boolean; totp_secret: string | null; totp_last_step: number | null }>(
    'SELECT totp_enabled, coalesce(totp_secret_enc, totp_secret) AS totp_secret, totp_last_step FROM users WHERE id = $1',
    [userId],
  );
  const u = rows[0]!;
  if (u.totp_enabled && u.totp_secret) {
    if (!body.totp) throw new AppError(401, 'totp_required', 'auth.totpRequired');
    const step = verifyTotp(decrypt(u.totp_secret)!, body.totp, Date.now(), u.totp_last_step);
    // The step is claimed with a conditional update, so two nodes cannot accept the same code.
    const claimed =
      step != null &&
      (await db.query('UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)', [userId, step])).rowCount > 0;
    if (!claimed) {
      await recordFailure(db, [userKey, ipKey], s.windowSeconds);
      throw new AppError(401, 'totp_invalid', 'auth.totpWrong');
    }
  }
  await db.query('DELETE FROM login_failures WHERE key = $1', [userKey]);
  const session = await createSession(db, userId, { idleSeconds: config.sessionIdleSeconds, maxSeconds: config.sessionMaxSeconds });
  return { token: session.token, expiresAt: session.expiresAt.toISOString(), absoluteExpiresAt: session.absoluteExpiresAt.toISOString() };
}
