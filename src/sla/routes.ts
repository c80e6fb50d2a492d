// Time limits: settings, the working calendar, policies, each order's deadlines, the
// escalation job (endpoint, CLI, and an optional periodic runner in the server).
import { Type } from 'typebox';
import type { Database } from '../db/database.js';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { badRequest, conflict, notFound } from '../core/errors.js';
import { runPeriodically } from '../http/periodic.js';
import { Id, IdParams, StringEnum } from '../http/schemas.js';
import { checkWebhookUrl } from '../notifications/service.js';
import { ORDER_TYPES, URGENCIES } from '../workorders/model.js';
import { loadVisible } from '../workorders/service.js';
import { orderScope, scopeSql } from '../workorders/visibility.js';
import { dayKey, dayNumber, officialDays } from './calendar.js';
import { deadlineListener, orderDeadlines, recomputeOrder } from './deadlines.js';
import { tick } from './job.js';
import { loadCalendar, loadLocalDays, loadSettings, policyFromRow, saveSettings, validateSettings, type SlaSettings } from './settings.js';

/** The context each database's app was built with, so the CLI can run the job with every module's listeners. */
const contexts = new WeakMap<Database, AppContext>();
export const contextFor = (db: Database) => contexts.get(db);

const Clock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' });
const DurationSchema = Type.Object(
  { amount: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }), unit: StringEnum(['hours', 'days'] as const) },
  { additionalProperties: false },
);
const SettingsBody = Type.Object(
  {
    periods: Type.Optional(Type.Array(Type.Object({ start: Clock, end: Clock }, { additionalProperties: false }), { minItems: 1, maxItems: 6 })),
    warnShare: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
    escalateAfter: Type.Optional(DurationSchema),
    autoSupervise: Type.Optional(Type.Boolean()),
    webhookUrl: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Null()])),
  },
  { additionalProperties: false },
);
const DateStr = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const YearParams = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) });
const LocalDaysBody = Type.Object(
  {
    days: Type.Array(
      Type.Object({ date: DateStr, kind: StringEnum(['workday', 'holiday'] as const), name: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
      { maxItems: 366 },
    ),
  },
  { additionalProperties: false },
);
const PolicyFields = {
  orderType: Type.Optional(Type.Union([StringEnum(ORDER_TYPES), Type.Null()])),
  urgency: Type.Optional(Type.Union([StringEnum(URGENCIES), Type.Null()])),
  categoryPrefix: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  maxExtensionDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
};
const PolicyCreate = Type.Object({ ...PolicyFields, sign: DurationSchema, reply: DurationSchema }, { additionalProperties: false });
const PolicyPatch = Type.Object({ ...PolicyFields, sign: Type.Optional(DurationSchema), reply: Type.Optional(DurationSchema) }, { additionalProperties: false });
const AtQuery = Type.Object({ at: Type.Optional(Type.String({ format: 'date-time' })) });

function validDate(s: string, field: string): string {
  const dn = dayNumber(s);
  if (!Number.isFinite(dn) || dayKey(dn) !== s) throw badRequest(`${s} 不是有效日期 (not a valid date)`, field);
  return s;
}

/** Recomputes every running deadline (after the calendar or the working hours changed). */
async function recomputeAll(ctx: AppContext): Promise<number> {
  return ctx.db.tx(async (q) => {
    const loaded = await loadCalendar(q, ctx);
    const { rows } = await q.query<{ id: number }>(`SELECT DISTINCT workorder_id AS id FROM order_deadlines WHERE state = 'running' ORDER BY 1`);
    let n = 0;
    for (const r of rows) n += await recomputeOrder(q, ctx, r.id, loaded);
    return n;
  });
}

export async function routes(app: App, ctx: AppContext) {
  const { db } = ctx;
  contexts.set(db, ctx);
  ctx.orderListeners.push(deadlineListener(ctx));
  // Every single-order read carries its deadlines and the working time left.
  (ctx.orderViews ??= []).push(async (q, _actor, order) => ({ deadlines: await orderDeadlines(q, ctx, order.id, Date.now()) }));

  // --- deadlines of one order --------------------------------------------------------
  app.get('/api/v1/workorders/:id/deadlines', { schema: { tags: ['sla'], params: IdParams, querystring: AtQuery } }, async (req) => {
    const actor = requireActor(req);
    await loadVisible(db, actor, req.params.id);
    const now = req.query.at ? Date.parse(req.query.at) : Date.now();
    return { orderId: req.params.id, at: new Date(now).toISOString(), items: await orderDeadlines(db, ctx, req.params.id, now) };
  });

  // --- orders by level (the supervisor's watch list) ---------------------------------
  app.get(
    '/api/v1/sla/orders',
    {
      schema: {
        tags: ['sla'],
        querystring: Type.Object({
          level: StringEnum(['yellow', 'red'] as const),
          at: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const now = req.query.at ? new Date(req.query.at) : new Date();
      const params: unknown[] = [now];
      // The orders the reader may see, by the one visibility rule.
      const scope = ` AND ${scopeSql(await orderScope(db, actor), params, 'w')}`;
      const cond = req.query.level === 'red' ? 'd.due_at <= $1' : 'd.warn_at <= $1 AND d.due_at > $1';
      const { rows } = await db.query<any>(
        `SELECT d.workorder_id, d.kind, d.due_at, d.unit_id, w.number, w.title, w.status FROM order_deadlines d JOIN workorders w ON w.id = d.workorder_id
         WHERE d.state = 'running' AND ${cond}${scope} ORDER BY d.due_at LIMIT $${params.push(req.query.limit)}`,
        params,
      );
      return {
        at: now.toISOString(),
        items: rows.map((r) => ({ orderId: r.workorder_id, number: r.number, title: r.title, status: r.status, kind: r.kind, unitId: r.unit_id, dueAt: new Date(r.due_at).toISOString() })),
      };
    },
  );

  // --- settings -----------------------------------------------------------------------
  app.get('/api/v1/sla/settings', { schema: { tags: ['sla'] } }, async (req) => {
    requireActor(req);
    return { ...(await loadSettings(db)), timeZone: ctx.config.timeZone };
  });
  app.patch('/api/v1/sla/settings', { schema: { tags: ['sla'], body: SettingsBody } }, async (req) => {
    requireActor(req, 'admin');
    const next: SlaSettings = { ...(await loadSettings(db)), ...(req.body as Partial<SlaSettings>) };
    validateSettings(next);
    if (next.webhookUrl) checkWebhookUrl(next.webhookUrl);
    await saveSettings(db, next);
    const recomputed = await recomputeAll(ctx);
    return { ...next, timeZone: ctx.config.timeZone, recomputed };
  });

  // --- calendar -----------------------------------------------------------------------
  app.get('/api/v1/sla/calendar/:year', { schema: { tags: ['sla'], params: YearParams } }, async (req) => {
    requireActor(req);
    const { year } = req.params;
    const { calendar, settings } = await loadCalendar(db, ctx);
    const local = await loadLocalDays(db, `${year}-01-01`, `${year}-12-31`);
    const off = officialDays();
    const days: { date: string; kind: 'workday' | 'holiday'; name: string | null; source: 'official' | 'local' }[] = [];
    for (const [date, v] of off.days) if (date.startsWith(`${year}-`)) days.push({ date, kind: v.kind, name: v.name, source: 'official' });
    for (const l of local) {
      const i = days.findIndex((d) => d.date === l.day);
      if (i >= 0) days.splice(i, 1);
      days.push({ date: l.day, kind: l.kind, name: l.name, source: 'local' });
    }
    days.sort((a, b) => a.date.localeCompare(b.date));
    let workingDays = 0;
    for (let dn = dayNumber(`${year}-01-01`), end = dayNumber(`${year}-12-31`); dn <= end; dn++) if (calendar.isWorkingDay(dn)) workingDays++;
    return {
      year, timeZone: ctx.config.timeZone, periods: settings.periods, officialCovered: off.years.includes(year),
      officialYears: [off.years[0], off.years[off.years.length - 1]], workingDays, days,
    };
  });
  app.put('/api/v1/sla/calendar/:year', { schema: { tags: ['sla'], params: YearParams, body: LocalDaysBody } }, async (req) => {
    requireActor(req, 'admin');
    const { year } = req.params;
    const seen = new Set<string>();
    req.body.days.forEach((d, i) => {
      validDate(d.date, `days.${i}.date`);
      if (!d.date.startsWith(`${year}-`)) throw badRequest(`${d.date} 不在 ${year} 年 (not in ${year})`, `days.${i}.date`);
      if (seen.has(d.date)) throw badRequest(`${d.date} 重复 (duplicate date)`, `days.${i}.date`);
      seen.add(d.date);
    });
    await db.tx(async (q) => {
      await q.query('DELETE FROM calendar_local_days WHERE day >= $1 AND day <= $2', [`${year}-01-01`, `${year}-12-31`]);
      for (const d of req.body.days) await q.query('INSERT INTO calendar_local_days (day, kind, name) VALUES ($1, $2, $3)', [d.date, d.kind, d.name ?? null]);
    });
    const recomputed = await recomputeAll(ctx);
    return { year, days: (await loadLocalDays(db, `${year}-01-01`, `${year}-12-31`)).map((d) => ({ date: d.day, kind: d.kind, name: d.name })), recomputed };
  });
  app.get(
    '/api/v1/sla/calendar/add',
    {
      schema: {
        tags: ['sla'],
        querystring: Type.Object({ from: Type.String({ format: 'date-time' }), amount: Type.Number({ minimum: 0, maximum: 1000 }), unit: StringEnum(['hours', 'days'] as const) }),
      },
    },
    async (req) => {
      requireActor(req);
      const { calendar } = await loadCalendar(db, ctx);
      const from = Date.parse(req.query.from);
      const due = calendar.add(from, { amount: req.query.amount, unit: req.query.unit });
      return { from: new Date(from).toISOString(), due: new Date(due).toISOString(), workingMs: calendar.workingMsBetween(from, due) };
    },
  );

  // --- policies -----------------------------------------------------------------------
  app.get('/api/v1/sla/policies', { schema: { tags: ['sla'] } }, async (req) => {
    requireActor(req);
    const { rows } = await db.query('SELECT * FROM sla_policies ORDER BY id');
    return { items: rows.map(policyFromRow) };
  });
  app.post('/api/v1/sla/policies', { schema: { tags: ['sla'], body: PolicyCreate } }, async (req, reply) => {
    requireActor(req, 'admin');
    const b = req.body;
    const { rows } = await db.query(
      `INSERT INTO sla_policies (order_type, urgency, category_prefix, sign_amount, sign_unit, reply_amount, reply_unit, max_extension_days)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ((coalesce(order_type, '')), (coalesce(urgency, '')), (coalesce(category_prefix, ''))) DO NOTHING RETURNING *`,
      [b.orderType ?? null, b.urgency ?? null, b.categoryPrefix ?? null, b.sign.amount, b.sign.unit, b.reply.amount, b.reply.unit, b.maxExtensionDays ?? 10],
    );
    if (!rows[0]) throw conflict('duplicate', '已有相同范围的时限规则 (a policy for this type, urgency and category already exists)');
    return reply.status(201).send(policyFromRow(rows[0]));
  });
  app.patch('/api/v1/sla/policies/:id', { schema: { tags: ['sla'], params: IdParams, body: PolicyPatch } }, async (req) => {
    requireActor(req, 'admin');
    const b = req.body;
    const has = (k: string) => Object.prototype.hasOwnProperty.call(b, k);
    const { rows } = await db.query(
      `UPDATE sla_policies SET
         order_type = CASE WHEN $2::boolean THEN $3 ELSE order_type END,
         urgency = CASE WHEN $4::boolean THEN $5 ELSE urgency END,
         category_prefix = CASE WHEN $6::boolean THEN $7 ELSE category_prefix END,
         sign_amount = coalesce($8, sign_amount), sign_unit = coalesce($9, sign_unit),
         reply_amount = coalesce($10, reply_amount), reply_unit = coalesce($11, reply_unit),
         max_extension_days = coalesce($12, max_extension_days), updated_at = now()
       WHERE id = $1 RETURNING *`,
      [req.params.id, has('orderType'), b.orderType ?? null, has('urgency'), b.urgency ?? null, has('categoryPrefix'), b.categoryPrefix ?? null,
        b.sign?.amount ?? null, b.sign?.unit ?? null, b.reply?.amount ?? null, b.reply?.unit ?? null, b.maxExtensionDays ?? null],
    );
    if (!rows[0]) throw notFound(`policy ${req.params.id}`);
    return policyFromRow(rows[0]);
  });
  app.delete('/api/v1/sla/policies/:id', { schema: { tags: ['sla'], params: IdParams } }, async (req, reply) => {
    requireActor(req, 'admin');
    const r = await db.query('DELETE FROM sla_policies WHERE id = $1', [req.params.id]);
    if (r.rowCount === 0) throw notFound(`policy ${req.params.id}`);
    return reply.status(204).send();
  });

  // --- the job --------------------------------------------------------------------------
  app.post(
    '/api/v1/sla/tick',
    { schema: { tags: ['sla'], body: Type.Optional(Type.Object({ now: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false })) } },
    async (req) => {
      requireActor(req, 'admin');
      return tick(ctx, req.body?.now ? new Date(req.body.now) : new Date());
    },
  );
  app.post(
    '/api/v1/sla/recompute',
    { schema: { tags: ['sla'], body: Type.Optional(Type.Object({ orderId: Type.Optional(Id) }, { additionalProperties: false })) } },
    async (req) => {
      requireActor(req, 'admin');
      const id = req.body?.orderId;
      if (id == null) return { recomputed: await recomputeAll(ctx) };
      return { recomputed: await db.tx(async (q) => recomputeOrder(q, ctx, id)) };
    },
  );

  startRunner(app, ctx);
}

/** Runs the job every JIESU_SLA_INTERVAL_SECONDS seconds (and once at start-up, so deadlines missed while down fire). */
function startRunner(app: App, ctx: AppContext) {
  const secs = Number(process.env.JIESU_SLA_INTERVAL_SECONDS ?? 0);
  if (!(secs > 0)) return;
  runPeriodically(app, secs * 1000, 'sla: tick', async () => {
    const r = await tick(ctx);
    if (r.fired.length) app.log.info({ fired: r.fired.length }, 'sla: escalations fired');
  });
}
