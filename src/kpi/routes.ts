import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import { requestLanguage } from '../http/errors.js';
import { hasRole, type Actor, type AppContext } from '../core/context.js';
import { badRequest, forbidden } from '../core/errors.js';
import { Id, StringEnum } from '../http/schemas.js';
import { UNIT_KINDS, subtreeUnitIds } from '../org/index.js';
import type { Queryable } from '../db/database.js';
import {
  DRILL_MEASURES,
  checkMonth,
  measureBit,
  loadKpiSettings,
  measureUnits,
  monthsBetween,
  rankUnits,
  saveKpiSettings,
  type MeasureFilter,
} from './measures.js';
import { kpiListener, rebuildKpi } from './service.js';
import { monthlyWorkbook } from './report.js';
import { cityMonth, monthsWithData } from './month.js';

const READERS = ['supervisor', 'admin', 'dispatcher', 'unit_manager'] as const;
const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' });
const Period = {
  month: Type.Optional(Month),
  from: Type.Optional(Month),
  to: Type.Optional(Month),
};

/** The months asked for: `month`, or `from`..`to`; default the current month. */
function period(q: { month?: string; from?: string; to?: string }, timeZone: string): { from: string; to: string } {
  const current = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
  const from = q.month ?? q.from ?? q.to ?? current;
  const to = q.month ?? q.to ?? from;
  checkMonth(from, 'from');
  checkMonth(to, 'to');
  if (from > to) throw badRequest('validation.toAfterFrom', {}, 'from');
  if (monthsBetween(from, to) > 120) throw badRequest('kpi.tooManyMonths', { max: 120 }, 'to');
  return { from, to };
}

/** A unit manager reads the figures of its own unit and the units below it only. */
async function allowedUnits(q: Queryable, actor: Actor): Promise<number[] | null> {
  if (hasRole(actor, 'supervisor', 'admin', 'dispatcher')) return null;
  return actor.unitId == null ? [] : subtreeUnitIds(q, actor.unitId);
}

export function routes(app: App, ctx: AppContext) {
  const { db, config } = ctx;
  ctx.orderListeners.push(kpiListener(ctx));

  app.get(
    '/api/v1/kpi/units',
    {
      schema: {
        tags: ['kpi'],
        querystring: Type.Object({
          ...Period,
          kind: Type.Optional(StringEnum(UNIT_KINDS)),
          unitId: Type.Optional(Type.Array(Id, { maxItems: 500 })),
          includeDescendants: Type.Boolean({ default: true }),
          categoryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          districtId: Type.Optional(Id),
        }),
      },
    },
    async (req) => {
      const actor = requireActor(req, ...READERS);
      const p = period(req.query, config.timeZone);
      const allowed = await allowedUnits(db, actor);
      let unitIds = req.query.unitId;
      if (allowed) {
        unitIds = (unitIds ?? (actor.unitId ? [actor.unitId] : [])).filter((id) => allowed.includes(id));
        if (!unitIds.length) throw forbidden('kpi.ownUnits');
      }
      const f: MeasureFilter = {
        ...p,
        kind: req.query.kind,
        unitIds,
        includeDescendants: req.query.includeDescendants,
        categoryCode: req.query.categoryCode,
        districtId: req.query.districtId,
      };
      const settings = await loadKpiSettings(db);
      return { ...p, items: await measureUnits(db, f, settings), settings };
    },
  );

  app.get(
    '/api/v1/kpi/rankings',
    {
      schema: {
        tags: ['kpi'],
        querystring: Type.Object({
          ...Period,
          kind: StringEnum(UNIT_KINDS, { description: 'rank the units of this kind' }),
          includeDescendants: Type.Boolean({ default: true }),
        }),
      },
    },
    async (req) => {
      requireActor(req, ...READERS);
      const p = period(req.query, config.timeZone);
      const settings = await loadKpiSettings(db);
      return {
        ...p,
        kind: req.query.kind,
        items: await rankUnits(db, { ...p, kind: req.query.kind, includeDescendants: req.query.includeDescendants }, settings),
      };
    },
  );

  app.get(
    '/api/v1/kpi/orders',
    {
      schema: {
        tags: ['kpi'],
        querystring: Type.Object({
          ...Period,
          unitId: Id,
          measure: StringEnum(DRILL_MEASURES),
          includeDescendants: Type.Boolean({ default: true }),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
        }),
      },
    },
    async (req) => {
      const actor = requireActor(req, ...READERS);
      const p = period(req.query, config.timeZone);
      const allowed = await allowedUnits(db, actor);
      if (allowed && !allowed.includes(req.query.unitId)) throw forbidden('kpi.ownUnits');
      const units = req.query.includeDescendants ? await subtreeUnitIds(db, req.query.unitId) : [req.query.unitId];
      const where = `k.unit_id = ANY($1::int[]) AND k.month BETWEEN $2 AND $3 AND (k.measures & $4) <> 0`;
      const params = [units, p.from, p.to, measureBit(req.query.measure)];
      const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kpi_fact_orders k WHERE ${where}`, params)).rows[0]!.n;
      const { rows } = await db.query(
        `SELECT k.workorder_id AS id, w.number, w.title, w.status, w.main_unit_id AS "mainUnitId", k.unit_id AS "countedFor", k.month, k.at
           FROM kpi_fact_orders k JOIN workorders w ON w.id = k.workorder_id
          WHERE ${where} ORDER BY k.at, k.workorder_id LIMIT $5 OFFSET $6`,
        [...params, req.query.limit, req.query.offset],
      );
      return { ...p, measure: req.query.measure, total, items: rows };
    },
  );

  const Weights = Type.Object(
    {
      basicallySatisfiedWeight: Type.Number({ minimum: 0, maximum: 1 }),
      weights: Type.Object(
        {
          responseRate: Type.Number({ minimum: 0, maximum: 1 }),
          resolutionRate: Type.Number({ minimum: 0, maximum: 1 }),
          satisfactionRate: Type.Number({ minimum: 0, maximum: 1 }),
          onTimeReplyRate: Type.Number({ minimum: 0, maximum: 1 }),
        },
        { additionalProperties: false },
      ),
      penalties: Type.Object(
        { returnRate: Type.Number({ minimum: 0, maximum: 100 }), reopenRate: Type.Number({ minimum: 0, maximum: 100 }) },
        { additionalProperties: false },
      ),
      serviceLevelSeconds: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 600, description: 'service level: calls answered within this many seconds (default 15)' }),
      ),
    },
    { additionalProperties: false },
  );
  app.get('/api/v1/kpi/settings', { schema: { tags: ['kpi'] } }, async (req) => {
    requireActor(req, ...READERS);
    return loadKpiSettings(db);
  });
  app.put('/api/v1/kpi/settings', { schema: { tags: ['kpi'], body: Weights } }, async (req) => {
    requireActor(req, 'admin');
    await saveKpiSettings(db, req.body);
    return loadKpiSettings(db);
  });
  app.post('/api/v1/kpi/rebuild', { schema: { tags: ['kpi'] } }, async (req) => {
    requireActor(req, 'admin');
    return rebuildKpi(db, ctx);
  });

  // The city's month as the dashboard's cards show it: the same functions as the Excel report and open data.
  app.get('/api/v1/kpi/summary', { schema: { tags: ['kpi'], querystring: Type.Object({ month: Month }) } }, async (req) => {
    requireActor(req, ...READERS);
    return cityMonth(db, req.query.month, config.timeZone, requestLanguage(req));
  });
  // The months that have data, for the month pickers: the latest is the default.
  app.get('/api/v1/kpi/months', { schema: { tags: ['kpi'] } }, async (req) => {
    requireActor(req, ...READERS);
    const months = await monthsWithData(db, config.timeZone);
    return { months, latest: months.at(-1) ?? null };
  });

  app.get('/api/v1/reports/monthly', { schema: { tags: ['kpi'], querystring: Type.Object({ month: Month }) } }, async (req, reply) => {
    requireActor(req, 'supervisor', 'admin');
    const buf = await monthlyWorkbook(db, ctx, req.query.month, requestLanguage(req));
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="jiesu-monthly-${req.query.month}.xlsx"`)
      .send(buf);
  });
}
