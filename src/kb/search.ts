// Full-text search of published articles: jieba-segmented query words, each one a
// group of alternatives (the word, its sub-words, its synonyms); all groups must match
// (AND), and when that finds too few, any may (OR) to fill the list. The GIN index on
// kb_articles.tsv does the matching; the ranking prefers title and question-variant hits
// and valid, recently reviewed, often used articles.
import type { Queryable } from '../db/database.js';
import { badRequest } from '../http/errors.js';
import { highlight, queryWords, snippet, subWords, tsqueryText, type QueryPlan } from './text.js';

export interface SearchHit {
  id: number;
  title: string;
  titleHighlighted: string;
  snippet: string;
  answer: string;
  categoryCode: string | null;
  ownerUnitId: number;
  valid: boolean;
  reviewOverdue: boolean;
  useCount: number;
  helpfulCount: number;
  score: number;
}

export interface SearchResult {
  q: string;
  mode: 'and' | 'or' | 'none';
  terms: string[];
  items: SearchHit[];
}

/** Query words grouped with their sub-words and synonyms. */
export async function planQuery(q: Queryable, text: string): Promise<QueryPlan> {
  const words = queryWords(text).slice(0, 16);
  if (words.length === 0) return { groups: [], terms: [] };
  const { rows } = await q.query<{ terms: string[] }>('SELECT terms FROM kb_synonyms WHERE terms && $1::text[]', [words]);
  const groups = words.map((w) => {
    const g = new Set(subWords(w));
    for (const r of rows) if (r.terms.includes(w)) for (const t of r.terms) g.add(t);
    return [...g];
  });
  // A single-character word (丢, 办) is kept only while there is nothing better, so it never makes AND fail alone.
  const strong = groups.filter((g) => g[0]!.length > 1);
  return { groups: strong.length ? strong : groups, terms: [...new Set(groups.flat())] };
}

/** Ranking: weighted ts_rank (D,C,B,A = answer is C, questions B, title A) times validity, review and use boosts. */
export const SCORE_SQL = (qParam: string) => `ts_rank('{0.05, 0.2, 0.6, 1.0}', a.tsv, ${qParam}, 1)
  * (CASE WHEN (a.valid_from IS NULL OR a.valid_from <= current_date) AND (a.valid_until IS NULL OR a.valid_until >= current_date) THEN 1 ELSE 0.3 END)
  * (CASE WHEN a.review_due IS NULL OR a.review_due >= current_date THEN 1 ELSE 0.8 END)
  * (1 + 0.05 * ln(1 + a.use_count + a.helpful_count))
  * (CASE WHEN a.unhelpful_count > a.helpful_count THEN 0.9 ELSE 1 END)`;

const HIT_COLUMNS = `a.id, a.title, a.answer, a.category_code AS "categoryCode", a.owner_unit_id AS "ownerUnitId",
  ((a.valid_from IS NULL OR a.valid_from <= current_date) AND (a.valid_until IS NULL OR a.valid_until >= current_date)) AS valid,
  (a.review_due IS NOT NULL AND a.review_due < current_date) AS "reviewOverdue",
  a.use_count AS "useCount", a.helpful_count AS "helpfulCount"`;

/**
 * At most this many matching articles are ranked. Ranking every match of a query made of
 * very common words costs ~0.05 ms per match (100 ms for 2,000) at 100,000 articles; beyond the cap
 * the first matches found (in index order) are ranked. AND matches are ranked before OR ones.
 */
export const CANDIDATES = 500;

type Row = Omit<SearchHit, 'titleHighlighted' | 'snippet'>;

async function run(q: Queryable, match: string, rank: string, limit: number, categoryCode?: string, exclude: number[] = []): Promise<Row[]> {
  const params: unknown[] = [match, rank, limit];
  const { rows } = await q.query<Row>(
    `SELECT ${HIT_COLUMNS}, ${SCORE_SQL('to_tsquery(\'simple\', $2)')}::float8 AS score
     FROM (SELECT * FROM kb_articles a
           WHERE a.tsv @@ to_tsquery('simple', $1) AND a.status = 'published'
             ${categoryCode ? `AND a.category_code = $${params.push(categoryCode)}` : ''}
             ${exclude.length ? `AND a.id <> ALL($${params.push(exclude)}::int[])` : ''}
           LIMIT ${CANDIDATES}) a
     ORDER BY score DESC, a.id
     LIMIT $3`,
    params,
  );
  return rows;
}

export async function searchArticles(q: Queryable, text: string, opts: { limit?: number; categoryCode?: string; plan?: QueryPlan } = {}): Promise<SearchResult> {
  const limit = opts.limit ?? 10;
  if (!text.trim()) throw badRequest('q: 请输入检索词 (empty query)', 'q');
  const plan = opts.plan ?? (await planQuery(q, text));
  if (plan.groups.length === 0) return { q: text, mode: 'none', terms: [], items: [] };
  const orq = tsqueryText(plan.groups, 'or');
  let rows = await run(q, tsqueryText(plan.groups, 'and'), orq, limit, opts.categoryCode);
  let mode: SearchResult['mode'] = 'and';
  if (rows.length < limit && plan.groups.length > 1) {
    const more = await run(q, orq, orq, limit - rows.length, opts.categoryCode, rows.map((r) => r.id));
    if (rows.length === 0) mode = 'or';
    rows = [...rows, ...more];
  }
  return {
    q: text,
    mode: rows.length ? mode : 'none',
    terms: plan.terms,
    items: rows.map((r) => ({
      ...r,
      score: Math.round(r.score * 1e6) / 1e6,
      titleHighlighted: highlight(r.title, plan.terms),
      snippet: snippet(r.answer, plan.terms),
    })),
  };
}

// Synonym groups (admins).
export interface SynonymGroup {
  id: number;
  terms: string[];
}

export async function listSynonyms(q: Queryable): Promise<SynonymGroup[]> {
  return (await q.query<SynonymGroup>('SELECT id, terms FROM kb_synonyms ORDER BY id')).rows;
}

export async function addSynonyms(q: Queryable, actorId: number, terms: string[]): Promise<SynonymGroup> {
  const clean = [...new Set(terms.map((t) => t.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')).filter(Boolean))];
  if (clean.length < 2) throw badRequest('同义词组至少需要两个不同的词 (a synonym group needs at least two distinct terms of letters or digits)', 'terms');
  const { rows } = await q.query<SynonymGroup>('INSERT INTO kb_synonyms (terms, created_by) VALUES ($1, $2) RETURNING id, terms', [clean, actorId]);
  return rows[0]!;
}

export async function deleteSynonyms(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM kb_synonyms WHERE id = $1', [id])).rowCount > 0;
}
