// Repeats and merges: the callers behind an order, duplicates linked to a main order, and undo.
// A duplicate that is still `new` is closed through the work-order lifecycle (reason duplicate);
// the order listener below records the link in the same transaction. One already dispatched is
// only linked here. Both sides keep the history in `dup_events`.
import type { Queryable } from '../db/database.js';
import type { Actor, AppContext, OrderEventListener } from '../core/context.js';
import { hasRole } from '../core/context.js';
import { badRequest, conflict, notFound } from '../core/errors.js';
import { act, loadVisible, maskName, maskPhone } from '../workorders/index.js';
import type { WorkOrder } from '../workorders/index.js';
import { upsertSignature } from './index.js';
import { decrypt, sealCitizen } from '../privacy/index.js';

const PII_ROLES = ['agent', 'dispatcher', 'followup'] as const;

async function addEvent(
  q: Queryable,
  orderId: number,
  type: string,
  actorId: number | null,
  mergeId: number | null,
  otherId: number | null,
  data: object = {},
) {
  await q.query('INSERT INTO dup_events (workorder_id, type, merge_id, other_id, actor_id, data) VALUES ($1, $2, $3, $4, $5, $6)', [
    orderId,
    type,
    mergeId,
    otherId,
    actorId,
    JSON.stringify(data),
  ]);
}

/** Records a merge: the link, the duplicate's callers copied to the main order, events on both. */
async function recordMerge(q: Queryable, mainId: number, dup: WorkOrder, mode: 'closed' | 'linked', actorId: number | null): Promise<number> {
  const { rows: chain } = await q.query<{ main_id: number }>('SELECT main_id FROM dup_merges WHERE duplicate_id = $1 AND undone_at IS NULL', [mainId]);
  if (chain[0]) throw conflict('merge_chain', 'duplicates.mainMerged', { id: mainId, main: chain[0].main_id });
  const { rows: existing } = await q.query<{ main_id: number }>('SELECT main_id FROM dup_merges WHERE duplicate_id = $1 AND undone_at IS NULL', [dup.id]);
  if (existing[0]) throw conflict('already_merged', 'duplicates.alreadyMergedInto', { id: dup.id, main: existing[0].main_id });
  const { rows: asMain } = await q.query('SELECT 1 FROM dup_merges WHERE main_id = $1 AND undone_at IS NULL LIMIT 1', [dup.id]);
  if (asMain.length) throw conflict('merge_chain', 'duplicates.isMain', { id: dup.id });
  const { rows } = await q.query<{ id: number }>('INSERT INTO dup_merges (main_id, duplicate_id, mode, created_by) VALUES ($1, $2, $3, $4) RETURNING id', [
    mainId,
    dup.id,
    mode,
    actorId,
  ]);
  const mergeId = rows[0]!.id;
  if (dup.citizen && (dup.citizen.name || dup.citizen.phone)) {
    const c = sealCitizen(dup.citizen);
    await q.query(
      `INSERT INTO dup_callers (workorder_id, name_enc, phone_enc, contact_id, source, source_order_id, merge_id, added_by, phone_bidx)
       VALUES ($1, $2, $3, $4, 'merge', $5, $6, $7, $8)`,
      [mainId, c.name_enc, c.phone_enc, dup.contactId, dup.id, mergeId, actorId, c.phone_bidx],
    );
  }
  // The duplicate's own repeat callers follow it to the main order, sealed afresh (a row an
  // older version left in clear is not copied in clear).
  const { rows: moved } = await q.query<{ name: string | null; phone: string | null; contact_id: number | null }>(
    `SELECT coalesce(name, name_enc) AS name, coalesce(phone, phone_enc) AS phone, contact_id
       FROM dup_callers WHERE workorder_id = $1 AND removed_at IS NULL ORDER BY id`,
    [dup.id],
  );
  if (moved.length) {
    const sealed = moved.map((r) => sealCitizen(r));
    await q.query(
      `INSERT INTO dup_callers (workorder_id, name_enc, phone_enc, phone_bidx, contact_id, source, source_order_id, merge_id, added_by)
       SELECT $1, n, p, b, c, 'merge', $2, $3, $4 FROM unnest($5::text[], $6::text[], $7::text[], $8::int[]) AS u(n, p, b, c)`,
      [
        mainId,
        dup.id,
        mergeId,
        actorId,
        sealed.map((c) => c.name_enc),
        sealed.map((c) => c.phone_enc),
        sealed.map((c) => c.phone_bidx),
        moved.map((r) => r.contact_id),
      ],
    );
  }
  await addEvent(q, mainId, 'merged_in', actorId, mergeId, dup.id, { mode });
  await addEvent(q, dup.id, 'merged_into', actorId, mergeId, mainId, { mode });
  return mergeId;
}

async function recordUndo(q: Queryable, mergeId: number, actorId: number | null) {
  const { rows } = await q.query<{ main_id: number; duplicate_id: number }>(
    'UPDATE dup_merges SET undone_at = now(), undone_by = $2 WHERE id = $1 AND undone_at IS NULL RETURNING main_id, duplicate_id',
    [mergeId, actorId],
  );
  if (!rows[0]) throw conflict('already_undone', 'duplicates.alreadyUndone', { id: mergeId });
  await q.query('UPDATE dup_callers SET removed_at = now() WHERE merge_id = $1 AND removed_at IS NULL', [mergeId]);
  await addEvent(q, rows[0].main_id, 'unmerged_in', actorId, mergeId, rows[0].duplicate_id);
  await addEvent(q, rows[0].duplicate_id, 'unmerged_from', actorId, mergeId, rows[0].main_id);
}

/** Keeps signatures current and records merges done through the lifecycle (close as duplicate, unmerge). */
export const orderListener: OrderEventListener = async (q, { order, previous, event }) => {
  if (event.type === 'created') return upsertSignature(q, order);
  if (previous && (previous.status === 'closed') !== (order.status === 'closed')) {
    await q.query('UPDATE dup_signatures SET open = $2 WHERE workorder_id = $1', [order.id, order.status !== 'closed']);
  }
  if (event.type === 'closed' && event.data.reason === 'duplicate' && event.data.duplicateOf != null) {
    await recordMerge(q, event.data.duplicateOf, order, 'closed', event.actorId);
  } else if (event.type === 'unmerged') {
    const { rows } = await q.query<{ id: number }>('SELECT id FROM dup_merges WHERE duplicate_id = $1 AND undone_at IS NULL', [order.id]);
    if (rows[0]) await recordUndo(q, rows[0].id, event.actorId);
  }
};

export interface MergeResult {
  mainId: number;
  merges: { mergeId: number; duplicateId: number; mode: 'closed' | 'linked' }[];
}

/** Merges orders into a main one: `new` duplicates are closed as duplicate, the others linked. */
export async function mergeOrders(ctx: AppContext, actor: Actor, mainId: number, duplicateIds: number[]): Promise<MergeResult> {
  const ids = [...new Set(duplicateIds)];
  if (ids.includes(mainId)) throw badRequest('duplicates.mainIsDuplicate', {}, 'duplicateIds');
  const main = await loadVisible(ctx.db, actor, mainId);
  if (main.status === 'closed' && main.closeReason === 'duplicate') {
    throw conflict('merge_chain', 'duplicates.mainIsADuplicate', { id: mainId, main: main.duplicateOf ?? '' });
  }
  // Check every duplicate first, so that a bad id changes nothing.
  const dups: WorkOrder[] = [];
  for (const id of ids) {
    const d = await loadVisible(ctx.db, actor, id);
    const { rows } = await ctx.db.query('SELECT 1 FROM dup_merges WHERE duplicate_id = $1 AND undone_at IS NULL', [id]);
    if (rows.length || (d.status === 'closed' && d.closeReason === 'duplicate')) throw conflict('already_merged', 'duplicates.alreadyMerged', { id });
    dups.push(d);
  }
  const merges: MergeResult['merges'] = [];
  for (const d of dups) {
    if (d.status === 'new') {
      // Through the lifecycle; the listener records the merge in the same transaction.
      await act(ctx, actor, d.id, 'close', { version: d.version, reason: 'duplicate', duplicateOf: mainId });
      const { rows } = await ctx.db.query<{ id: number }>('SELECT id FROM dup_merges WHERE duplicate_id = $1 AND undone_at IS NULL', [d.id]);
      merges.push({ mergeId: rows[0]!.id, duplicateId: d.id, mode: 'closed' });
    } else {
      const mergeId = await ctx.db.tx(async (q) => {
        const locked = await loadVisible(q, actor, d.id, true);
        return recordMerge(q, mainId, locked, 'linked', actor.id);
      });
      merges.push({ mergeId, duplicateId: d.id, mode: 'linked' });
    }
  }
  return { mainId, merges };
}

export async function undoMerge(ctx: AppContext, actor: Actor, mergeId: number) {
  const { rows } = await ctx.db.query<{ main_id: number; duplicate_id: number; mode: string; undone_at: Date | null }>(
    'SELECT main_id, duplicate_id, mode, undone_at FROM dup_merges WHERE id = $1',
    [mergeId],
  );
  const m = rows[0];
  if (!m) throw notFound('merge', mergeId);
  if (m.undone_at) throw conflict('already_undone', 'duplicates.alreadyUndone', { id: mergeId });
  const dup = await loadVisible(ctx.db, actor, m.duplicate_id);
  if (m.mode === 'closed' && dup.status === 'closed' && dup.closeReason === 'duplicate') {
    // Reopens the duplicate as `new`; the listener marks the merge undone in that transaction.
    await act(ctx, actor, dup.id, 'unmerge', { version: dup.version });
  } else {
    await ctx.db.tx((q) => recordUndo(q, mergeId, actor.id));
  }
  return { mergeId, mainId: m.main_id, duplicateId: m.duplicate_id, undone: true };
}

export interface RepeatInput {
  name?: string | null;
  phone?: string | null;
  contactId?: number | null;
  note?: string | null;
}

/** Adds a repeat caller to an order (the citizen is surveyed with the others). */
export async function addRepeat(ctx: AppContext, actor: Actor, orderId: number, input: RepeatInput) {
  if (!input.name && !input.phone && input.contactId == null) throw badRequest('duplicates.callerRequired', {}, 'phone');
  return ctx.db.tx(async (q) => {
    const order = await loadVisible(q, actor, orderId, true);
    const { rows: merged } = await q.query<{ main_id: number }>('SELECT main_id FROM dup_merges WHERE duplicate_id = $1 AND undone_at IS NULL', [orderId]);
    if (merged[0]) throw conflict('merged', 'duplicates.linkToMain', { id: orderId, main: merged[0].main_id });
    const caller = sealCitizen(input);
    const { rows } = await q.query<{ id: number }>(
      `INSERT INTO dup_callers (workorder_id, name_enc, phone_enc, contact_id, source, note, added_by, phone_bidx)
       VALUES ($1, $2, $3, $4, 'repeat', $5, $6, $7) RETURNING id`,
      [order.id, caller.name_enc, caller.phone_enc, input.contactId ?? null, input.note ?? null, actor.id, caller.phone_bidx],
    );
    await addEvent(q, order.id, 'repeat_added', actor.id, null, null, { callerId: rows[0]!.id, contactId: input.contactId ?? null });
    return listCallersIn(q, actor, order);
  });
}

export interface Caller {
  id: number | null;
  source: 'order' | 'repeat' | 'merge';
  name: string | null;
  phone: string | null;
  contactId: number | null;
  sourceOrderId: number | null;
  addedAt: string;
}

async function listCallersIn(q: Queryable, actor: Actor, order: WorkOrder): Promise<{ workorderId: number; items: Caller[] }> {
  const { rows } = await q.query<{
    id: number;
    source: 'repeat' | 'merge';
    name: string | null;
    phone: string | null;
    contact_id: number | null;
    source_order_id: number | null;
    added_at: Date | string;
  }>(
    `SELECT id, source, coalesce(name, name_enc) AS name, coalesce(phone, phone_enc) AS phone, contact_id, source_order_id, added_at
       FROM dup_callers WHERE workorder_id = $1 AND removed_at IS NULL ORDER BY id`,
    [order.id],
  );
  const items: Caller[] = [];
  if (order.citizen) {
    items.push({
      id: null,
      source: 'order',
      name: order.citizen.name,
      phone: order.citizen.phone,
      contactId: order.contactId,
      sourceOrderId: order.id,
      addedAt: order.createdAt,
    });
  }
  for (const r of rows) {
    items.push({
      id: r.id,
      source: r.source,
      name: decrypt(r.name),
      phone: decrypt(r.phone),
      contactId: r.contact_id,
      sourceOrderId: r.source_order_id,
      addedAt: new Date(r.added_at).toISOString(),
    });
  }
  const reveal = hasRole(actor, ...PII_ROLES);
  if (reveal && items.some((c) => c.name || c.phone)) {
    await q.query('INSERT INTO pii_access_log (user_id, workorder_id, fields, purpose) VALUES ($1, $2, $3, $4)', [
      actor.id,
      order.id,
      ['callers.name', 'callers.phone'],
      'duplicates.callers',
    ]);
    return { workorderId: order.id, items };
  }
  return {
    workorderId: order.id,
    items: items.map((c) => ({ ...c, name: c.name && maskName(c.name), phone: c.phone && maskPhone(c.phone) })),
  };
}

export async function listCallers(ctx: AppContext, actor: Actor, orderId: number) {
  const order = await loadVisible(ctx.db, actor, orderId);
  return listCallersIn(ctx.db, actor, order);
}

/** The duplicate history of an order: merges on either side and the events. */
export async function duplicateHistory(ctx: AppContext, actor: Actor, orderId: number) {
  await loadVisible(ctx.db, actor, orderId);
  const { rows: merges } = await ctx.db.query<Record<string, any>>(
    `SELECT id, main_id, duplicate_id, mode, created_by, created_at, undone_by, undone_at FROM dup_merges
      WHERE main_id = $1 OR duplicate_id = $1 ORDER BY id`,
    [orderId],
  );
  const { rows: events } = await ctx.db.query<Record<string, any>>(
    'SELECT id, type, merge_id, other_id, actor_id, at, data FROM dup_events WHERE workorder_id = $1 ORDER BY id',
    [orderId],
  );
  const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
  return {
    workorderId: orderId,
    merges: merges.map((m) => ({
      id: m.id,
      mainId: m.main_id,
      duplicateId: m.duplicate_id,
      mode: m.mode,
      createdBy: m.created_by,
      createdAt: iso(m.created_at),
      undoneBy: m.undone_by,
      undoneAt: iso(m.undone_at),
    })),
    events: events.map((e) => ({ id: e.id, type: e.type, mergeId: e.merge_id, otherId: e.other_id, actorId: e.actor_id, at: iso(e.at), data: e.data })),
  };
}
