// Work-order persistence: every change appends an event and rewrites the projection
// row in one transaction, under a row lock, so concurrent actions serialise.
import type { Database, Queryable } from '../db/database.js';
import { readingOnce } from '../db/once.js';
import type { Actor, AppContext } from '../core/context.js';
import { hasRole } from '../core/context.js';
import { badRequest, conflict, notFound } from '../core/errors.js';
import { requestHash } from '../http/idempotency.js';
import { openEventData, sealEventData } from '../privacy/index.js';
import { allowedActions, applyEvent, decide, suspensionEnded, WALL_CLOCK, type CreatedData, type OrderEvent, type WorkingClock } from './lifecycle.js';
import { loadWorkorderSettings } from './settings.js';
import { ROW_COLUMNS, fromRow, toRowValues, type Citizen, type WorkOrder } from './model.js';
import { inScope, orderNotFound, orderScope } from './visibility.js';
import { pageOfRows, type ListFilter } from './listing.js';

/** Roles that need the citizen's name and phone to do their job. */
const PII_ROLES = ['agent', 'dispatcher', 'followup'] as const;

export interface CreateInput {
  type: CreatedData['type'];
  title: string;
  content: string;
  categoryCode?: string | null;
  urgency?: CreatedData['urgency'];
  location?: { address?: string | null; districtUnitId?: number | null; lat?: number | null; lng?: number | null } | null;
  citizen?: { name?: string | null; phone?: string | null } | null;
  contactId?: number | null;
}

// Building a date formatter costs more than using one: one per time zone.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The day part of order numbers, in the city's time zone. */
function dayStamp(at: Date, timeZone: string): string {
  let f = dayFormats.get(timeZone);
  if (!f) dayFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  // en-CA writes YYYY-MM-DD.
  return f.format(at).replaceAll('-', '');
}

/**
 * The next number of the day. On a server it is taken in a statement of its own, before the
 * order's transaction: the counter row is then locked for that one statement, not for the whole
 * creation, so creations run side by side. A creation that fails afterwards leaves a gap; numbers
 * stay unique and increasing per day. (PGlite runs one transaction at a time anyway.)
 */
export async function reserveOrderNumber(ctx: AppContext, at = new Date()): Promise<string | undefined> {
  return ctx.db.kind === 'postgres' ? nextNumber(ctx.db, at, ctx.config.timeZone) : undefined;
}

async function nextNumber(q: Queryable, at: Date, timeZone: string): Promise<string> {
  const day = dayStamp(at, timeZone);
  const { rows } = await q.query<{ last: number }>(
    `INSERT INTO workorder_number_counters (day, last) VALUES ($1, 1)
     ON CONFLICT (day) DO UPDATE SET last = workorder_number_counters.last + 1 RETURNING last`,
    [day],
  );
  return day + String(rows[0]!.last).padStart(5, '0');
}

async function appendEvent(q: Queryable, orderId: number, seq: number, ev: OrderEvent) {
  await q.query('INSERT INTO workorder_events (workorder_id, seq, type, actor_id, at, data) VALUES ($1, $2, $3, $4, $5, $6)', [
    orderId,
    seq,
    ev.type,
    ev.actorId,
    ev.at,
    JSON.stringify(sealEventData(ev.type, ev.data)),
  ]);
}

async function notify(ctx: AppContext, q: Queryable, order: WorkOrder, previous: WorkOrder | null, event: OrderEvent) {
  // Several listeners need the calendar: it is read once for all of them.
  await readingOnce(q, async () => {
    for (const listener of ctx.orderListeners) await listener(q, { order, previous, event });
  });
}

/**
 * The state each order reached in a transaction, as commitEvent left it: what a creation or an
 * action answers, without reading the row back (listeners may have appended events of their own).
 */
const latestIn = new WeakMap<Queryable, Map<number, WorkOrder>>();
function remember(q: Queryable, order: WorkOrder) {
  let m = latestIn.get(q);
  if (!m) latestIn.set(q, (m = new Map()));
  m.set(order.id, order);
}
const latest = (q: Queryable, order: WorkOrder) => latestIn.get(q)?.get(order.id) ?? order;

async function checkDistrict(q: Queryable, districtUnitId: number | null | undefined) {
  if (districtUnitId == null) return;
  const u = await q.query('SELECT 1 FROM units WHERE id = $1', [districtUnitId]);
  if (u.rowCount === 0) throw badRequest('org.unitMissing', { id: districtUnitId }, 'location.districtUnitId');
}

/**
 * Creates an order (in its own transaction, or inside `q`'s). `number`: one reserved with
 * reserveOrderNumber before the caller's transaction; without it, it is taken inside (PGlite, or
 * a caller that did not reserve).
 */
export async function createOrder(ctx: AppContext, actor: Actor, input: CreateInput, q?: Queryable, reserved?: string): Promise<WorkOrder> {
  const { db, config } = ctx;
  const now = new Date();
  // On its own, the number is taken before the transaction (after the input is known good).
  let number = reserved;
  if (!q && !number && db.kind === 'postgres') {
    await checkDistrict(db, input.location?.districtUnitId);
    number = await reserveOrderNumber(ctx, now);
  }
  const run = async (tx: Queryable) => {
    let loc = input.location;
    await checkDistrict(tx, loc?.districtUnitId);
    // A point or an address without an area: the area it lies in (routing reads it).
    if (loc && loc.districtUnitId == null && ctx.locateArea && (loc.address || (loc.lat != null && loc.lng != null))) {
      const unitId = await ctx.locateArea(tx, { address: loc.address ?? null, lat: loc.lat ?? null, lng: loc.lng ?? null });
      if (unitId != null) loc = { ...loc, districtUnitId: unitId };
    }
    const data: CreatedData = {
      number: number ?? (await nextNumber(tx, now, config.timeZone)),
      type: input.type,
      title: input.title.trim(),
      content: input.content.trim(),
      categoryCode: input.categoryCode ?? null,
      urgency: input.urgency ?? 'normal',
      location: loc ? { address: loc.address ?? null, districtUnitId: loc.districtUnitId ?? null, lat: loc.lat ?? null, lng: loc.lng ?? null } : null,
      citizen: input.citizen && (input.citizen.name || input.citizen.phone) ? { name: input.citizen.name ?? null, phone: input.citizen.phone ?? null } : null,
      contactId: input.contactId ?? null,
    };
    const ev: OrderEvent = { type: 'created', at: now.toISOString(), actorId: actor.id, data };
    const order = applyEvent(null, ev);
    // The row and its first event in one round trip.
    const values = toRowValues(order);
    const { rows } = await tx.query<{ id: number }>(
      `WITH o AS (INSERT INTO workorders (${ROW_COLUMNS.join(', ')}) VALUES (${ROW_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id)
       INSERT INTO workorder_events (workorder_id, seq, type, actor_id, at, data)
       SELECT o.id, 1, $${values.length + 1}, $${values.length + 2}, $${values.length + 3}, $${values.length + 4} FROM o RETURNING workorder_id AS id`,
      [...values, ev.type, ev.actorId, ev.at, JSON.stringify(sealEventData(ev.type, ev.data))],
    );
    order.id = rows[0]!.id;
    await notify(ctx, tx, order, null, ev);
    // Listeners may have moved it on already (automatic dispatch).
    return latest(tx, order);
  };
  return q ? run(q) : db.tx(run);
}

/**
 * createOrder under an Idempotency-Key: the key is claimed in the same transaction, so a
 * retry (even one running at the same moment on another node) gets the first order back;
 * the same key with another body is a 409.
 */
export async function createOrderOnce(ctx: AppContext, actor: Actor, input: CreateInput, key: string): Promise<{ order: WorkOrder; replayed: boolean }> {
  const hash = requestHash(input);
  // Taken before the transaction (a replayed key leaves that number unused).
  await checkDistrict(ctx.db, input.location?.districtUnitId);
  const reserved = await reserveOrderNumber(ctx);
  return ctx.db.tx(async (q) => {
    const claim = await q.query(
      'INSERT INTO workorder_idempotency (created_by, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT (created_by, key) DO NOTHING',
      [actor.id, key, hash],
    );
    if (claim.rowCount === 0) {
      const { rows } = await q.query<{ request_hash: string; workorder_id: number }>(
        'SELECT request_hash, workorder_id FROM workorder_idempotency WHERE created_by = $1 AND key = $2',
        [actor.id, key],
      );
      if (rows[0]!.request_hash !== hash) throw conflict('idempotency_key_reused', 'http.idempotencyKeyReused');
      const { rows: stored } = await q.query('SELECT * FROM workorders WHERE id = $1', [rows[0]!.workorder_id]);
      return { order: fromRow(stored[0]!), replayed: true };
    }
    const order = await createOrder(ctx, actor, input, q, reserved);
    await q.query('UPDATE workorder_idempotency SET workorder_id = $3 WHERE created_by = $1 AND key = $2', [actor.id, key, order.id]);
    return { order, replayed: false };
  });
}

/** Loads an order the actor may see: 404 when absent and, alike, when another unit's (ids cannot be probed). */
export async function loadVisible(q: Queryable, actor: Actor, id: number, forUpdate = false): Promise<WorkOrder> {
  const { rows } = await q.query(`SELECT * FROM workorders WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!rows[0]) throw orderNotFound(id);
  const order = fromRow(rows[0]);
  if (!inScope(order, await orderScope(q, actor))) throw orderNotFound(id);
  return order;
}

export const maskPhone = (p: string) => (p.length >= 7 ? `${p.slice(0, 3)}****${p.slice(-4)}` : '****');
export const maskName = (n: string) => (n.length <= 1 ? '*' : n[0] + '*'.repeat(Math.min(n.length - 1, 3)));

function maskCitizen(c: Citizen | null): Citizen | null {
  return c && { name: c.name && maskName(c.name), phone: c.phone && maskPhone(c.phone) };
}

/** An order as a reader receives it: with the actions that reader may take on it now. */
export type OrderForReader = WorkOrder & { allowedActions: string[] };
export const forReader = (order: WorkOrder, actor: Actor): OrderForReader => ({ ...order, allowedActions: allowedActions(order, actor) });

/** The order as this actor may see it: personal data masked unless the role needs it, and each full read logged. */
export async function present(q: Queryable, actor: Actor, order: WorkOrder, opts: { reveal: boolean; purpose?: string }): Promise<OrderForReader> {
  if (!order.citizen) return forReader(order, actor);
  if (opts.reveal && hasRole(actor, ...PII_ROLES)) {
    await q.query('INSERT INTO pii_access_log (user_id, workorder_id, fields, purpose) VALUES ($1, $2, $3, $4)', [
      actor.id,
      order.id,
      ['citizen.name', 'citizen.phone'].filter((f) => order.citizen![f.slice(8) as keyof Citizen]),
      opts.purpose ?? 'workorder.view',
    ]);
    return forReader(order, actor);
  }
  return forReader({ ...order, citizen: maskCitizen(order.citizen) }, actor);
}

export async function getOrder(ctx: AppContext, actor: Actor, id: number, purpose?: string): Promise<WorkOrder> {
  const order = await loadVisible(ctx.db, actor, id);
  const shown = await present(ctx.db, actor, order, { reveal: true, purpose });
  // Modules add their parts (deadlines, …) next to the order's own fields.
  const extra: Record<string, unknown> = {};
  for (const view of ctx.orderViews ?? []) Object.assign(extra, await view(ctx.db, actor, order));
  // People know the named handler by name (assign), not by an id.
  if (order.assigneeId != null) {
    const { rows } = await ctx.db.query<{ display_name: string }>('SELECT display_name FROM users WHERE id = $1', [order.assigneeId]);
    extra.assigneeName = rows[0]?.display_name ?? null;
  }
  // People know the other order by its number.
  if (order.duplicateOf != null) {
    const { rows } = await ctx.db.query<{ number: string }>('SELECT number FROM workorders WHERE id = $1', [order.duplicateOf]);
    extra.duplicateOfNumber = rows[0]?.number ?? null;
  }
  return { ...shown, ...extra };
}

/** The working calendar of each context, given by the time-limit module (src/sla) when it starts. */
const clocks = new WeakMap<AppContext, (q: Queryable) => Promise<WorkingClock>>();
export function provideWorkingClock(ctx: AppContext, clock: (q: Queryable) => Promise<WorkingClock>) {
  clocks.set(ctx, clock);
}
const clockOf = (ctx: AppContext, q: Queryable) => clocks.get(ctx)?.(q) ?? Promise.resolve(WALL_CLOCK);

export async function act(ctx: AppContext, actor: Actor, id: number, action: string, given: Record<string, any>): Promise<WorkOrder> {
  return ctx.db.tx(async (q) => {
    const order = await loadVisible(q, actor, id, true);
    // People name the other order by its number (the 13 digits they see); an integer is the internal id.
    const body = typeof given.duplicateOf === 'string' ? { ...given, duplicateOf: await orderIdByNumber(q, given.duplicateOf) } : given;
    const ev = await decide(order, action, body, {
      actor,
      now: new Date(),
      survey: ctx.config.survey,
      isMainUnit: actor.unitId != null && actor.unitId === order.mainUnitId,
      unitExists: async (u) => (await q.query('SELECT 1 FROM units WHERE id = $1 AND active', [u])).rowCount > 0,
      orderExists: async (o) => (await q.query('SELECT 1 FROM workorders WHERE id = $1', [o])).rowCount > 0,
      managerReviews: async (u) => (await q.query('SELECT 1 FROM units WHERE id = $1 AND manager_review', [u])).rowCount > 0,
      settings: () => loadWorkorderSettings(q),
      isBelow: async (u, above) =>
        (
          await q.query(
            `WITH RECURSIVE up AS (SELECT parent_id FROM units WHERE id = $1 AND active
                                   UNION ALL SELECT u.parent_id FROM units u JOIN up ON u.id = up.parent_id)
             SELECT 1 FROM up WHERE parent_id = $2 LIMIT 1`,
            [u, above],
          )
        ).rowCount > 0,
      isUnitStaff: async (userId, unitId) =>
        (await q.query(`SELECT 1 FROM users WHERE id = $1 AND unit_id = $2 AND active AND roles && '{handler,unit_manager}'::text[]`, [userId, unitId]))
          .rowCount > 0,
      // The time-limit module's reply deadline (running, or stopped by a suspension).
      replyDueAt: async () => {
        const { rows } = await q.query<{ due_at: Date }>(
          `SELECT due_at FROM order_deadlines WHERE workorder_id = $1 AND kind = 'reply' AND state IN ('running', 'paused')`,
          [id],
        );
        return rows[0] ? new Date(rows[0].due_at).toISOString() : null;
      },
      clock: () => clockOf(ctx, q),
    });
    const next = await commitEvent(ctx, q, order, { ...ev, at: new Date().toISOString(), actorId: actor.id });
    // Listeners may have appended events of their own (e.g. re-dispatch after a failed survey).
    return present(q, actor, latest(q, next), { reveal: true });
  });
}

/** The internal id of the order with this number; 404 when there is none. */
export async function orderIdByNumber(q: Queryable, number: string): Promise<number> {
  const { rows } = await q.query<{ id: number }>('SELECT id FROM workorders WHERE number = $1', [number.trim()]);
  if (!rows[0]) throw orderNotFound(number.trim());
  return rows[0].id;
}

/** Appends one event to a locked order, rewrites its row and tells the listeners. */
async function commitEvent(ctx: AppContext, q: Queryable, order: WorkOrder, event: OrderEvent): Promise<WorkOrder> {
  const next = applyEvent(order, event);
  await appendEvent(q, order.id, next.version, event);
  const sets = ROW_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ');
  await q.query(`UPDATE workorders SET ${sets} WHERE id = $1`, [order.id, ...toRowValues(next)]);
  remember(q, next);
  await notify(ctx, q, next, order, event);
  return next;
}

/**
 * An event the system itself appends (no user, no role check), inside the caller's
 * transaction: automatic supervision, re-dispatch after a failed survey, …
 */
export async function appendSystemEvent(
  ctx: AppContext,
  q: Queryable,
  orderId: number,
  type: string,
  data: Record<string, unknown>,
  actorId: number | null = null,
): Promise<WorkOrder> {
  const { rows } = await q.query('SELECT * FROM workorders WHERE id = $1 FOR UPDATE', [orderId]);
  if (!rows[0]) throw notFound('workorder', orderId);
  return commitEvent(ctx, q, fromRow(rows[0]), { type, data, at: new Date().toISOString(), actorId });
}

/**
 * Ends a suspension that reached its end (the time-limit job, inside its transaction, on an order
 * it has locked): the clock runs again from `endsAt`, whenever the job gets to it.
 */
export async function endSuspension(ctx: AppContext, q: Queryable, orderId: number, clock: WorkingClock): Promise<WorkOrder | null> {
  const { rows } = await q.query('SELECT * FROM workorders WHERE id = $1 FOR UPDATE', [orderId]);
  if (!rows[0]) return null;
  const order = fromRow(rows[0]);
  if (!order.suspended || !order.suspension) return null;
  const ev = suspensionEnded(order, clock, Date.parse(order.suspension.endsAt), { automatic: true });
  return commitEvent(ctx, q, order, { ...ev, at: new Date().toISOString(), actorId: null });
}

export interface EventRecord extends OrderEvent {
  seq: number;
  /** Who did it, as the history shows them: the user's display name and unit (staff, not citizens). */
  actorName: string | null;
  actorUnit: string | null;
}

export async function listEvents(db: Database, actor: Actor, id: number): Promise<EventRecord[]> {
  const order = await loadVisible(db, actor, id);
  const { rows } = await db.query<{
    seq: number;
    type: string;
    actor_id: number | null;
    at: Date;
    data: Record<string, any>;
    actor_name: string | null;
    actor_unit: string | null;
  }>(
    `SELECT e.seq, e.type, e.actor_id, e.at, e.data, u.display_name AS actor_name, un.name AS actor_unit
       FROM workorder_events e LEFT JOIN users u ON u.id = e.actor_id LEFT JOIN units un ON un.id = u.unit_id
      WHERE e.workorder_id = $1 ORDER BY e.seq`,
    [id],
  );
  const showPii = hasRole(actor, ...PII_ROLES);
  if (showPii && order.citizen) await present(db, actor, order, { reveal: true });
  return rows.map((r) => {
    const data = openEventData(r.type, r.data);
    return {
      seq: r.seq,
      type: r.type,
      actorId: r.actor_id,
      actorName: r.actor_name,
      actorUnit: r.actor_unit,
      at: r.at.toISOString(),
      data: r.type === 'created' && !showPii ? { ...data, citizen: maskCitizen(data.citizen ?? null) } : data,
    };
  });
}

/** Newest first unless sorted; `nextCursor` continues after the last item. Personal data is always masked in lists. */
export async function listOrders(
  db: Database,
  actor: Actor,
  f: ListFilter & { limit: number; cursor?: string },
  timeZone: string,
): Promise<{ items: (OrderForReader & { runningDueAt: string | null })[]; nextCursor: string | null }> {
  const { rows, nextCursor } = await pageOfRows(db, actor, f, { limit: f.limit, cursor: f.cursor }, timeZone);
  const items = rows.map((r) => ({
    ...forReader(masked(fromRow(r)), actor),
    runningDueAt: r.running_due_at ? new Date(r.running_due_at).toISOString() : null,
  }));
  return { items, nextCursor };
}

/** An order as lists and exports show it: name and phone masked. */
export const masked = (o: WorkOrder): WorkOrder => ({ ...o, citizen: maskCitizen(o.citizen) });
