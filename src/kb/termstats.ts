// Common terms: lexemes found in a large share of the indexed texts, read from the
// planner's statistics of the tsvector column (pg_stats.most_common_elems, filled by
// ANALYZE). A search leaves them out of the match and keeps them for the ranking: a word in
// most articles barely narrows an AND, yet reading its posting list costs most of the search
// (at 100,000 articles, '国家' & '例子' takes 15–35 ms of CPU against 2–3 ms for '例子').
import type { Queryable } from '../db/database.js';
import { isStock } from './text.js';

/** A term in at least this share of the texts is common. */
export const COMMON_SHARE = 0.2;
/** Statistics are re-read at most this often (ANALYZE runs hourly, see routes.ts). */
const TTL_MS = 10 * 60_000;

type Table = 'kb_articles' | 'kb_order_index';

/** What the statistics say of a table's terms: the common ones, and the share of texts each listed term is in. */
export interface TermStats {
  common: Set<string>;
  /** Share of the texts holding the term, for the terms ANALYZE listed (the others are rarer). */
  share: Map<string, number>;
}

const cache = new WeakMap<object, Map<Table, { at: number; stats: TermStats }>>();

export async function termStats(q: Queryable, table: Table): Promise<TermStats> {
  let byTable = cache.get(q);
  if (!byTable) cache.set(q, (byTable = new Map()));
  const hit = byTable.get(table);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.stats;
  const { rows } = await q.query<{ elems: string[] | null; freqs: number[] | null }>(
    `SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs
     FROM pg_stats WHERE schemaname = current_schema() AND tablename = $1 AND attname = 'tsv'`,
    [table],
  );
  const stats: TermStats = { common: new Set(), share: new Map() };
  const { elems, freqs } = rows[0] ?? { elems: null, freqs: null };
  // freqs has one value per element, then the minimum, maximum and null share.
  if (elems && freqs) {
    elems.forEach((e, i) => {
      stats.share.set(e, freqs[i]!);
      if (freqs[i]! >= COMMON_SHARE) stats.common.add(e);
    });
  }
  byTable.set(table, { at: Date.now(), stats });
  return stats;
}

export async function commonTerms(q: Queryable, table: Table): Promise<Set<string>> {
  return (await termStats(q, table)).common;
}

/** A term in this share of the texts or fewer weighs fully in the ranking. */
export const RARE_SHARE = 0.01;
/** The least a term weighs for being frequent. */
const MIN_FREQUENT_WEIGHT = 0.1;

/**
 * How much a query word weighs in the ranking: a stock phrase (text.ts) little, and a word
 * the statistics find in many texts less than a rare one (ln(1/share) against ln(1/RARE_SHARE)).
 */
export function groupWeights(groups: string[][], stats: TermStats): number[] {
  return groups.map((g) => {
    const share = stats.share.get(g[0]!);
    const rarity = share === undefined || share <= RARE_SHARE ? 1 : Math.max(MIN_FREQUENT_WEIGHT, Math.log(1 / share) / Math.log(1 / RARE_SHARE));
    return (isStock(g[0]!) ? STOCK_WEIGHT : g[0]!.length === 1 ? SINGLE_WEIGHT : 1) * rarity;
  });
}

/** What a stock phrase (好几天, 小区, 怎么办) weighs in the ranking against a word of the problem. */
export const STOCK_WEIGHT = 0.15;
/** What a single character (霾, 吃) weighs: it often names the matter, and often is just part of a phrase. */
export const SINGLE_WEIGHT = 0.5;

/** Forget the cached statistics (after ANALYZE). */
export function forgetCommonTerms(q: Queryable) {
  cache.delete(q);
}

/**
 * The query groups worth matching on: the problem's words, without stock phrases (好几天,
 * 小区) and without common terms. When that leaves none, the words without stock phrases;
 * when every word is one, all of them (an AND of common words still narrows).
 */
export function matchGroups(groups: string[][], common: Set<string>): string[][] {
  // A single character (丢, 办) is matched only while there is nothing longer, so it never makes an AND fail alone.
  const long = groups.filter((g) => g[0]!.length > 1);
  const words = long.length ? long : groups;
  const topical = words.filter((g) => !isStock(g[0]!));
  const base = topical.length ? topical : words;
  if (common.size === 0) return base;
  // A common part of a word (路 of 路灯) matches nearly everything: the word is matched without it.
  const narrowed = base.map((g) => g.filter((t, i) => i === 0 || !common.has(t) || !g[0]!.includes(t)));
  const rare = narrowed.filter((g) => !g.some((t) => common.has(t)));
  return rare.length ? rare : base;
}

/** Refresh the statistics the search relies on (PGlite has no autovacuum to do it). */
export async function analyzeKb(q: Queryable) {
  await q.query('ANALYZE kb_articles');
  await q.query('ANALYZE kb_order_index');
  forgetCommonTerms(q);
}
