// Common terms: lexemes found in a large share of the indexed texts, read from the
// planner's statistics of the tsvector column (pg_stats.most_common_elems, filled by
// ANALYZE). A search leaves them out of the match and keeps them for the ranking: a word in
// most articles barely narrows an AND, yet reading its posting list costs most of the search
// (at 100,000 articles, '国家' & '例子' takes 15–35 ms of CPU against 2–3 ms for '例子').
import type { Queryable } from '../db/database.js';

/** A term in at least this share of the texts is common. */
export const COMMON_SHARE = 0.2;
/** Statistics are re-read at most this often (ANALYZE runs hourly, see routes.ts). */
const TTL_MS = 10 * 60_000;

type Table = 'kb_articles' | 'kb_order_index';
const cache = new WeakMap<object, Map<Table, { at: number; terms: Set<string> }>>();

export async function commonTerms(q: Queryable, table: Table): Promise<Set<string>> {
  let byTable = cache.get(q);
  if (!byTable) cache.set(q, (byTable = new Map()));
  const hit = byTable.get(table);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.terms;
  const { rows } = await q.query<{ elems: string[] | null; freqs: number[] | null }>(
    `SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs
     FROM pg_stats WHERE schemaname = current_schema() AND tablename = $1 AND attname = 'tsv'`,
    [table],
  );
  const terms = new Set<string>();
  const { elems, freqs } = rows[0] ?? { elems: null, freqs: null };
  // freqs has one value per element, then the minimum, maximum and null share.
  if (elems && freqs) elems.forEach((e, i) => freqs[i]! >= COMMON_SHARE && terms.add(e));
  byTable.set(table, { at: Date.now(), terms });
  return terms;
}

/** Forget the cached statistics (after ANALYZE). */
export function forgetCommonTerms(q: Queryable) {
  cache.delete(q);
}

/**
 * The query groups worth matching on: those without a common term. When every group has
 * one, all of them (an AND of common words still narrows).
 */
export function matchGroups(groups: string[][], common: Set<string>): string[][] {
  if (common.size === 0) return groups;
  const rare = groups.filter((g) => !g.some((t) => common.has(t)));
  return rare.length ? rare : groups;
}

/** Refresh the statistics the search relies on (PGlite has no autovacuum to do it). */
export async function analyzeKb(q: Queryable) {
  await q.query('ANALYZE kb_articles');
  await q.query('ANALYZE kb_order_index');
  forgetCommonTerms(q);
}
