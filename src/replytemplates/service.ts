// Reply templates (常用语): the center's and each unit's, who may change them, and their text
// filled for one order as its reader may see it.
import type { Queryable } from '../db/database.js';
import { hasRole, type Actor, type AppContext } from '../core/context.js';
import { badRequest, forbidden, notFound } from '../core/errors.js';
import { cityDate } from '../core/time.js';
import { getUnit } from '../org/index.js';
import { loadVisible, present } from '../workorders/index.js';
import { PLACEHOLDER_NAMES, fill, salutationOf, unknownPlaceholders } from './render.js';

export const TEMPLATE_SCOPES = ['center', 'unit'] as const;
export type TemplateScope = (typeof TEMPLATE_SCOPES)[number];
/** The boxes a template is offered in: reply, return, a co-unit's part, the follow-up note. */
export const TEMPLATE_KINDS = ['reply', 'return', 'co-reply', 'followup'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
/** Who keeps the center-wide templates. A unit's are kept by its managers. */
export const CENTER_EDITORS = ['admin', 'dispatcher', 'supervisor'] as const;

export interface ReplyTemplate {
  id: number;
  scope: TemplateScope;
  unitId: number | null;
  unitName: string | null;
  title: string;
  body: string;
  kinds: TemplateKind[];
  updatedAt: string;
  /** Whether this reader may change or delete it. */
  editable: boolean;
}

export interface TemplateInput {
  title: string;
  body: string;
  kinds: TemplateKind[];
}

const SELECT = `SELECT t.id, t.scope, t.unit_id, un.name AS unit_name, t.title, t.body, t.kinds, t.updated_at
                  FROM reply_templates t LEFT JOIN units un ON un.id = t.unit_id`;

function mayEdit(actor: Actor, t: { scope: TemplateScope; unitId: number | null }): boolean {
  if (t.scope === 'center') return hasRole(actor, ...CENTER_EDITORS);
  return hasRole(actor, 'unit_manager') && actor.unitId != null && actor.unitId === t.unitId;
}

function checkEdit(actor: Actor, t: { scope: TemplateScope; unitId: number | null }) {
  if (mayEdit(actor, t)) return;
  throw t.scope === 'center' ? forbidden('replytemplates.centerEditors', { roles: [...CENTER_EDITORS] }) : forbidden('replytemplates.ownUnitManager');
}

const toTemplate = (actor: Actor, r: Record<string, any>): ReplyTemplate => {
  const t = { scope: r.scope as TemplateScope, unitId: r.unit_id as number | null };
  return {
    id: r.id,
    ...t,
    unitName: r.unit_name ?? null,
    title: r.title,
    body: r.body,
    kinds: r.kinds,
    updatedAt: new Date(r.updated_at).toISOString(),
    editable: mayEdit(actor, t),
  };
};

/** Trimmed text, placeholders checked: an unknown one is named in the message. */
function cleaned(input: TemplateInput): TemplateInput {
  const unknown = unknownPlaceholders(input.body);
  if (unknown.length) throw badRequest('replytemplates.unknownPlaceholder', { name: unknown[0]!, known: PLACEHOLDER_NAMES.join('、') }, 'body');
  return { title: input.title.trim(), body: input.body.trim(), kinds: [...new Set(input.kinds)] };
}

/** The center-wide templates and those of the reader's unit, optionally only those offered in one box. */
export async function listTemplates(q: Queryable, actor: Actor, f: { kind?: TemplateKind }): Promise<ReplyTemplate[]> {
  const params: unknown[] = [actor.unitId ?? 0];
  const kind = f.kind ? ` AND $${params.push(f.kind)} = ANY(t.kinds)` : '';
  const { rows } = await q.query(`${SELECT} WHERE (t.scope = 'center' OR t.unit_id = $1)${kind} ORDER BY t.scope DESC, t.title, t.id`, params);
  return rows.map((r) => toTemplate(actor, r));
}

/** A template this reader may use: center-wide or of their unit; 404 otherwise, as for a missing one. */
async function loadTemplate(q: Queryable, actor: Actor, id: number, forWrite = false): Promise<ReplyTemplate> {
  const { rows } = await q.query(`${SELECT} WHERE t.id = $1${forWrite ? ' FOR UPDATE OF t' : ''}`, [id]);
  const t = rows[0] && toTemplate(actor, rows[0]);
  // Another unit's template is not shown; changing it is refused as such (403), not hidden.
  if (!t || (!forWrite && t.scope === 'unit' && t.unitId !== actor.unitId)) throw notFound('replyTemplate', id);
  return t;
}

export async function getTemplate(q: Queryable, actor: Actor, id: number): Promise<ReplyTemplate> {
  return loadTemplate(q, actor, id);
}

export async function createTemplate(
  q: Queryable,
  actor: Actor,
  input: TemplateInput & { scope: TemplateScope; unitId?: number | null },
): Promise<ReplyTemplate> {
  let unitId: number | null = null;
  if (input.scope === 'center') {
    if (input.unitId != null) throw badRequest('replytemplates.centerHasNoUnit', {}, 'unitId');
  } else {
    unitId = input.unitId ?? actor.unitId;
    if (unitId == null) throw badRequest('replytemplates.unitRequired', {}, 'unitId');
    await getUnit(q, unitId, 'unitId');
  }
  checkEdit(actor, { scope: input.scope, unitId });
  const c = cleaned(input);
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO reply_templates (scope, unit_id, title, body, kinds, created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
    [input.scope, unitId, c.title, c.body, c.kinds, actor.id],
  );
  return loadTemplate(q, actor, rows[0]!.id, true);
}

export async function updateTemplate(q: Queryable, actor: Actor, id: number, input: TemplateInput): Promise<ReplyTemplate> {
  const t = await loadTemplate(q, actor, id, true);
  checkEdit(actor, t);
  const c = cleaned(input);
  await q.query('UPDATE reply_templates SET title = $2, body = $3, kinds = $4, updated_by = $5, updated_at = now() WHERE id = $1', [
    id,
    c.title,
    c.body,
    c.kinds,
    actor.id,
  ]);
  return loadTemplate(q, actor, id, true);
}

export async function deleteTemplate(q: Queryable, actor: Actor, id: number): Promise<void> {
  const t = await loadTemplate(q, actor, id, true);
  checkEdit(actor, t);
  await q.query('DELETE FROM reply_templates WHERE id = $1', [id]);
}

export interface Rendered {
  templateId: number;
  workorderId: number;
  text: string;
}

/** 2026年3月5日: the day the order was taken, in the city's clock. */
function dayText(at: string, timeZone: string): string {
  const [y, m, d] = cityDate(at, timeZone).split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

/**
 * The template's text for one order the reader may see (404 otherwise, as everywhere). The
 * salutation comes from the name as the masking rules show it to this reader: the name alone
 * goes through `present`, which masks it for roles that do not need it and logs the read for
 * those that do.
 */
export async function renderTemplate(ctx: AppContext, actor: Actor, id: number, workorderId: number): Promise<Rendered> {
  const { db } = ctx;
  const template = await loadTemplate(db, actor, id);
  const order = await loadVisible(db, actor, workorderId);
  const name = order.citizen?.name ?? null;
  let shown: string | null = null;
  if (name) {
    const seen = await present(db, actor, { ...order, citizen: { name, phone: null } }, { reveal: true, purpose: 'reply-templates.render' });
    shown = seen.citizen?.name ?? null;
  }
  let unit = '';
  if (order.mainUnitId != null) {
    const { rows } = await db.query<{ name: string }>('SELECT name FROM units WHERE id = $1', [order.mainUnitId]);
    unit = rows[0]?.name ?? '';
  }
  const text = fill(template.body, {
    salutation: salutationOf(name, shown),
    number: order.number,
    title: order.title,
    unit,
    date: dayText(order.createdAt, ctx.config.timeZone),
  });
  return { templateId: id, workorderId, text };
}
