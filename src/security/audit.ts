// Queries over the append-only audit tables (pii_access_log, audit_events), newest first,
// paged by an opaque cursor (the last id seen).
import type { Queryable } from '../db/database.js';

export interface PiiAccess {
  id: number;
  userId: number | null;
  username: string | null;
  workorderId: number | null;
  fields: string[];
  purpose: string;
  at: string;
}

export interface AuditFilter {
  userId?: number;
  workorderId?: number;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

const decodeCursor = (c?: string) => (c && /^\d{1,18}$/.test(c) ? Number(c) : undefined);

export async function listPiiAccess(db: Queryable, f: AuditFilter): Promise<{ items: PiiAccess[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.userId !== undefined) where.push(`l.user_id = $${params.push(f.userId)}`);
  if (f.workorderId !== undefined) where.push(`l.workorder_id = $${params.push(f.workorderId)}`);
  if (f.from) where.push(`l.at >= $${params.push(f.from)}`);
  if (f.to) where.push(`l.at < $${params.push(f.to)}`);
  const after = decodeCursor(f.cursor);
  if (after !== undefined) where.push(`l.id < $${params.push(after)}`);
  const limit = f.limit ?? 100;
  const { rows } = await db.query<PiiAccess & { at: Date }>(
    `SELECT l.id, l.user_id AS "userId", u.username, l.workorder_id AS "workorderId", l.fields, l.purpose, l.at
       FROM pii_access_log l LEFT JOIN users u ON u.id = l.user_id
      ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY l.id DESC LIMIT $${params.push(limit + 1)}`,
    params,
  );
  const more = rows.length > limit;
  const items = rows.slice(0, limit).map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
  return { items, nextCursor: more ? String(items[items.length - 1]!.id) : null };
}

export async function listAuditEvents(db: Queryable, f: { action?: string; limit?: number; cursor?: string }) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.action) where.push(`action = $${params.push(f.action)}`);
  const after = decodeCursor(f.cursor);
  if (after !== undefined) where.push(`id < $${params.push(after)}`);
  const limit = f.limit ?? 100;
  const { rows } = await db.query<{ id: number; at: Date; actorId: number | null; action: string; data: unknown }>(
    `SELECT id, at, actor_id AS "actorId", action, data FROM audit_events
      ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT $${params.push(limit + 1)}`,
    params,
  );
  const more = rows.length > limit;
  const items = rows.slice(0, limit).map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
  return { items, nextCursor: more ? String(items[items.length - 1]!.id) : null };
}

export const audit = (db: Queryable, actorId: number | null, action: string, data: unknown) =>
  db.query('INSERT INTO audit_events (actor_id, action, data) VALUES ($1, $2, $3)', [actorId, action, JSON.stringify(data)]);
