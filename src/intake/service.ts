// Contacts (来电/来信): every citizen interaction is one row. A contact may create a work
// order in the same transaction (outcome `workorder`) or point at an existing one
// (outcome `duplicate`: a repeat call about the same problem).
//
// Idempotent intake: the client sends an Idempotency-Key. The key is claimed by the
// INSERT itself through a unique index on (created_by, idempotency_key), so concurrent
// retries cannot both insert: the loser's INSERT waits for the winner's commit and then
// finds the row. Same key + same body → the same contact; same key + another body → 422.
// The route answers only after `tx` has committed, so a 2xx means the contact is durable.
import type { Database, Queryable } from '../db/database.js';
import type { Actor, AppContext } from '../core/context.js';
import { hasRole } from '../core/context.js';
import { AppError, badRequest, forbidden, notFound } from '../core/errors.js';
import { createOrder, maskName, maskPhone, reserveOrderNumber, type CreateInput, fromRow, type WorkOrder } from '../workorders/index.js';
import { batcherFor } from './batch.js';
import { requestHash } from '../http/idempotency.js';
import { phoneOrThrow, decrypt, phoneIndexes, sealCitizen } from '../privacy/index.js';

export const CHANNELS = ['phone', 'web', 'app', 'miniprogram', 'email', 'open311', 'walkin'] as const;
export const OUTCOMES = ['answered', 'workorder', 'duplicate', 'transferred', 'invalid'] as const;
export const TRANSFER_TARGETS = ['110', '119', '120', 'other'] as const;
/** 无效来电: silent line, prank, abuse, hung up before speaking, other. */
export const INVALID_REASONS = ['silent', 'prank', 'abuse', 'hung_up', 'other'] as const;

/** Roles that read contacts (the center). */
export const CONTACT_READERS = ['agent', 'dispatcher', 'followup', 'supervisor', 'admin'] as const;
/** Roles that see the caller's name and phone unmasked (each read is logged). */
const PII_ROLES = ['agent', 'dispatcher', 'followup'] as const;

export interface ContactInput {
  channel: (typeof CHANNELS)[number];
  startedAt: string;
  endedAt?: string | null;
  caller?: { phone?: string | null; name?: string | null } | null;
  agentId?: number | null;
  summary: string;
  outcome: (typeof OUTCOMES)[number];
  workorderId?: number | null;
  transferTo?: (typeof TRANSFER_TARGETS)[number] | null;
  invalidReason?: (typeof INVALID_REASONS)[number] | null;
  callId?: string | null;
  /** With outcome `workorder`: the order to create from this contact. */
  workorder?: Omit<CreateInput, 'contactId'> | null;
}

export interface Contact {
  id: number;
  channel: string;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number | null;
  caller: { phone: string | null; name: string | null };
  agentId: number | null;
  summary: string;
  outcome: string;
  workorderId: number | null;
  transferTo: string | null;
  invalidReason: string | null;
  callId: string | null;
  createdBy: number;
  createdAt: string;
}

const iso = (d: unknown) => (d == null ? null : (d as Date).toISOString());

export function toContact(r: Record<string, any>): Contact {
  return {
    id: r.id,
    channel: r.channel,
    startedAt: iso(r.started_at)!,
    endedAt: iso(r.ended_at),
    durationSeconds: r.ended_at ? Math.round(((r.ended_at as Date).getTime() - (r.started_at as Date).getTime()) / 1000) : null,
    caller: {
      phone: r.caller_phone_enc != null ? decrypt(r.caller_phone_enc) : (r.caller_phone ?? null),
      name: r.caller_name_enc != null ? decrypt(r.caller_name_enc) : (r.caller_name ?? null),
    },
    agentId: r.agent_id ?? null,
    summary: r.summary,
    outcome: r.outcome,
    workorderId: r.workorder_id ?? null,
    transferTo: r.transfer_to ?? null,
    invalidReason: r.invalid_reason ?? null,
    callId: r.call_id ?? null,
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
  };
}

const masked = (c: Contact): Contact => ({
  ...c,
  caller: { phone: c.caller.phone && maskPhone(c.caller.phone), name: c.caller.name && maskName(c.caller.name) },
});

/** The rules between fields that a JSON schema cannot say; 400 naming the field. */
function checkRules(input: ContactInput) {
  const { outcome } = input;
  if (outcome === 'transferred' && !input.transferTo) throw badRequest('intake.transferToRequired', {}, 'transferTo');
  if (outcome !== 'transferred' && input.transferTo) throw badRequest('intake.transferToOnlyTransferred', {}, 'transferTo');
  if (outcome === 'invalid' && !input.invalidReason) throw badRequest('intake.invalidReasonRequired', {}, 'invalidReason');
  if (outcome !== 'invalid' && input.invalidReason) throw badRequest('intake.invalidReasonOnlyInvalid', {}, 'invalidReason');
  if (outcome === 'duplicate' && input.workorderId == null) throw badRequest('intake.duplicateNeedsOrder', {}, 'workorderId');
  if (outcome === 'workorder') {
    const both = input.workorderId != null && input.workorder;
    const none = input.workorderId == null && !input.workorder;
    if (both || none) throw badRequest('intake.workorderOneOf', {}, 'workorder');
  } else {
    if (input.workorder) throw badRequest('intake.workorderOnlyForWorkorder', {}, 'workorder');
    if (outcome !== 'duplicate' && input.workorderId != null) throw badRequest('intake.workorderIdOnly', {}, 'workorderId');
  }
  const started = Date.parse(input.startedAt);
  if (input.endedAt != null && Date.parse(input.endedAt) < started) throw badRequest('intake.endsBeforeStart', {}, 'endedAt');
  if (started > Date.now() + 5 * 60_000) throw badRequest('validation.inFuture', { field: 'startedAt' }, 'startedAt');
}

export interface CreateResult {
  contact: Contact;
  workorder: WorkOrder | null;
  replayed: boolean;
}

export async function createContact(ctx: AppContext, actor: Actor, input: ContactInput, idempotencyKey?: string): Promise<CreateResult> {
  checkRules(input);
  const phone = input.caller?.phone ? phoneOrThrow(input.caller.phone, 'caller.phone') : null;
  const name = input.caller?.name?.trim() || null;
  const orderPhone = input.workorder?.citizen?.phone ? phoneOrThrow(input.workorder.citizen.phone, 'workorder.citizen.phone') : undefined;
  const hash = idempotencyKey ? requestHash(input) : null;
  const caller = sealCitizen({ name, phone });
  const agentId = input.agentId ?? (hasRole(actor, 'agent') ? actor.id : null);

  // The key was used before (possibly by a retry running right now, whose commit we waited for).
  const replay = async (q: Queryable): Promise<CreateResult> => {
    const { rows } = await q.query('SELECT * FROM contacts WHERE created_by = $1 AND idempotency_key = $2', [actor.id, idempotencyKey]);
    const prev = rows[0]!;
    if (prev.request_hash !== hash) {
      throw new AppError(422, 'idempotency_key_reused', 'http.idempotencyKeyReused');
    }
    let order: WorkOrder | null = null;
    if (prev.outcome === 'workorder' && prev.workorder_id != null) {
      const o = await q.query('SELECT * FROM workorders WHERE id = $1 AND contact_id = $2', [prev.workorder_id, prev.id]);
      order = o.rows[0] ? fromRow(o.rows[0]) : null;
    }
    return { contact: toContact(prev), workorder: order, replayed: true };
  };
  let reserved: string | undefined;
  const run = async (q: Queryable): Promise<CreateResult> => {
    // agentId and workorderId are checked by their foreign keys (see below): one statement on the common path.
    const ins = await q.query(
      `INSERT INTO contacts (channel, started_at, ended_at, caller_phone_enc, caller_name_enc, agent_id, summary, outcome, workorder_id,
         transfer_to, invalid_reason, call_id, created_by, idempotency_key, request_hash, caller_phone_bidx)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING *`,
      [
        input.channel,
        input.startedAt,
        input.endedAt ?? null,
        caller.phone_enc,
        caller.name_enc,
        agentId,
        input.summary.trim(),
        input.outcome,
        input.workorderId ?? null,
        input.transferTo ?? null,
        input.invalidReason ?? null,
        input.callId ?? null,
        actor.id,
        idempotencyKey ?? null,
        hash,
        caller.phone_bidx,
      ],
    );
    if (ins.rowCount === 0) return replay(q);
    const row = ins.rows[0]!;
    let order: WorkOrder | null = null;
    if (input.outcome === 'workorder' && input.workorder) {
      const w = input.workorder;
      const citizen = w.citizen ? { name: w.citizen.name ?? null, phone: orderPhone ?? null } : { name, phone };
      order = await createOrder(ctx, actor, { ...w, citizen, contactId: row.id as number }, q, reserved);
      await q.query('UPDATE contacts SET workorder_id = $2 WHERE id = $1', [row.id, order.id]);
      row.workorder_id = order.id;
    }
    return { contact: toContact(row), workorder: order, replayed: false };
  };
  try {
    // The common case, a keyed contact that creates no order, is group-committed with the
    // contacts arriving at the same moment (src/intake/batch.ts); the batch resolves only
    // after its INSERT has committed, or with null to take the one-by-one path below.
    if (idempotencyKey && !(input.outcome === 'workorder' && input.workorder)) {
      const row = await batcherFor(ctx.db).submit({
        createdBy: actor.id,
        key: idempotencyKey,
        values: [
          input.channel,
          input.startedAt,
          input.endedAt ?? null,
          caller.phone_enc,
          caller.name_enc,
          agentId,
          input.summary.trim(),
          input.outcome,
          input.workorderId ?? null,
          input.transferTo ?? null,
          input.invalidReason ?? null,
          input.callId ?? null,
          actor.id,
          idempotencyKey,
          hash,
          caller.phone_bidx,
        ],
      });
      if (row === 'exists') return await replay(ctx.db);
      if (row) return { contact: toContact(row), workorder: null, replayed: false };
    }
    // A contact that creates an order needs a transaction; any other is one INSERT, which
    // commits on its own before the response is sent.
    if (!(input.outcome === 'workorder' && input.workorder)) return await run(ctx.db);
    // The order's number is taken before the transaction, so creations do not wait on each other.
    reserved = await reserveOrderNumber(ctx);
    return await ctx.db.tx(run);
  } catch (err) {
    const e = err as { code?: string; constraint?: string; message?: string };
    if (e.code === '23503') {
      const what = `${e.constraint ?? ''} ${e.message ?? ''}`;
      if (what.includes('agent_id')) throw badRequest('callcenter.agentMissing', { id: input.agentId ?? '' }, 'agentId');
      if (what.includes('workorder_id')) throw badRequest('workorders.orderMissing', { id: input.workorderId ?? '' }, 'workorderId');
    }
    throw err;
  }
}

/** One contact; caller data unmasked for roles that need it, and that read is logged. */
export async function getContact(db: Database, actor: Actor, id: number): Promise<Contact> {
  const { rows } = await db.query('SELECT * FROM contacts WHERE id = $1', [id]);
  if (!rows[0]) throw notFound('contact', id);
  const c = toContact(rows[0]);
  if (hasRole(actor, ...PII_ROLES)) {
    if (c.caller.phone || c.caller.name) await logPii(db, actor, [c.workorderId], 'contact.view');
    return c;
  }
  return masked(c);
}

async function logPii(q: Queryable, actor: Actor, orderIds: (number | null)[], purpose: string) {
  await q.query(
    `INSERT INTO pii_access_log (user_id, workorder_id, fields, purpose)
     SELECT $1, o, $3::text[], $4 FROM unnest($2::int[]) AS o`,
    [actor.id, orderIds, ['caller.phone', 'caller.name'], purpose],
  );
}

export interface ContactFilter {
  channel?: string[];
  outcome?: string[];
  agentId?: number;
  phone?: string;
  workorderId?: number;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

const encodeCursor = (id: number) => Buffer.from(`c:${id}`).toString('base64url');
function decodeCursor(c: string): number {
  const m = /^c:(\d{1,10})$/.exec(Buffer.from(c, 'base64url').toString());
  if (!m) throw badRequest('http.invalidCursor', {}, 'cursor');
  return Number(m[1]);
}

/** Newest first; caller data always masked in lists. */
export async function listContacts(db: Database, f: ContactFilter): Promise<{ items: Contact[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.channel?.length) where.push(`channel = ANY($${params.push(f.channel)}::text[])`);
  if (f.outcome?.length) where.push(`outcome = ANY($${params.push(f.outcome)}::text[])`);
  if (f.agentId !== undefined) where.push(`agent_id = $${params.push(f.agentId)}`);
  if (f.phone) where.push(`caller_phone_bidx = ANY($${params.push(phoneIndexes(phoneOrThrow(f.phone, 'phone')))}::text[])`);
  if (f.workorderId !== undefined) where.push(`workorder_id = $${params.push(f.workorderId)}`);
  if (f.from) where.push(`started_at >= $${params.push(f.from)}`);
  if (f.to) where.push(`started_at < $${params.push(f.to)}`);
  if (f.cursor) where.push(`id < $${params.push(decodeCursor(f.cursor))}`);
  const { rows } = await db.query(
    `SELECT * FROM contacts ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT $${params.push(f.limit + 1)}`,
    params,
  );
  const items = rows.slice(0, f.limit).map((r) => masked(toContact(r)));
  return { items, nextCursor: rows.length > f.limit ? encodeCursor(items[items.length - 1]!.id) : null };
}

export interface CallerHistory {
  phone: string;
  contacts: Contact[];
  contactCount: number;
  openOrders: WorkOrder[];
}

/**
 * What the agent answering a call needs at once: the caller's earlier contacts (newest
 * first) and the orders about them still open. Unmasked, for agents and dispatchers
 * only, and every such read is written to pii_access_log.
 */
export async function callerHistory(db: Database, actor: Actor, rawPhone: string, limit: number): Promise<CallerHistory> {
  if (!hasRole(actor, 'agent', 'dispatcher')) throw forbidden('auth.requiresRole', { roles: ['agent', 'dispatcher'] });
  const phone = phoneOrThrow(rawPhone, 'phone');
  return db.tx(async (q) => {
    const contacts = await q.query(`SELECT *, count(*) OVER () AS total FROM contacts WHERE caller_phone_bidx = ANY($1::text[]) ORDER BY id DESC LIMIT $2`, [
      phoneIndexes(phone),
      limit,
    ]);
    const orders = await q.query(
      `SELECT * FROM workorders WHERE citizen_phone_bidx = ANY($1::text[]) AND citizen_phone_bidx IS NOT NULL AND status <> 'closed'
       ORDER BY id DESC LIMIT 100`,
      [phoneIndexes(phone)],
    );
    const openOrders = orders.rows.map(fromRow);
    if (contacts.rowCount > 0 || openOrders.length > 0) {
      await logPii(q, actor, [null, ...openOrders.map((o) => o.id)], 'caller.history');
    }
    return {
      phone,
      contacts: contacts.rows.map(toContact),
      contactCount: contacts.rows.length ? Number(contacts.rows[0]!.total) : 0,
      openOrders,
    };
  });
}
