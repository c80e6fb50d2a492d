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
import { checkWebhookUrl } from '../notifications/index.js';
import { ORDER_TYPES, URGENCIES, loadVisible, orderScope, provideWorkingClock, scopeSql } from '../workorders/index.js';
import { dayKey, dayNumber, officialDays } from './calendar.js';
import { deadlineListener, orderDeadlines, recomputeOrder, recomputeRunning } from './deadlines.js';
import { tick } from './job.js';
import { loadCalendar, loadLocalDays, loadSettings, policyFromRow, saveSettings, validateSettings, type SlaSettings } from './settings.js';
import { calendarStatus, checkBuiltin, importNotice, replaceYear, setDay } from './years.js';

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
      Type.Object(
        { date: DateStr, kind: StringEnum(['workday', 'holiday'] as const), name: Type.Optional(Type.String({ maxLength: 100 })) },
        { additionalProperties: false },
      ),
      { maxItems: 366 },
    ),
  },
  { additionalProperties: false },
);
const DayParams = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }), date: DateStr });
const DayBody = Type.Object(
  {
    working: Type.Boolean({ description: 'true: a working day (上班); false: a day off (放假)' }),
    name: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
const NoticeBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 50_000 }) }, { additionalProperties: false });
const PolicyFields = {
  orderType: Type.Optional(Type.Union([StringEnum(ORDER_TYPES), Type.Null()])),
  urgency: Type.Optional(Type.Union([StringEnum(URGENCIES), Type.Null()])),
  categoryPrefix: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  maxExtensionDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
};
const PolicyCreate = Type.Object({ ...PolicyFields, sign: DurationSchema, reply: DurationSchema }, { additionalProperties: false });
const PolicyPatch = Type.Object(
  { ...PolicyFields, sign: Type.Optional(DurationSchema), reply: Type.Optional(DurationSchema) },
  { additionalProperties: false },
);
const AtQuery = Type.Object({ at: Type.Optional(Type.String({ format: 'date-time' })) });

function validDate(s: string, field: string): string {
  const dn = dayNumber(s);
  if (!Number.isFinite(dn) || dayKey(dn) !== s) throw badRequest('validation.formatDate', { field }, field);
  return s;
}

/** Recomputes every running deadline (after the working hours changed): how many, and how many open orders' deadlines moved. */
const recomputeAll = (ctx: AppContext) => ctx.db.tx((q) => recomputeRunning(q, ctx));

export function routes(app: App, ctx: AppContext) {
  const { db } = ctx;
  contexts.set(db, ctx);
  ctx.orderListeners.push(deadlineListener(ctx));
  // Suspensions (挂起) end after working days on this calendar.
  provideWorkingClock(ctx, async (q) => (await loadCalendar(q, ctx)).calendar);
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
        items: rows.map((r) => ({
          orderId: r.workorder_id,
          number: r.number,
          title: r.title,
          status: r.status,
          kind: r.kind,
          unitId: r.unit_id,
          dueAt: new Date(r.due_at).toISOString(),
        })),
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
    const { recomputed, moved } = await recomputeAll(ctx);
    return { ...next, timeZone: ctx.config.timeZone, recomputed, moved };
  });

  // --- calendar -----------------------------------------------------------------------
  // Whether this year's and (from 1 October) next year's calendars know only weekends.
  app.get('/api/v1/sla/calendar/status', { schema: { tags: ['sla'], querystring: AtQuery } }, async (req) => {
    requireActor(req);
    return calendarStatus(db, ctx, req.query.at ? new Date(req.query.at) : new Date());
  });
  app.get('/api/v1/sla/calendar/:year', { schema: { tags: ['sla'], params: YearParams } }, async (req) => {
    requireActor(req);
    const { year } = req.params;
    const { calendar, settings, yearInfo } = await loadCalendar(db, ctx);
    const local = new Map((await loadLocalDays(db, `${year}-01-01`, `${year}-12-31`)).map((d) => [d.day, d]));
    const off = officialDays();
    // The year's days off and swapped working days as deadlines count them: stored ones ('local'),
    // else the built-in data's ('official', unless an administrator has set the year).
    const days: { date: string; kind: 'workday' | 'holiday'; name: string | null; source: 'official' | 'local'; reason?: string }[] = [];
    let workingDays = 0;
    for (let dn = dayNumber(`${year}-01-01`), end = dayNumber(`${year}-12-31`); dn <= end; dn++) {
      const date = dayKey(dn);
      const info = calendar.dayInfo(date);
      if (info.working) workingDays++;
      const l = local.get(date);
      if (info.source === 'local' && l) days.push({ date, kind: l.kind, name: l.name, source: 'local', ...(l.reason ? { reason: l.reason } : {}) });
      else if (info.source === 'official') days.push({ date, kind: info.working ? 'workday' : 'holiday', name: info.name ?? null, source: 'official' });
    }
    return {
      year,
      timeZone: ctx.config.timeZone,
      periods: settings.periods,
      officialCovered: off.years.includes(year),
      officialYears: [off.years[0], off.years[off.years.length - 1]],
      calendar: yearInfo(year),
      workingDays,
      days,
    };
  });
  app.put('/api/v1/sla/calendar/:year', { schema: { tags: ['sla'], params: YearParams, body: LocalDaysBody } }, async (req) => {
    const actor = requireActor(req, 'admin');
    const { year } = req.params;
    const seen = new Set<string>();
    req.body.days.forEach((d, i) => {
      validDate(d.date, `days.${i}.date`);
      if (!d.date.startsWith(`${year}-`)) throw badRequest('sla.notInYear', { date: d.date, year }, `days.${i}.date`);
      if (seen.has(d.date)) throw badRequest('sla.duplicateDate', { date: d.date }, `days.${i}.date`);
      seen.add(d.date);
    });
    const r = await replaceYear(ctx, actor.id, year, req.body.days);
    return {
      year,
      days: (await loadLocalDays(db, `${year}-01-01`, `${year}-12-31`)).map((d) => ({ date: d.day, kind: d.kind, name: d.name })),
      recomputed: r.recomputed,
      moved: r.moved,
      changes: r.changes.length,
      calendar: r.calendar,
    };
  });
  // One day off or on, with the reason (the year becomes the administrator's; audited).
  app.patch('/api/v1/sla/calendar/:year/days/:date', { schema: { tags: ['sla'], params: DayParams, body: DayBody } }, async (req) => {
    const actor = requireActor(req, 'admin');
    const { year, date } = req.params;
    validDate(date, 'date');
    return setDay(ctx, actor.id, year, date, req.body);
  });
  // The State Council's notice: a preview (nothing saved), then the import (audited).
  app.post('/api/v1/sla/calendar/:year/parse-notice', { schema: { tags: ['sla'], params: YearParams, body: NoticeBody } }, async (req) => {
    const actor = requireActor(req, 'admin');
    return importNotice(ctx, actor.id, req.params.year, req.body.text, { dryRun: true });
  });
  app.post('/api/v1/sla/calendar/:year/import-notice', { schema: { tags: ['sla'], params: YearParams, body: NoticeBody } }, async (req) => {
    const actor = requireActor(req, 'admin');
    return importNotice(ctx, actor.id, req.params.year, req.body.text);
  });
  app.get(
    '/api/v1/sla/calendar/add',
    {
      schema: {
        tags: ['sla'],
        querystring: Type.Object({
          from: Type.String({ format: 'date-time' }),
          amount: Type.Number({ minimum: 0, maximum: 1000 }),
          unit: StringEnum(['hours', 'days'] as const),
        }),
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
    if (!rows[0]) throw conflict('duplicate', 'sla.policyExists');
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
      [
        req.params.id,
        has('orderType'),
        b.orderType ?? null,
        has('urgency'),
        b.urgency ?? null,
        has('categoryPrefix'),
        b.categoryPrefix ?? null,
        b.sign?.amount ?? null,
        b.sign?.unit ?? null,
        b.reply?.amount ?? null,
        b.reply?.unit ?? null,
        b.maxExtensionDays ?? null,
      ],
    );
    if (!rows[0]) throw notFound('policy', req.params.id);
    return policyFromRow(rows[0]);
  });
  app.delete('/api/v1/sla/policies/:id', { schema: { tags: ['sla'], params: IdParams } }, async (req, reply) => {
    requireActor(req, 'admin');
    const r = await db.query('DELETE FROM sla_policies WHERE id = $1', [req.params.id]);
    if (r.rowCount === 0) throw notFound('policy', req.params.id);
    return reply.status(204).send();
  });

  // --- the job --------------------------------------------------------------------------
  app.post(
    '/api/v1/sla/tick',
    {
      schema: {
        tags: ['sla'],
        body: Type.Optional(Type.Object({ now: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false })),
      },
    },
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
      if (id == null) return recomputeAll(ctx);
      return { recomputed: await db.tx(async (q) => recomputeOrder(q, ctx, id)) };
    },
  );

  startRunner(app, ctx);
  checkBuiltinAtStart(app, ctx);
}

/** Once the app is ready: a newer built-in calendar than the deadlines were computed with recomputes them (in the background). */
function checkBuiltinAtStart(app: App, ctx: AppContext) {
  let pending: Promise<void> | undefined;
  // Started, not awaited: the server answers while the check runs; close waits for it.
  app.addHook('onReady', (done) => {
    pending = checkBuiltin(ctx)
      .then((r) => {
        if (r?.from) app.log.info(r, 'sla: built-in holiday data changed, deadlines recomputed');
      })
      .catch((err: unknown) => app.log.error(err, 'sla: checking the built-in holiday data failed'));
    done();
  });
  app.addHook('onClose', async () => {
    await pending;
  });
}

/** Runs the job every JIESU_SLA_INTERVAL_SECONDS seconds (and once at start-up, so deadlines missed while down fire). */
function startRunner(app: App, ctx: AppContext) {
  const secs = ctx.config.slaIntervalSeconds;
  if (!(secs > 0)) return;
  runPeriodically(app, secs * 1000, 'sla: tick', async () => {
    const r = await tick(ctx);
    if (r.fired.length) app.log.info({ fired: r.fired.length }, 'sla: escalations fired');
  });
}
