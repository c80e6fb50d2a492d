// In-app inbox and webhook outbox. Other modules write notifications inside their own
// transaction; webhooks are delivered later by `deliverWebhooks`, retried with backoff,
// every attempt recorded. Delivery claims rows with SKIP LOCKED and a lease, so several
// nodes never post the same row at the same time.
import type { Database, Queryable } from '../db/database.js';
import { badRequest, notFound } from '../core/errors.js';

export interface NewNotification {
  kind: string;
  title: string;
  body: string;
  workorderId?: number | null;
  data?: Record<string, unknown>;
}

/** Adds one notification to each user's inbox (duplicates in userIds are ignored). Returns how many were written. */
export async function notifyUsers(q: Queryable, userIds: number[], n: NewNotification): Promise<number> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return 0;
  const r = await q.query(
    `INSERT INTO notifications (user_id, kind, title, body, workorder_id, data)
     SELECT u, $2, $3, $4, $5, $6 FROM unnest($1::int[]) AS u`,
    [ids, n.kind, n.title, n.body, n.workorderId ?? null, JSON.stringify(n.data ?? {})],
  );
  return r.rowCount;
}

export async function enqueueWebhook(q: Queryable, url: string, payload: unknown, now: Date): Promise<void> {
  await q.query('INSERT INTO webhook_outbox (url, payload, next_attempt_at) VALUES ($1, $2, $3)', [url, JSON.stringify(payload), now]);
}

export interface Notification {
  id: number;
  kind: string;
  title: string;
  body: string;
  workorderId: number | null;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

const toNotification = (r: any): Notification => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  body: r.body,
  workorderId: r.workorder_id,
  data: r.data,
  createdAt: new Date(r.created_at).toISOString(),
  readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
});

export async function listNotifications(db: Database, userId: number, f: { unread?: boolean; limit: number; cursor?: number }) {
  const params: unknown[] = [userId];
  let where = 'user_id = $1';
  if (f.unread) where += ' AND read_at IS NULL';
  if (f.cursor) where += ` AND id < $${params.push(f.cursor)}`;
  const { rows } = await db.query(`SELECT * FROM notifications WHERE ${where} ORDER BY id DESC LIMIT $${params.push(f.limit + 1)}`, params);
  const unread = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL', [userId]);
  const items = rows.slice(0, f.limit).map(toNotification);
  return { items, unreadCount: unread.rows[0]!.n, nextCursor: rows.length > f.limit ? items[items.length - 1]!.id : null };
}

export async function markRead(db: Database, userId: number, id: number): Promise<Notification> {
  const { rows } = await db.query('UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING *', [id, userId]);
  if (!rows[0]) throw notFound('notification', id);
  return toNotification(rows[0]);
}

export async function markAllRead(db: Database, userId: number): Promise<number> {
  return (await db.query('UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL', [userId])).rowCount;
}

export function checkWebhookUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badRequest('validation.formatUri', { field: 'webhookUrl' }, 'webhookUrl');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badRequest('notifications.httpOnly', {}, 'webhookUrl');
}

export interface DeliveryResult {
  sent: number;
  failed: number;
  dead: number;
}

/** Delay before attempt n+1 after n failed attempts: 30 s, 1 min, 2 min, … capped at 1 h. */
export const backoffMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** (attempts - 1));

/**
 * Writes one delivery attempt's outcome on an outbox row (webhooks, Open311 outbound, SMS): sent,
 * dead after the last attempt, or due again after the backoff. `sent` sets more columns on success.
 */
export async function recordDelivery(
  db: Queryable,
  table: 'webhook_outbox' | 'open311_outbound' | 'sms_outbox',
  row: { id: number },
  r: { attempts: number; status: number | null; error: string | null; maxAttempts: number; now: Date; sent?: Record<string, unknown> },
): Promise<'sent' | 'dead' | 'failed'> {
  if (!r.error) {
    const extra = Object.entries(r.sent ?? {});
    await db.query(
      `UPDATE ${table} SET status = 'sent', attempts = $2, last_status = $3, last_error = NULL, sent_at = now(), lease_until = NULL${extra
        .map(([column], i) => `, ${column} = $${i + 4}`)
        .join('')} WHERE id = $1`,
      [row.id, r.attempts, r.status, ...extra.map(([, v]) => v)],
    );
    return 'sent';
  }
  if (r.attempts >= r.maxAttempts) {
    await db.query(`UPDATE ${table} SET status = 'dead', attempts = $2, last_status = $3, last_error = $4, lease_until = NULL WHERE id = $1`, [
      row.id,
      r.attempts,
      r.status,
      r.error,
    ]);
    return 'dead';
  }
  await db.query(`UPDATE ${table} SET attempts = $2, last_status = $3, last_error = $4, lease_until = NULL, next_attempt_at = $5 WHERE id = $1`, [
    row.id,
    r.attempts,
    r.status,
    r.error,
    new Date(r.now.getTime() + backoffMs(r.attempts)),
  ]);
  return 'failed';
}

/** Posts due webhooks once each; failures are retried later (by `now`), dead after maxAttempts. */
export async function deliverWebhooks(db: Database, now: Date, opts: { maxAttempts?: number; timeoutMs?: number } = {}): Promise<DeliveryResult> {
  const maxAttempts = opts.maxAttempts ?? 6;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const out: DeliveryResult = { sent: 0, failed: 0, dead: 0 };
  for (;;) {
    const claimed = await db.tx(async (q) => {
      const { rows } = await q.query<{ id: number; url: string; payload: unknown; attempts: number }>(
        `SELECT id, url, payload, attempts FROM webhook_outbox
         WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < now())
         ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      if (rows.length) {
        await q.query(`UPDATE webhook_outbox SET lease_until = now() + make_interval(secs => $2) WHERE id = ANY($1::int[])`, [
          rows.map((r) => r.id),
          Math.ceil(timeoutMs / 1000) + 30,
        ]);
      }
      return rows;
    });
    if (claimed.length === 0) return out;
    for (const row of claimed) {
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await fetch(row.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'jiesu-webhook/1' },
          body: JSON.stringify(row.payload),
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) error = `HTTP ${res.status}`;
      } catch (e) {
        error = (e as Error).message || String(e);
      }
      const attempts = row.attempts + 1;
      await db.query('INSERT INTO webhook_attempts (outbox_id, status, error) VALUES ($1, $2, $3)', [row.id, status, error]);
      out[await recordDelivery(db, 'webhook_outbox', row, { attempts, status, error, maxAttempts, now })]++;
    }
  }
}

export async function listOutbox(db: Database, f: { status?: string; limit: number }) {
  const params: unknown[] = [];
  const where = f.status ? `WHERE status = $${params.push(f.status)}` : '';
  const { rows } = await db.query<any>(`SELECT * FROM webhook_outbox ${where} ORDER BY id DESC LIMIT $${params.push(f.limit)}`, params);
  const ids = rows.map((r) => r.id);
  const att = ids.length
    ? (await db.query<any>('SELECT outbox_id, at, status, error FROM webhook_attempts WHERE outbox_id = ANY($1::int[]) ORDER BY id', [ids])).rows
    : [];
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return rows.map((r) => ({
    id: r.id,
    url: r.url,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: iso(r.next_attempt_at),
    lastError: r.last_error,
    lastStatus: r.last_status,
    createdAt: iso(r.created_at),
    sentAt: iso(r.sent_at),
    attemptLog: att.filter((a) => a.outbox_id === r.id).map((a) => ({ at: iso(a.at), status: a.status, error: a.error })),
  }));
}
