// jiesu as an Open311 client: a unit served by its own system (a district's 数字城管, a utility's
// ticketing) has an endpoint and key (open311_endpoints). Dispatching an order to it queues the
// order in open311_outbound (an order listener, in the dispatch's transaction); `runOpen311Client`
// posts it there by GeoReport v2 POST requests, retried with backoff, and reads that system's
// servicerequestupdates, which become the unit's sign, reply and return on the order. Rows are
// claimed with FOR UPDATE SKIP LOCKED and a lease, so any number of nodes may run it.
// Status read → action (as the unit's system user, a unit manager of that unit):
//   IN_PROGRESS, ACTION_SCHEDULED, INVESTIGATING          sign
//   FIXED, CLOSED, DUPLICATE                                sign if needed, reply (resolved)
//   NO_FURTHER_ACTION                                       sign if needed, reply (not resolved)
//   NOT_COUNCILS_RESPONSIBILITY, INTERNAL_REFERRAL          return (to the center)
//   anything else (open, …)                                 nothing
import type { Database, Queryable } from '../db/database.js';
import type { Actor, AppContext, OrderEventListener } from '../core/context.js';
import { AppError, badRequest, notFound } from '../core/errors.js';
import { decrypt, encrypt } from '../privacy/index.js';
import { recordDelivery } from '../notifications/index.js';
import { act, fromRow, type WorkOrder } from '../workorders/index.js';

export interface EndpointInput {
  baseUrl: string;
  apiKey: string;
  jurisdictionId?: string | null;
  serviceCodes?: Record<string, string>;
  defaultServiceCode?: string | null;
  active?: boolean;
}

const ENDPOINT_COLUMNS = `unit_id AS "unitId", base_url AS "baseUrl", jurisdiction_id AS "jurisdictionId", service_codes AS "serviceCodes",
  default_service_code AS "defaultServiceCode", active, polled_until AS "polledUntil", last_poll_error AS "lastPollError", updated_at AS "updatedAt"`;

/** Sets (or replaces) a unit's endpoint; the key is stored encrypted and never shown again. */
export async function putEndpoint(db: Queryable, unitId: number, input: EndpointInput) {
  let url: URL;
  try {
    url = new URL(input.baseUrl);
  } catch {
    throw badRequest('validation.formatUri', { field: 'baseUrl' }, 'baseUrl');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest('validation.formatUri', { field: 'baseUrl' }, 'baseUrl');
  const base = url.toString().endsWith('/') ? url.toString() : url.toString() + '/';
  const unit = await db.query('SELECT 1 FROM units WHERE id = $1', [unitId]);
  if (unit.rowCount === 0) throw notFound('unit', unitId);
  const { rows } = await db.query(
    `INSERT INTO open311_endpoints (unit_id, base_url, api_key_enc, jurisdiction_id, service_codes, default_service_code, active)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (unit_id) DO UPDATE SET base_url = EXCLUDED.base_url, api_key_enc = EXCLUDED.api_key_enc, jurisdiction_id = EXCLUDED.jurisdiction_id,
       service_codes = EXCLUDED.service_codes, default_service_code = EXCLUDED.default_service_code, active = EXCLUDED.active, updated_at = now()
     RETURNING ${ENDPOINT_COLUMNS}`,
    [
      unitId,
      base,
      encrypt(input.apiKey),
      input.jurisdictionId ?? null,
      JSON.stringify(input.serviceCodes ?? {}),
      input.defaultServiceCode ?? null,
      input.active ?? true,
    ],
  );
  return rows[0];
}

export async function listEndpoints(db: Queryable) {
  return (await db.query(`SELECT ${ENDPOINT_COLUMNS} FROM open311_endpoints ORDER BY unit_id`)).rows;
}

export async function deactivateEndpoint(db: Queryable, unitId: number) {
  const r = await db.query('UPDATE open311_endpoints SET active = false, updated_at = now() WHERE unit_id = $1', [unitId]);
  if (r.rowCount === 0) throw new AppError(404, 'not_found', 'open311.endpointNotFound', { id: unitId });
}

export async function listOutbound(db: Queryable, f: { status?: string; limit: number }) {
  const params: unknown[] = [];
  const where = f.status ? `WHERE o.status = $${params.push(f.status)}` : '';
  const { rows } = await db.query(
    `SELECT o.id, w.number, o.unit_id AS "unitId", o.status, o.attempts, o.next_attempt_at AS "nextAttemptAt", o.last_status AS "lastStatus",
            o.last_error AS "lastError", o.remote_request_id AS "remoteRequestId", o.created_at AS "createdAt", o.sent_at AS "sentAt"
       FROM open311_outbound o JOIN workorders w ON w.id = o.workorder_id ${where} ORDER BY o.id DESC LIMIT $${params.push(f.limit)}`,
    params,
  );
  return rows;
}

/** The order listener: a dispatch (or a final ruling's dispatch) to a unit with an active endpoint queues the order for it. */
export const queueOnDispatch: OrderEventListener = async (q, { order, event }) => {
  if (event.type !== 'dispatched') return;
  await q.query(
    `INSERT INTO open311_outbound (workorder_id, unit_id, dispatch_seq)
     SELECT $1, unit_id, $3 FROM open311_endpoints WHERE unit_id = $2 AND active
     ON CONFLICT (workorder_id, dispatch_seq) DO NOTHING`,
    [order.id, event.data.unitId, order.version],
  );
};

/** The unit's system as an actor: a user of that unit that cannot log in, acting as its manager (no review of its own replies). */
async function unitSystemActor(db: Queryable, unitId: number): Promise<Actor> {
  const username = `open311-unit-${unitId}`;
  await db.query(
    `INSERT INTO users (username, password_hash, display_name, roles, unit_id)
     SELECT $1, '!', name || ' 业务系统', '{}', id FROM units WHERE id = $2
     ON CONFLICT (username) DO NOTHING`,
    [username, unitId],
  );
  const { rows } = await db.query<{ id: number }>('SELECT id FROM users WHERE username = $1', [username]);
  return { id: rows[0]!.id, username, unitId, roles: ['unit_manager'] };
}

interface EndpointRow {
  unit_id: number;
  base_url: string;
  api_key_enc: string;
  jurisdiction_id: string | null;
  service_codes: Record<string, string>;
  default_service_code: string | null;
  polled_until: Date | null;
}

export interface ClientResult {
  sent: number;
  failed: number;
  dead: number;
  updates: number;
  actions: number;
}

const TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 8;

async function postForm(url: string, form: URLSearchParams): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'jiesu-open311/1' },
    body: form.toString(),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body };
}

/** What is posted for an order: its number, text and place; no personal data (the unit's own staff see it masked too). */
function requestForm(order: WorkOrder, ep: EndpointRow): URLSearchParams {
  const form = new URLSearchParams();
  form.set('api_key', decrypt(ep.api_key_enc) ?? '');
  if (ep.jurisdiction_id) form.set('jurisdiction_id', ep.jurisdiction_id);
  const code = (order.categoryCode && ep.service_codes[order.categoryCode]) || ep.default_service_code || order.categoryCode || '';
  form.set('service_code', code);
  form.set('description', `${order.title}\n\n${order.content}`.slice(0, 4000));
  const loc = order.location;
  if (loc?.lat != null && loc.lng != null) {
    form.set('lat', String(loc.lat));
    form.set('long', String(loc.lng));
  }
  if (loc?.address) form.set('address_string', loc.address);
  if (!(loc?.lat != null) && !loc?.address) form.set('address_id', `jiesu:${order.number}`);
  form.set('attribute[jiesu_number]', order.number);
  return form;
}

/** Posts due outbox rows once each; a failure waits (30 s, 1 min, 2 min, … ≤ 1 h) and is dead after MAX_ATTEMPTS. */
async function deliver(db: Database, now: Date, out: ClientResult) {
  for (;;) {
    const claimed = await db.tx(async (q) => {
      const { rows } = await q.query<{ id: number; workorder_id: number; unit_id: number; attempts: number }>(
        `SELECT id, workorder_id, unit_id, attempts FROM open311_outbound
          WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < now())
          ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      if (rows.length)
        await q.query(`UPDATE open311_outbound SET lease_until = now() + interval '60 seconds' WHERE id = ANY($1::int[])`, [rows.map((r) => r.id)]);
      return rows;
    });
    if (claimed.length === 0) return;
    for (const row of claimed) {
      const { rows: eps } = await db.query<EndpointRow>('SELECT * FROM open311_endpoints WHERE unit_id = $1 AND active', [row.unit_id]);
      const { rows: ws } = await db.query('SELECT * FROM workorders WHERE id = $1', [row.workorder_id]);
      const order = fromRow(ws[0]!);
      // No longer the unit's (re-dispatched, returned) or the endpoint is off: nothing to send.
      if (!eps[0] || order.mainUnitId !== row.unit_id || order.status !== 'dispatched') {
        await db.query(`UPDATE open311_outbound SET status = 'cancelled', lease_until = NULL WHERE id = $1`, [row.id]);
        continue;
      }
      let status: number | null = null;
      let error: string | null = null;
      let remoteId: string | null = null;
      let token: string | null = null;
      try {
        const res = await postForm(`${eps[0].base_url}requests.json`, requestForm(order, eps[0]));
        status = res.status;
        const first = Array.isArray(res.body) ? res.body[0] : null;
        if (res.status >= 200 && res.status < 300 && first && (first.service_request_id || first.token)) {
          remoteId = first.service_request_id ? String(first.service_request_id) : null;
          token = first.token ? String(first.token) : null;
        } else {
          error = (Array.isArray(res.body) && res.body[0]?.description ? String(res.body[0].description) : `HTTP ${res.status}`).slice(0, 500);
        }
      } catch (e) {
        error = ((e as Error).message || String(e)).slice(0, 500);
      }
      const attempts = row.attempts + 1;
      out[
        await recordDelivery(db, 'open311_outbound', row, {
          attempts,
          status,
          error,
          maxAttempts: MAX_ATTEMPTS,
          now,
          sent: { remote_request_id: remoteId, remote_token: token },
        })
      ]++;
    }
  }
}

/** The action an update's status asks for. */
export function actionFor(status: string): { action: 'sign' | 'reply' | 'return'; resolved?: boolean } | null {
  const s = status
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  if (['IN_PROGRESS', 'ACTION_SCHEDULED', 'INVESTIGATING'].includes(s)) return { action: 'sign' };
  if (['FIXED', 'CLOSED', 'DUPLICATE'].includes(s)) return { action: 'reply', resolved: true };
  if (s === 'NO_FURTHER_ACTION') return { action: 'reply', resolved: false };
  if (['NOT_COUNCILS_RESPONSIBILITY', 'INTERNAL_REFERRAL'].includes(s)) return { action: 'return' };
  return null;
}

/** Applies one update to the order as the unit's system; returns the outcome recorded. */
async function apply(ctx: AppContext, actor: Actor, orderId: number, status: string, description: string): Promise<string> {
  const want = actionFor(status);
  if (!want) return 'none';
  const current = async () => fromRow((await ctx.db.query('SELECT * FROM workorders WHERE id = $1', [orderId])).rows[0]!);
  try {
    let o = await current();
    if (o.mainUnitId !== actor.unitId) return 'refused:not_holder';
    if (want.action === 'return') {
      await act(ctx, actor, orderId, 'return', { version: o.version, reason: description || '承办单位业务系统：不属本单位职责' });
      return 'return';
    }
    if (o.status === 'dispatched') {
      o = await act(ctx, actor, orderId, 'sign', { version: o.version });
      if (want.action === 'sign') return 'sign';
    }
    if (want.action === 'sign') return 'none';
    await act(ctx, actor, orderId, 'reply', { version: o.version, content: description || '承办单位业务系统：已办结', resolved: want.resolved });
    return 'reply';
  } catch (err) {
    // The order moved on (409) or the body was refused (400): recorded, not retried.
    if (err instanceof AppError && err.status < 500) return `refused:${err.code}`;
    throw err;
  }
}

/** Reads each endpoint's updates since the last poll (a 5-minute overlap; each update applied once). */
async function poll(ctx: AppContext, now: Date, out: ClientResult) {
  const { db } = ctx;
  for (;;) {
    const ep = await db.tx(async (q) => {
      const { rows } = await q.query<EndpointRow>(
        `SELECT * FROM open311_endpoints WHERE active AND (poll_lease_until IS NULL OR poll_lease_until < $1)
            AND EXISTS (SELECT 1 FROM open311_outbound o WHERE o.unit_id = open311_endpoints.unit_id AND o.status = 'sent')
          ORDER BY unit_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      // The lease also spaces polls: an endpoint is read at most once a minute.
      if (rows[0])
        await q.query(`UPDATE open311_endpoints SET poll_lease_until = $2::timestamptz + interval '60 seconds' WHERE unit_id = $1`, [rows[0].unit_id, now]);
      return rows[0];
    });
    if (!ep) return;
    const actor = await unitSystemActor(db, ep.unit_id);
    const end = now;
    const start = new Date(
      Math.max(end.getTime() - 89 * 86400_000, (ep.polled_until ? new Date(ep.polled_until).getTime() : end.getTime() - 86400_000) - 300_000),
    );
    try {
      const key = decrypt(ep.api_key_enc) ?? '';
      // Requests that answered a token only: their number first.
      const { rows: pending } = await db.query<{ id: number; remote_token: string }>(
        `SELECT id, remote_token FROM open311_outbound WHERE unit_id = $1 AND status = 'sent' AND remote_request_id IS NULL AND remote_token IS NOT NULL`,
        [ep.unit_id],
      );
      for (const p of pending) {
        const res = await fetch(`${ep.base_url}tokens/${encodeURIComponent(p.remote_token)}.json`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
        const body = res.ok ? ((await res.json()) as any[]) : null;
        if (body?.[0]?.service_request_id)
          await db.query('UPDATE open311_outbound SET remote_request_id = $2 WHERE id = $1', [p.id, String(body[0].service_request_id)]);
      }
      const qs = new URLSearchParams({ api_key: key, start_date: start.toISOString(), end_date: end.toISOString() });
      if (ep.jurisdiction_id) qs.set('jurisdiction_id', ep.jurisdiction_id);
      const res = await fetch(`${ep.base_url}servicerequestupdates.json?${qs}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const updates = (await res.json()) as { update_id?: string | number; service_request_id?: string | number; status?: unknown; description?: unknown }[];
      for (const u of Array.isArray(updates) ? updates : []) {
        if (u.update_id == null || u.service_request_id == null || typeof u.status !== 'string') continue;
        const { rows: ob } = await db.query<{ id: number; workorder_id: number }>(
          `SELECT id, workorder_id FROM open311_outbound WHERE unit_id = $1 AND remote_request_id = $2 AND status = 'sent' ORDER BY id DESC LIMIT 1`,
          [ep.unit_id, String(u.service_request_id)],
        );
        if (!ob[0]) continue;
        const seen = await db.query('SELECT 1 FROM open311_inbound_updates WHERE outbound_id = $1 AND remote_update_id = $2', [ob[0].id, String(u.update_id)]);
        if (seen.rowCount > 0) continue;
        out.updates++;
        const outcome = await apply(ctx, actor, ob[0].workorder_id, u.status, typeof u.description === 'string' ? u.description.slice(0, 4000) : '');
        if (!outcome.startsWith('refused') && outcome !== 'none') out.actions++;
        await db.query(`INSERT INTO open311_inbound_updates (outbound_id, remote_update_id, status, outcome) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
          ob[0].id,
          String(u.update_id),
          u.status.slice(0, 50),
          outcome,
        ]);
      }
      await db.query('UPDATE open311_endpoints SET polled_until = $2, last_poll_error = NULL WHERE unit_id = $1', [ep.unit_id, end]);
    } catch (e) {
      await db.query('UPDATE open311_endpoints SET last_poll_error = $2 WHERE unit_id = $1', [ep.unit_id, ((e as Error).message || String(e)).slice(0, 500)]);
    }
  }
}

/** One round: deliver the due outbox rows, then read the updates of every endpoint due for a poll. */
export async function runOpen311Client(ctx: AppContext, now = new Date()): Promise<ClientResult> {
  const out: ClientResult = { sent: 0, failed: 0, dead: 0, updates: 0, actions: 0 };
  await deliver(ctx.db, now, out);
  await poll(ctx, now, out);
  return out;
}
