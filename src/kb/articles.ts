// Knowledge-base articles and their versions.
//
// Who does what (no new role: the center's editors are existing roles):
// - the center's editors are `admin` and `dispatcher`: they create, publish, reject and retire;
// - users of the owner unit (`handler`, `unit_manager`) create drafts for their unit and
//   propose changes (draft versions) to their unit's articles; they cannot publish;
// - every staff member reads articles and searches the published ones.
// The article row holds the content of its current version (the published one once
// there is one); each proposal is a full snapshot in kb_article_versions.
import type { Queryable } from '../db/database.js';
import type { Actor } from '../core/context.js';
import { hasRole } from '../core/context.js';
import { badRequest, conflict, forbidden, notFound } from '../core/errors.js';
import { indexTokens } from './text.js';

export const ARTICLE_STATUSES = ['draft', 'published', 'retired'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];
export const CENTER_EDITORS = ['admin', 'dispatcher'] as const;
export const OWNER_ROLES = ['handler', 'unit_manager'] as const;

export interface Content {
  title: string;
  questions: string[];
  answer: string;
  categoryCode: string | null;
  validFrom: string | null;
  validUntil: string | null;
  reviewDate: string | null;
}
const CONTENT_FIELDS = ['title', 'questions', 'answer', 'categoryCode', 'validFrom', 'validUntil', 'reviewDate'] as const;

export interface Article extends Content {
  id: number;
  ownerUnitId: number;
  status: ArticleStatus;
  version: number;
  lastVersion: number;
  reviewedAt: string | null;
  useCount: number;
  helpfulCount: number;
  unhelpfulCount: number;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

export const ARTICLE_COLUMNS = `a.id, a.title, a.questions, a.answer, a.category_code AS "categoryCode", a.owner_unit_id AS "ownerUnitId",
  to_char(a.valid_from, 'YYYY-MM-DD') AS "validFrom", to_char(a.valid_until, 'YYYY-MM-DD') AS "validUntil",
  to_char(a.review_due, 'YYYY-MM-DD') AS "reviewDate", a.reviewed_at AS "reviewedAt", a.status, a.version,
  a.last_version AS "lastVersion", a.use_count AS "useCount", a.helpful_count AS "helpfulCount",
  a.unhelpful_count AS "unhelpfulCount", a.created_at AS "createdAt", a.updated_at AS "updatedAt", a.published_at AS "publishedAt"`;

/** SQL for the weighted tsvector from three segmented texts ($n, $n+1, $n+2). */
export const tsvSql = (n: number) =>
  `setweight(to_tsvector('simple', $${n}), 'A') || setweight(to_tsvector('simple', $${n + 1}), 'B') || setweight(to_tsvector('simple', $${n + 2}), 'C')`;

/** The three segmented texts of an article's content. */
export function segmented(c: Pick<Content, 'title' | 'questions' | 'answer'>): [string, string, string] {
  return [indexTokens(c.title), indexTokens(c.questions.join('\n')), indexTokens(c.answer)];
}

export const isCenterEditor = (a: Actor) => hasRole(a, ...CENTER_EDITORS);
const isOwner = (a: Actor, ownerUnitId: number) => a.unitId === ownerUnitId && hasRole(a, ...OWNER_ROLES);

function normalise(c: Content): Content {
  const questions = [...new Set(c.questions.map((q) => q.trim()).filter(Boolean))];
  if (c.validFrom && c.validUntil && c.validUntil < c.validFrom) throw badRequest('kb.validUntilBeforeFrom', {}, 'validUntil');
  return { ...c, title: c.title.trim(), answer: c.answer.trim(), questions };
}

const addYear = () => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
};

export interface CreateArticleInput extends Partial<Omit<Content, 'title' | 'answer'>> {
  title: string;
  answer: string;
  ownerUnitId?: number;
  note?: string;
  publish?: boolean;
}

export async function createArticle(q: Queryable, actor: Actor, input: CreateArticleInput): Promise<Article> {
  const center = isCenterEditor(actor);
  if (!center && !hasRole(actor, ...OWNER_ROLES)) throw forbidden('auth.requiresRole', { roles: ['admin', 'dispatcher', 'handler', 'unit_manager'] });
  const ownerUnitId = input.ownerUnitId ?? (center ? undefined : (actor.unitId ?? undefined));
  if (ownerUnitId == null) throw badRequest('validation.required', { field: 'ownerUnitId' }, 'ownerUnitId');
  if (!center && ownerUnitId !== actor.unitId) throw forbidden('kb.ownUnitOnly');
  if (input.publish && !center) throw forbidden('kb.centerPublishes');
  const unit = await q.query('SELECT 1 FROM units WHERE id = $1', [ownerUnitId]);
  if (unit.rowCount === 0) throw badRequest('org.unitMissing', { id: ownerUnitId }, 'ownerUnitId');
  const c = normalise({
    title: input.title,
    questions: input.questions ?? [],
    answer: input.answer,
    categoryCode: input.categoryCode ?? null,
    validFrom: input.validFrom ?? null,
    validUntil: input.validUntil ?? null,
    reviewDate: input.reviewDate ?? null,
  });
  const publish = !!input.publish;
  const reviewDate = publish ? (c.reviewDate ?? addYear()) : c.reviewDate;
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO kb_articles (title, questions, answer, category_code, owner_unit_id, valid_from, valid_until, review_due, reviewed_at,
       status, version, last_version, tsv, created_by, published_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9::boolean THEN now() END, $10, 1, 1, ${tsvSql(11)}, $14,
       CASE WHEN $9::boolean THEN now() END)
     RETURNING id`,
    [
      c.title,
      c.questions,
      c.answer,
      c.categoryCode,
      ownerUnitId,
      c.validFrom,
      c.validUntil,
      reviewDate,
      publish,
      publish ? 'published' : 'draft',
      ...segmented(c),
      actor.id,
    ],
  );
  const id = rows[0]!.id;
  await q.query(
    `INSERT INTO kb_article_versions (article_id, version, state, content, changed_fields, note, created_by, decided_by, decided_at)
     VALUES ($1, 1, $2, $3, $4, $5, $6, $7, CASE WHEN $7::int IS NOT NULL THEN now() END)`,
    [id, publish ? 'published' : 'draft', JSON.stringify({ ...c, reviewDate }), [...CONTENT_FIELDS], input.note ?? null, actor.id, publish ? actor.id : null],
  );
  return getArticle(q, id);
}

export async function getArticle(q: Queryable, id: number): Promise<Article> {
  const { rows } = await q.query<Article>(`SELECT ${ARTICLE_COLUMNS} FROM kb_articles a WHERE a.id = $1`, [id]);
  if (!rows[0]) throw notFound('article', id);
  return rows[0];
}

async function lockArticle(q: Queryable, id: number): Promise<Article> {
  const { rows } = await q.query<Article>(`SELECT ${ARTICLE_COLUMNS} FROM kb_articles a WHERE a.id = $1 FOR UPDATE`, [id]);
  if (!rows[0]) throw notFound('article', id);
  return rows[0];
}

export async function listArticles(
  q: Queryable,
  f: { status?: ArticleStatus; ownerUnitId?: number; categoryCode?: string; limit: number; offset: number },
): Promise<{ items: Article[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.status) where.push(`a.status = $${params.push(f.status)}`);
  if (f.ownerUnitId) where.push(`a.owner_unit_id = $${params.push(f.ownerUnitId)}`);
  if (f.categoryCode) where.push(`a.category_code = $${params.push(f.categoryCode)}`);
  const w = where.length ? 'WHERE ' + where.join(' AND ') : '';
  const total = (await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM kb_articles a ${w}`, params)).rows[0]!.n;
  const { rows } = await q.query<Article>(
    `SELECT ${ARTICLE_COLUMNS} FROM kb_articles a ${w} ORDER BY a.id LIMIT $${params.push(f.limit)} OFFSET $${params.push(f.offset)}`,
    params,
  );
  return { items: rows, total };
}

export interface Version {
  version: number;
  state: 'draft' | 'published' | 'superseded' | 'rejected';
  content: Content;
  changedFields: string[];
  note: string | null;
  createdBy: number | null;
  createdByName: string | null;
  createdAt: string;
  decidedBy: number | null;
  decidedAt: string | null;
}

export async function listVersions(q: Queryable, id: number): Promise<Version[]> {
  await getArticle(q, id);
  const { rows } = await q.query<Version>(
    `SELECT v.version, v.state, v.content, v.changed_fields AS "changedFields", v.note, v.created_by AS "createdBy",
            u.display_name AS "createdByName", v.created_at AS "createdAt", v.decided_by AS "decidedBy", v.decided_at AS "decidedAt"
     FROM kb_article_versions v LEFT JOIN users u ON u.id = v.created_by
     WHERE v.article_id = $1 ORDER BY v.version`,
    [id],
  );
  return rows;
}

/** Proposes a change: a new draft version built on the latest non-rejected version. */
export async function proposeChange(q: Queryable, actor: Actor, id: number, patch: Partial<Content> & { note?: string }): Promise<Version> {
  const a = await lockArticle(q, id);
  if (!isCenterEditor(actor) && !isOwner(actor, a.ownerUnitId)) throw forbidden('kb.ownerOrCenterChanges');
  const { rows: base } = await q.query<{ content: Content }>(
    `SELECT content FROM kb_article_versions WHERE article_id = $1 AND state <> 'rejected' ORDER BY version DESC LIMIT 1`,
    [id],
  );
  const prev = base[0]!.content;
  const next = normalise({ ...prev, ...Object.fromEntries(CONTENT_FIELDS.filter((f) => patch[f] !== undefined).map((f) => [f, patch[f]])) });
  const changed = CONTENT_FIELDS.filter((f) => JSON.stringify(next[f]) !== JSON.stringify(prev[f]));
  if (changed.length === 0) throw badRequest('kb.nothingChanged');
  const version = a.lastVersion + 1;
  await q.query(
    `INSERT INTO kb_article_versions (article_id, version, state, content, changed_fields, note, created_by) VALUES ($1, $2, 'draft', $3, $4, $5, $6)`,
    [id, version, JSON.stringify(next), changed, patch.note ?? null, actor.id],
  );
  await q.query('UPDATE kb_articles SET last_version = $2, updated_at = now() WHERE id = $1', [id, version]);
  return (await listVersions(q, id)).find((v) => v.version === version)!;
}

/** Publishes a draft version (the latest draft when none is named): its content becomes the article's. */
export async function publishVersion(q: Queryable, actor: Actor, id: number, version?: number): Promise<Article> {
  if (!isCenterEditor(actor)) throw forbidden('kb.centerPublishes');
  await lockArticle(q, id);
  const { rows } = await q.query<{ version: number; state: string; content: Content }>(
    version === undefined
      ? `SELECT version, state, content FROM kb_article_versions WHERE article_id = $1 AND state = 'draft' ORDER BY version DESC LIMIT 1`
      : `SELECT version, state, content FROM kb_article_versions WHERE article_id = $1 AND version = $2`,
    version === undefined ? [id] : [id, version],
  );
  const v = rows[0];
  if (!v) throw version === undefined ? conflict('nothing_to_publish', 'kb.nothingToPublish') : notFound('articleVersion', version);
  if (v.state !== 'draft') throw conflict('invalid_transition', 'kb.notDraft', { version: v.version, status: v.state });
  const c = v.content;
  const reviewDate = c.reviewDate ?? addYear();
  await q.query(`UPDATE kb_article_versions SET state = 'superseded' WHERE article_id = $1 AND state = 'published'`, [id]);
  await q.query(`UPDATE kb_article_versions SET state = 'published', decided_by = $3, decided_at = now() WHERE article_id = $1 AND version = $2`, [
    id,
    v.version,
    actor.id,
  ]);
  await q.query(
    `UPDATE kb_articles SET title = $2, questions = $3, answer = $4, category_code = $5, valid_from = $6, valid_until = $7,
       review_due = $8, reviewed_at = now(), status = 'published', version = $9, tsv = ${tsvSql(10)},
       published_at = now(), updated_at = now()
     WHERE id = $1`,
    [id, c.title, c.questions, c.answer, c.categoryCode, c.validFrom, c.validUntil, reviewDate, v.version, ...segmented(c)],
  );
  return getArticle(q, id);
}

export async function rejectVersion(q: Queryable, actor: Actor, id: number, version: number, note?: string): Promise<Version> {
  if (!isCenterEditor(actor)) throw forbidden('kb.centerRejects');
  await lockArticle(q, id);
  const { rows } = await q.query<{ state: string }>('SELECT state FROM kb_article_versions WHERE article_id = $1 AND version = $2', [id, version]);
  if (!rows[0]) throw notFound('articleVersion', version);
  if (rows[0].state !== 'draft') throw conflict('invalid_transition', 'kb.notDraft', { version, status: rows[0].state });
  await q.query(
    `UPDATE kb_article_versions SET state = 'rejected', decided_by = $3, decided_at = now(), note = COALESCE($4, note) WHERE article_id = $1 AND version = $2`,
    [id, version, actor.id, note ?? null],
  );
  return (await listVersions(q, id)).find((v) => v.version === version)!;
}

export async function retireArticle(q: Queryable, actor: Actor, id: number): Promise<Article> {
  if (!isCenterEditor(actor)) throw forbidden('kb.centerRetires');
  const a = await lockArticle(q, id);
  if (a.status === 'retired') throw conflict('invalid_transition', 'kb.alreadyRetired');
  await q.query(`UPDATE kb_articles SET status = 'retired', updated_at = now() WHERE id = $1`, [id]);
  return getArticle(q, id);
}

/** The owner (or the center) confirms the article is still right; the next review is due on reviewDate (default: in a year). */
export async function markReviewed(q: Queryable, actor: Actor, id: number, reviewDate?: string): Promise<Article> {
  const a = await lockArticle(q, id);
  if (!isCenterEditor(actor) && !isOwner(actor, a.ownerUnitId)) throw forbidden('kb.ownerOrCenterReviews');
  if (a.status !== 'published') throw conflict('invalid_transition', 'kb.reviewPublishedOnly', { status: a.status });
  const due = reviewDate ?? addYear();
  if (due <= new Date().toISOString().slice(0, 10)) throw badRequest('kb.reviewDateFuture', {}, 'reviewDate');
  await q.query('UPDATE kb_articles SET reviewed_at = now(), review_due = $2, updated_at = now() WHERE id = $1', [id, due]);
  return getArticle(q, id);
}

/** An agent answered with the article (直接答复); helpful is the caller's feedback when known. */
export async function recordUse(q: Queryable, actor: Actor, id: number, body: { contactId?: number; helpful?: boolean }) {
  const a = await lockArticle(q, id);
  if (a.status !== 'published') throw conflict('invalid_transition', 'kb.usePublishedOnly', { status: a.status });
  const { rows } = await q.query<{ id: number; at: string }>(
    'INSERT INTO kb_article_uses (article_id, user_id, contact_id, helpful) VALUES ($1, $2, $3, $4) RETURNING id, at',
    [id, actor.id, body.contactId ?? null, body.helpful ?? null],
  );
  const c = await q.query<{ useCount: number; helpfulCount: number; unhelpfulCount: number }>(
    `UPDATE kb_articles SET use_count = use_count + 1,
       helpful_count = helpful_count + CASE WHEN $2::boolean THEN 1 ELSE 0 END,
       unhelpful_count = unhelpful_count + CASE WHEN NOT $2::boolean THEN 1 ELSE 0 END
     WHERE id = $1 RETURNING use_count AS "useCount", helpful_count AS "helpfulCount", unhelpful_count AS "unhelpfulCount"`,
    [id, body.helpful ?? null],
  );
  return { id: rows[0]!.id, articleId: id, contactId: body.contactId ?? null, helpful: body.helpful ?? null, at: rows[0]!.at, ...c.rows[0]! };
}

/** Published articles past their review date, for the caller's unit (the center may ask for any unit, or all). */
export async function reviewDue(q: Queryable, actor: Actor, unitId?: number): Promise<Article[]> {
  const center = hasRole(actor, 'admin', 'dispatcher', 'supervisor');
  if (!center) {
    if (actor.unitId == null) throw forbidden('auth.noUnit');
    if (unitId !== undefined && unitId !== actor.unitId) throw forbidden('auth.ownUnitOnly');
    unitId = actor.unitId;
  }
  const params: unknown[] = [];
  const { rows } = await q.query<Article>(
    `SELECT ${ARTICLE_COLUMNS} FROM kb_articles a
     WHERE a.status = 'published' AND a.review_due < current_date ${unitId !== undefined ? `AND a.owner_unit_id = $${params.push(unitId)}` : ''}
     ORDER BY a.review_due, a.id LIMIT 500`,
    params,
  );
  return rows;
}
