// Appeals (申诉): the assessed unit contests a survey within a number of working days; a
// supervisor upholds or rejects it. Both steps are events in the order's history, checked in the
// lifecycle's order: visibility (404) → role (403) → unit (403) → version (409) → state (409) →
// body and window (400). The assessment's side (an upheld appeal takes the survey out of the
// unit's rates, or moves it) is the KPI module's `factsFor`, fed by these events.
import type { Queryable } from '../db/database.js';
import { hasRole, type Actor, type AppContext, type Role } from '../core/context.js';
import { badRequest, conflict, forbidden } from '../core/errors.js';
import { DEFAULT_LANGUAGE, translate } from '../core/i18n.js';
import { cityDateTime } from '../core/time.js';
import { lastSurveyFact, type AssessedSurvey } from '../kpi/index.js';
import { notifyUsers } from '../notifications/index.js';
import { unitManagerIds } from '../org/index.js';
import { openEventData } from '../privacy/index.js';
import { loadCalendar } from '../sla/index.js';
import { allowedActions, appendSystemEvent, getOrder, loadVisible, orderScope, type OrderEvent, type WorkOrder } from '../workorders/index.js';

export const APPEAL_KINDS = ['unreasonable', 'not_our_duty', 'survey_error'] as const;
export type AppealKind = (typeof APPEAL_KINDS)[number];
export const APPEAL_DECISIONS = ['upheld', 'rejected'] as const;
export type AppealDecision = (typeof APPEAL_DECISIONS)[number];
export const APPEAL_STATUSES = ['pending', ...APPEAL_DECISIONS] as const;
export type AppealStatus = (typeof APPEAL_STATUSES)[number];

/** Who appeals: the assessed unit's people. Who rules: supervisors (督办 / 考核). */
export const APPELLANTS: Role[] = ['handler', 'unit_manager'];
export const RULERS: Role[] = ['supervisor'];

// --- settings ------------------------------------------------------------------------------

export interface AppealSettings {
  /** Working days after the survey (the survey's day not counted) in which the unit may appeal. */
  appealWindowDays: number;
}
export const DEFAULT_APPEAL_SETTINGS: AppealSettings = { appealWindowDays: 5 };

export async function loadAppealSettings(q: Queryable): Promise<AppealSettings> {
  const { rows } = await q.query<{ settings: Partial<AppealSettings> }>('SELECT settings FROM appeal_settings WHERE id = 1');
  return { ...DEFAULT_APPEAL_SETTINGS, ...(rows[0]?.settings ?? {}) };
}

export async function saveAppealSettings(q: Queryable, s: AppealSettings): Promise<AppealSettings> {
  await q.query('UPDATE appeal_settings SET settings = $1, updated_at = now() WHERE id = 1', [JSON.stringify(s)]);
  return loadAppealSettings(q);
}

/** The last moment to appeal a survey made at `surveyAt`: the end of the n-th working day after its day, on the city's calendar. */
export async function appealWindowEnd(q: Queryable, ctx: AppContext, surveyAt: string): Promise<Date> {
  const [{ calendar }, s] = [await loadCalendar(q, ctx), await loadAppealSettings(q)];
  return new Date(calendar.addWorkingDays(Date.parse(surveyAt), s.appealWindowDays));
}

// --- the appeal on an order ----------------------------------------------------------------

interface AppealRow {
  id: number;
  workorder_id: number;
  seq: number;
  survey_seq: number;
  unit_id: number;
  unit_name: string;
  assessed: AssessedSurvey;
  kind: AppealKind;
  reason: string;
  attachments: number[];
  status: AppealStatus;
  filed_by: number | null;
  filed_by_name: string | null;
  filed_at: Date;
  window_ends_at: Date;
  ruled_by: number | null;
  ruled_by_name: string | null;
  ruled_at: Date | null;
  note: string | null;
  right_unit_id: number | null;
  right_unit_name: string | null;
}

/** An order's appeal as readers see it (`appeal` on GET /api/v1/workorders/{id}). */
export interface Appeal {
  status: AppealStatus;
  kind: AppealKind;
  reason: string;
  attachments: { id: number; name: string }[];
  /** The assessed unit, which filed it. */
  unitId: number;
  unitName: string;
  filedAt: string;
  filedByName: string | null;
  /** The last moment it could be filed (appealWindowDays working days after the survey). */
  windowEndsAt: string;
  /** The survey it contests. */
  survey: { at: string; month: string; satisfaction: 'satisfied' | 'basically_satisfied' | 'unsatisfied'; resolved: boolean };
  /** upheld / rejected once ruled, with the supervisor's note. */
  decision: AppealDecision | null;
  note: string | null;
  ruledAt: string | null;
  ruledByName: string | null;
  /** For an upheld not_our_duty appeal: the unit whose account the survey went to. */
  rightUnitId: number | null;
  rightUnitName: string | null;
}

const FROM = `FROM workorder_appeals a
                  JOIN units un ON un.id = a.unit_id
                  LEFT JOIN users fu ON fu.id = a.filed_by
                  LEFT JOIN users ru ON ru.id = a.ruled_by
                  LEFT JOIN units rn ON rn.id = a.right_unit_id`;
const COLUMNS = 'a.*, un.name AS unit_name, fu.display_name AS filed_by_name, ru.display_name AS ruled_by_name, rn.name AS right_unit_name';
const SELECT = `SELECT ${COLUMNS} ${FROM}`;

async function toAppeal(q: Queryable, r: AppealRow): Promise<Appeal> {
  const add = r.assessed.add;
  const files = r.attachments.length
    ? (await q.query<{ id: number; name: string }>('SELECT id, name FROM workorder_attachments WHERE id = ANY($1::int[]) ORDER BY id', [r.attachments])).rows
    : [];
  return {
    status: r.status,
    kind: r.kind,
    reason: r.reason,
    attachments: files,
    unitId: r.unit_id,
    unitName: r.unit_name,
    filedAt: r.filed_at.toISOString(),
    filedByName: r.filed_by_name,
    windowEndsAt: r.window_ends_at.toISOString(),
    survey: {
      at: r.assessed.at,
      month: r.assessed.month,
      satisfaction: add.satisfied ? 'satisfied' : add.basically_satisfied ? 'basically_satisfied' : 'unsatisfied',
      resolved: !!add.resolved,
    },
    decision: r.status === 'pending' ? null : r.status,
    note: r.note,
    ruledAt: r.ruled_at?.toISOString() ?? null,
    ruledByName: r.ruled_by_name,
    rightUnitId: r.right_unit_id,
    rightUnitName: r.right_unit_name,
  };
}

/** The order's latest appeal row (locked when asked). */
async function latestAppeal(q: Queryable, orderId: number, forUpdate = false): Promise<AppealRow | null> {
  const { rows } = await q.query<AppealRow>(`${SELECT} WHERE a.workorder_id = $1 ORDER BY a.id DESC LIMIT 1${forUpdate ? ' FOR UPDATE OF a' : ''}`, [orderId]);
  return rows[0] ?? null;
}

/** The survey an appeal would contest now: the order's latest, as the assessment counted it. */
async function contestedSurvey(q: Queryable, ctx: AppContext, orderId: number): Promise<AssessedSurvey | null> {
  const { rows } = await q.query<{ seq: number; type: string; actor_id: number | null; at: Date; data: Record<string, any> }>(
    'SELECT seq, type, actor_id, at, data FROM workorder_events WHERE workorder_id = $1 ORDER BY seq',
    [orderId],
  );
  const events = rows.map((r) => ({ seq: r.seq, type: r.type, actorId: r.actor_id, at: r.at.toISOString(), data: openEventData(r.type, r.data) }));
  return lastSurveyFact(events, orderId, ctx.config.timeZone);
}

function checkVersion(order: WorkOrder, version: number) {
  if (version !== order.version) throw conflict('version_conflict', 'workorders.versionConflict', { version: order.version, sent: version });
}

async function unitName(q: Queryable, id: number | null): Promise<string> {
  if (id == null) return '—';
  return (await q.query<{ name: string }>('SELECT name FROM units WHERE id = $1', [id])).rows[0]?.name ?? String(id);
}

/** Why the unit could not appeal now (the error it would get), or null when it can. */
async function appealRefusal(q: Queryable, ctx: AppContext, actor: Actor, order: WorkOrder) {
  if (!hasRole(actor, ...APPELLANTS)) return forbidden('workorders.actionRequiresRole', { action: 'appeal', roles: APPELLANTS });
  const assessed = order.survey ? await contestedSurvey(q, ctx, order.id) : null;
  const unitId = assessed?.unitId ?? order.mainUnitId;
  if (actor.unitId == null || actor.unitId !== unitId) return forbidden('appeals.assessedUnitOnly', { unit: await unitName(q, unitId) });
  return { assessed };
}

export interface AppealBody {
  version: number;
  kind: AppealKind;
  reason: string;
  attachments?: number[];
}

/** `appeal`: the assessed unit contests the order's latest survey. Returns the order as GET shows it. */
export async function fileAppeal(ctx: AppContext, actor: Actor, id: number, body: AppealBody) {
  await ctx.db.tx(async (q) => {
    const order = await loadVisible(q, actor, id, true);
    const now = Date.now();
    const checked = await appealRefusal(q, ctx, actor, order);
    if (checked instanceof Error) throw checked;
    checkVersion(order, body.version);
    const { assessed } = checked;
    if (!assessed) throw conflict('invalid_transition', 'appeals.noSurvey');
    const { rows } = await q.query<{ status: AppealStatus; survey_seq: number }>('SELECT status, survey_seq FROM workorder_appeals WHERE workorder_id = $1', [
      id,
    ]);
    if (rows.some((r) => r.status === 'pending')) throw conflict('invalid_transition', 'appeals.alreadyPending');
    if (rows.some((r) => r.survey_seq === assessed.seq)) throw conflict('invalid_transition', 'appeals.alreadyRuled');
    const windowEndsAt = await appealWindowEnd(q, ctx, assessed.at);
    if (now > windowEndsAt.getTime()) {
      const { appealWindowDays } = await loadAppealSettings(q);
      throw badRequest('appeals.windowPassed', { days: appealWindowDays, deadline: cityDateTime(windowEndsAt, ctx.config.timeZone) });
    }
    const attachments = [...new Set(body.attachments ?? [])];
    if (attachments.length) {
      const found = await q.query<{ id: number }>('SELECT id FROM workorder_attachments WHERE workorder_id = $1 AND id = ANY($2::int[])', [id, attachments]);
      const missing = attachments.find((a) => !found.rows.some((r) => r.id === a));
      if (missing !== undefined) throw badRequest('appeals.attachmentMissing', { id: missing }, 'attachments');
    }
    await appendSystemEvent(
      ctx,
      q,
      id,
      'appeal_filed',
      { kind: body.kind, reason: body.reason.trim(), attachments, surveySeq: assessed.seq, windowEndsAt: windowEndsAt.toISOString(), assessed },
      actor.id,
    );
  });
  return getOrder(ctx, actor, id);
}

export interface RulingBody {
  version: number;
  decision: AppealDecision;
  note: string;
  unitId?: number | null;
}

/** `rule-appeal`: a supervisor upholds or rejects the waiting appeal. */
export async function ruleAppeal(ctx: AppContext, actor: Actor, id: number, body: RulingBody) {
  await ctx.db.tx(async (q) => {
    const order = await loadVisible(q, actor, id, true);
    if (!hasRole(actor, ...RULERS)) throw forbidden('workorders.actionRequiresRole', { action: 'rule-appeal', roles: RULERS });
    checkVersion(order, body.version);
    const appeal = await latestAppeal(q, id, true);
    if (!appeal) throw conflict('invalid_transition', 'appeals.none');
    if (appeal.status !== 'pending') throw conflict('invalid_transition', 'appeals.notPending');
    const moves = body.decision === 'upheld' && appeal.kind === 'not_our_duty';
    const rightUnitId = body.unitId ?? null;
    if (moves) {
      if (rightUnitId == null) throw badRequest('appeals.rightUnitRequired', {}, 'unitId');
      if (rightUnitId === appeal.unit_id) throw badRequest('appeals.rightUnitSame', {}, 'unitId');
      const u = await q.query('SELECT 1 FROM units WHERE id = $1 AND active', [rightUnitId]);
      if (!u.rowCount) throw badRequest('org.unitMissing', { id: rightUnitId }, 'unitId');
    } else if (rightUnitId != null) {
      throw badRequest('appeals.rightUnitOnlyNotOurDuty', {}, 'unitId');
    }
    await appendSystemEvent(
      ctx,
      q,
      id,
      'appeal_ruled',
      {
        decision: body.decision,
        note: body.note.trim(),
        unitId: moves ? rightUnitId : null,
        kind: appeal.kind,
        surveySeq: appeal.survey_seq,
        assessed: appeal.assessed,
      },
      actor.id,
    );
  });
  return getOrder(ctx, actor, id);
}

// --- the projection, notifications and the order's view --------------------------------------

const tr = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate(DEFAULT_LANGUAGE, key, params);

/** Writes the appeal row from its events and tells the people who act next. In the order's transaction. */
export async function appealListener(q: Queryable, { order, event }: { order: WorkOrder; previous: WorkOrder | null; event: OrderEvent }) {
  const d = event.data;
  const link = { workorderId: order.id, data: { number: order.number, title: order.title } };
  if (event.type === 'appeal_filed') {
    const a = d.assessed as AssessedSurvey;
    await q.query(
      `INSERT INTO workorder_appeals (workorder_id, seq, survey_seq, unit_id, assessed, kind, reason, attachments, filed_by, filed_at, window_ends_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [order.id, order.version, d.surveySeq, a.unitId, JSON.stringify(a), d.kind, d.reason, d.attachments ?? [], event.actorId, event.at, d.windowEndsAt],
    );
    const supervisors = await q.query<{ id: number }>("SELECT id FROM users WHERE active AND 'supervisor' = ANY(roles) ORDER BY id");
    await notifyUsers(
      q,
      supervisors.rows.map((r) => r.id),
      {
        kind: 'appeal.filed',
        title: tr('appeals.notify.filedTitle', { number: order.number }),
        body: tr('appeals.notify.filedBody', {
          unit: await unitName(q, a.unitId),
          title: order.title,
          kind: tr(`appeals.kind.${d.kind as AppealKind}`),
          reason: d.reason,
        }),
        ...link,
      },
    );
  } else if (event.type === 'appeal_ruled') {
    const { rows } = await q.query<{ unit_id: number; filed_by: number | null }>(
      `UPDATE workorder_appeals SET status = $2, ruled_by = $3, ruled_at = $4, note = $5, right_unit_id = $6
        WHERE workorder_id = $1 AND status = 'pending' RETURNING unit_id, filed_by`,
      [order.id, d.decision, event.actorId, event.at, d.note, d.unitId ?? null],
    );
    const a = rows[0];
    if (!a) return;
    const words = { title: order.title, decision: tr(`appeals.decision.${d.decision as AppealDecision}`), note: d.note };
    const unitPeople = [...(a.filed_by != null ? [a.filed_by] : []), ...(await unitManagerIds(q, a.unit_id))];
    await notifyUsers(q, unitPeople, {
      kind: 'appeal.ruled',
      title: tr('appeals.notify.ruledTitle', { number: order.number }),
      body: tr('appeals.notify.ruledBody', words),
      ...link,
    });
    if (d.unitId != null) {
      await notifyUsers(q, await unitManagerIds(q, d.unitId), {
        kind: 'appeal.moved',
        title: tr('appeals.notify.movedTitle', { number: order.number }),
        body: tr('appeals.notify.movedBody', { title: order.title, unit: await unitName(q, a.unit_id), note: d.note }),
        ...link,
      });
    }
  }
}

/**
 * The order's part of GET /api/v1/workorders/{id}: its latest appeal (the key is there once it
 * has one), and `appeal` / `rule-appeal` among the reader's allowed actions when they may take them
 * now, the same checks the actions make before reading a body.
 */
export async function appealView(q: Queryable, ctx: AppContext, actor: Actor, order: WorkOrder): Promise<Record<string, unknown>> {
  const row = await latestAppeal(q, order.id);
  const extra: Record<string, unknown> = row ? { appeal: await toAppeal(q, row) } : {};
  const mine: string[] = [];
  if (row?.status === 'pending' && hasRole(actor, ...RULERS)) mine.push('rule-appeal');
  if (order.survey && row?.status !== 'pending' && hasRole(actor, ...APPELLANTS)) {
    const checked = await appealRefusal(q, ctx, actor, order);
    if (!(checked instanceof Error) && checked.assessed && checked.assessed.seq !== row?.survey_seq) {
      const ends = await appealWindowEnd(q, ctx, checked.assessed.at);
      if (Date.now() <= ends.getTime()) mine.push('appeal');
    }
  }
  if (mine.length) extra.allowedActions = [...allowedActions(order, actor), ...mine];
  return extra;
}

// --- the list of appeals -------------------------------------------------------------------

export interface AppealListItem extends Appeal {
  id: number;
  workorderId: number;
  number: string;
  title: string;
}

/** Appeals newest first: the center sees all, a unit its own (and, for managers, those below it). */
export async function listAppeals(
  q: Queryable,
  actor: Actor,
  f: { status?: AppealStatus; unitId?: number; limit: number; cursor?: number },
): Promise<{ items: AppealListItem[]; nextCursor: number | null }> {
  const scope = await orderScope(q, actor);
  const params: unknown[] = [];
  const where: string[] = [];
  if (scope !== null) where.push(`a.unit_id = ANY($${params.push(scope)}::int[])`);
  if (f.status) where.push(`a.status = $${params.push(f.status)}`);
  if (f.unitId) where.push(`a.unit_id = $${params.push(f.unitId)}`);
  if (f.cursor) where.push(`a.id < $${params.push(f.cursor)}`);
  const { rows } = await q.query<AppealRow & { number: string; title: string }>(
    `SELECT ${COLUMNS}, w.number, w.title ${FROM} JOIN workorders w ON w.id = a.workorder_id
      ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY a.id DESC LIMIT $${params.push(f.limit + 1)}`,
    params,
  );
  const items: AppealListItem[] = [];
  for (const r of rows.slice(0, f.limit)) items.push({ id: r.id, workorderId: r.workorder_id, number: r.number, title: r.title, ...(await toAppeal(q, r)) });
  return { items, nextCursor: rows.length > f.limit ? items.at(-1)!.id : null };
}
