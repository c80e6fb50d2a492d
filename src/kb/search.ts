// Full-text search of published articles: jieba-segmented query words, each one a
// group of alternatives (the word, its sub-words, its synonyms); all groups must match
// (AND), and when that finds too few, looser stages fill the list (see searchStages). The GIN index on
// kb_articles.tsv does the matching; the ranking prefers title and question-variant hits
// and valid, recently reviewed, often used articles.
import type { Queryable } from '../db/database.js';
import { badRequest } from '../core/errors.js';
import { groupWeights, matchGroups, termStats } from './termstats.js';
import { PREFIX, highlight, joinedWords, openWord, queryWords, quoteTerm, snippet, subWords, tsqueryText, type QueryPlan } from './text.js';

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

/** Query words grouped with their sub-words, their synonyms and, for a lone character, the dictionary word it is part of. */
export async function planQuery(q: Queryable, text: string): Promise<QueryPlan> {
  const words = queryWords(text).slice(0, 16);
  if (words.length === 0) return { groups: [], terms: [] };
  const joined = joinedWords(text);
  const { rows } = await q.query<{ terms: string[] }>('SELECT terms FROM kb_synonyms WHERE terms && $1::text[]', [[...words, ...[...joined.values()].flat()]]);
  const byHead = new Map<string, Set<string>>();
  for (const w of words) {
    // 路 of 路/灯不亮 stands for 路灯 (and still matches a text cut the same way).
    const alts = joined.get(w);
    const head = alts?.[0] ?? w;
    const g = byHead.get(head) ?? new Set<string>();
    for (const t of alts ? [...alts, w] : subWords(w)) g.add(t);
    for (const r of rows) if ([...g].some((t) => r.terms.includes(t))) for (const t of r.terms) g.add(t);
    byHead.set(head, g);
  }
  // A single-character word (丢, 霾) stays for the ranking; matchGroups leaves it out of the match while there is a longer one.
  const groups = [...byHead.entries()].map(([head, g]) => [head, ...[...g].filter((t) => t !== head)]);
  const terms = [...new Set(groups.flat())];
  // The word still being typed also matches as a prefix (公积 → 公积金).
  const open = openWord(text);
  const last = open ? groups.find((g) => g.includes(open)) : undefined;
  if (last && open) last.push(open + PREFIX);
  return { groups, terms };
}

/** Where a query word is found and what that is worth: a tsquery weight filter ('' = anywhere) and its value. */
export interface FieldValue {
  weights: string;
  value: number;
}

/** In an article: its title counts fully, a question variant nearly as much, the answer a little. */
export const ARTICLE_FIELDS: FieldValue[] = [
  { weights: 'A', value: 1 },
  { weights: 'B', value: 0.8 },
  { weights: '', value: 0.3 },
];

/**
 * Relevance in [0, 1]: for each query word, the value of the best field it is found in,
 * weighted by the word's weight (groupWeights: stock phrases and frequent words weigh
 * little), over the sum of the weights. The tsqueries are constants (InitPlans), evaluated
 * once per search, and each test is a lookup in the row's tsvector.
 */
export function relevanceSql(vector: string, groups: string[][], weights: number[], fields: FieldValue[], params: unknown[]): string {
  const total = weights.reduce((a, b) => a + b, 0);
  if (groups.length === 0 || total <= 0) return '0';
  const terms = groups.map((g, i) => {
    // The word itself or a synonym counts fully; a part of it (注意 of 注意事项, 路 of 路灯) less.
    const head = g[0]!;
    const whole = g.filter((t) => t === head || !head.includes(t));
    const part = g.filter((t) => t !== head && head.includes(t));
    const tests = fields.flatMap((f) => [
      { terms: whole, weights: f.weights, value: f.value },
      ...(part.length ? [{ terms: part, weights: f.weights, value: f.value * PART_VALUE }] : []),
    ]);
    tests.sort((a, b) => b.value - a.value);
    const cases = tests
      .map((c) => `WHEN ${vector} @@ (SELECT to_tsquery('simple', $${params.push(c.terms.map((t) => quoteTerm(t, c.weights)).join(' | '))})) THEN ${c.value}`)
      .join(' ');
    return `(CASE ${cases} ELSE 0 END) * ${(weights[i]! / total).toFixed(6)}`;
  });
  return `(${terms.join(' + ')})`;
}

/** What finding only a part of a query word is worth against finding the word. */
const PART_VALUE = 0.6;

/**
 * A short title that the query covers beats a long one that merely contains it
 * (遇到交通事故我该怎么办 before 遇到铁路交通事故我该怎么办): a gentle factor in the title's length.
 */
export const titleLengthSql = (title: string) => `(1 / (1 + 0.1 * ln(1 + char_length(${title}) / 10.0)))`;

/** Ranking: the relevance, by the title's length, then validity, review and use boosts; ts_rank (D,C,B,A = answer is C, questions B, title A) breaks ties. */
export const SCORE_SQL = (qParam: string, relevance = '0') => `(${relevance} * ${titleLengthSql('a.title')}
    + 0.02 * ts_rank('{0.05, 0.2, 0.6, 1.0}', a.tsv, ${qParam}, 1))
  * (CASE WHEN (a.valid_from IS NULL OR a.valid_from <= current_date) AND (a.valid_until IS NULL OR a.valid_until >= current_date) THEN 1 ELSE 0.3 END)
  * (CASE WHEN a.review_due IS NULL OR a.review_due >= current_date THEN 1 ELSE 0.8 END)
  * (1 + 0.05 * ln(1 + a.use_count + a.helpful_count))
  * (CASE WHEN a.unhelpful_count > a.helpful_count THEN 0.9 ELSE 1 END)`;

/**
 * Matches gathered before the best are chosen: the stages fill a pool of this many, each
 * stage's pre-ranked by ts_rank, and the pool is ranked as one by relevance, so a title that
 * holds most of the words beats an answer that holds them all, and the relevance (a few
 * lookups per query word) is computed for the pool only.
 */
export const POOL = 50;

const HIT_COLUMNS = `a.id, a.title, a.answer, a.category_code AS "categoryCode", a.owner_unit_id AS "ownerUnitId",
  ((a.valid_from IS NULL OR a.valid_from <= current_date) AND (a.valid_until IS NULL OR a.valid_until >= current_date)) AS valid,
  (a.review_due IS NOT NULL AND a.review_due < current_date) AS "reviewOverdue",
  a.use_count AS "useCount", a.helpful_count AS "helpfulCount"`;

/**
 * At most this many matching articles are ranked in one stage. Ranking every match of a
 * query made of very common words costs ~0.02–0.05 ms per match at 100,000 articles; beyond
 * the cap the first matches found (in index order) are ranked.
 */
export const CANDIDATES = 500;
/** The cap of the fallback stages, which only fill the list after the AND matches. */
export const FALLBACK_CANDIDATES = 200;

/**
 * The stages of a search, best matches first; each one runs only while the list is short:
 * every query word (AND); all but one of them (3–8 words); any word in the head (an
 * article's title and question variants, an order's title: a small index of its own); any
 * word anywhere. Later stages are cheaper to skip than to run: a common word is in
 * thousands of answers. The groups are those worth matching on (see matchGroups); the
 * ranking still weighs every query word.
 */
export function searchStages(groups: string[][]): { match: string; head: boolean; cap: number; mode: 'and' | 'or' }[] {
  const stages: ReturnType<typeof searchStages> = [{ match: tsqueryText(groups, 'and'), head: false, cap: CANDIDATES, mode: 'and' }];
  if (groups.length < 2) return stages;
  if (groups.length >= 3 && groups.length <= 8) {
    const allButOne = groups
      .map(
        (_, skip) =>
          `(${tsqueryText(
            groups.filter((_, i) => i !== skip),
            'and',
          )})`,
      )
      .join(' | ');
    stages.push({ match: allButOne, head: false, cap: FALLBACK_CANDIDATES, mode: 'or' });
  }
  const orq = tsqueryText(groups, 'or');
  stages.push({ match: orq, head: true, cap: FALLBACK_CANDIDATES, mode: 'or' }, { match: orq, head: false, cap: FALLBACK_CANDIDATES, mode: 'or' });
  return stages;
}

export type SearchStage = ReturnType<typeof searchStages>[number];

/**
 * The WHERE condition of each stage: its match, and not the match of any earlier stage (so no
 * row comes twice). The stages run as the branches of one UNION ALL under a LIMIT: PostgreSQL
 * executes the branches in order and stops once the list is full, so a stage that is not
 * needed costs nothing, not even a round trip.
 */
export function stageConditions(stages: SearchStage[], params: unknown[], vector: (head: boolean) => string): string[] {
  const match = stages.map((s) => `to_tsquery('simple', $${params.push(s.match)})`);
  return stages.map((s, i) =>
    [`${vector(s.head)} @@ ${match[i]}`, ...stages.slice(0, i).map((e, j) => `NOT (${vector(e.head)} @@ ${match[j]})`)].join(' AND '),
  );
}

type Row = Omit<SearchHit, 'titleHighlighted' | 'snippet'> & { stage?: number };

// The head expression must read exactly as in the index (0041_kb_head_index.sql) for the planner to use it.
const articleVector = (head: boolean) => (head ? `ts_filter(a.tsv, '{a,b}')` : 'a.tsv');

export async function searchArticles(
  q: Queryable,
  text: string,
  opts: { limit?: number; categoryCode?: string; plan?: QueryPlan } = {},
): Promise<SearchResult> {
  const limit = opts.limit ?? 10;
  if (!text.trim()) throw badRequest('validation.required', { field: 'q' }, 'q');
  const plan = opts.plan ?? (await planQuery(q, text));
  if (plan.groups.length === 0) return { q: text, mode: 'none', terms: [], items: [] };
  const stats = await termStats(q, 'kb_articles');
  const stages = searchStages(matchGroups(plan.groups, stats.common));
  const pool = Math.max(limit, POOL);
  const params: unknown[] = [tsqueryText(plan.groups, 'or'), pool, limit];
  const category = opts.categoryCode ? `AND a.category_code = $${params.push(opts.categoryCode)}` : '';
  const relevance = relevanceSql('a.tsv', plan.groups, groupWeights(plan.groups, stats), ARTICLE_FIELDS, params);
  // Each stage pre-ranks its matches by ts_rank (cheap) into the pool; the pool is ranked as one by relevance.
  const branches = stageConditions(stages, params, articleVector).map(
    (where, i) => `(SELECT a.*, ${SCORE_SQL("to_tsquery('simple', $1)")} AS pre, ${i} AS stage
     FROM (SELECT * FROM kb_articles a WHERE ${where} AND a.status = 'published' ${category} LIMIT ${stages[i]!.cap}) a
     ORDER BY pre DESC, a.id LIMIT $2)`,
  );
  const { rows } = await q.query<Row>(
    `SELECT ${HIT_COLUMNS}, ${SCORE_SQL("to_tsquery('simple', $1)", relevance)}::float8 AS score, a.stage
     FROM (SELECT * FROM (${branches.join('\nUNION ALL\n')}) s LIMIT $2) a
     ORDER BY score DESC, a.stage, a.id LIMIT $3`,
    params,
  );
  const mode: SearchResult['mode'] = rows.length === 0 ? 'none' : stages[rows[0]!.stage!]!.mode;
  for (const r of rows) delete r.stage;
  return {
    q: text,
    mode,
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
  if (clean.length < 2) throw badRequest('kb.synonymsTwoTerms', {}, 'terms');
  const { rows } = await q.query<SynonymGroup>('INSERT INTO kb_synonyms (terms, created_by) VALUES ($1, $2) RETURNING id, terms', [clean, actorId]);
  return rows[0]!;
}

export async function deleteSynonyms(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM kb_synonyms WHERE id = $1', [id])).rowCount > 0;
}
