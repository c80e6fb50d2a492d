// Chinese text handling for the knowledge base: jieba segmentation into
// space-joined tokens (indexed with to_tsvector('simple', …)), query building
// and highlighted snippets.
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

let jieba: Jieba | null = null;
function seg(): Jieba {
  // Loading the dictionary takes ~0.3 s; do it once, on first use.
  return (jieba ??= Jieba.withDict(dict));
}

/** Function words and question words that carry no topic. */
const STOPWORDS = new Set(
  (
    '的 了 吗 呢 啊 吧 么 呀 嘛 哦 是 在 有 和 与 及 或 也 都 就 还 又 把 被 给 对 从 向 到 于 以 而 并 等 个 这 那 之 其 该 ' +
    '我 你 您 他 她 它 我们 你们 他们 自己 怎么 怎样 怎么样 如何 什么 哪些 哪个 哪里 哪儿 多少 为什么 是否 能否 可以 能 会 要 想 请 请问 ' +
    '一下 一个 这个 那个 有没有 没有 不 问 问题 咨询 谢谢 你好 您好 ' +
    // words of every call summary (市民来电反映…希望尽快处理)
    '市民 来电 反映 反应 表示 称 希望 尽快 要求 诉求 情况 目前 现在 相关 部门 处理 解决 帮助 协调'
  ).split(' '),
);

/**
 * Stock phrases: words of how a caller tells any problem rather than what the problem is —
 * when and for how long (好几天, 一直), where in general (小区, 门口), how it feels and what
 * they ask (严重, 怎么办). A query keeps them, but they weigh little in the ranking and are
 * left out of the match (see STOCK_WEIGHT in search.ts), so 「小区门口路灯不亮好几天了」
 * finds the street-light article, not the one about rubbish left for days in an estate.
 */
const STOCK = new Set(
  // when, how often, how long
  (
    '好几 好几天 几天 多天 几个 一天 两天 三天 一周 几周 一个月 半个月 几个月 星期 一个星期 好久 很久 许久 半天 长期 长时间 ' +
    '一直 总是 经常 常常 老是 天天 每天 每晚 每次 多次 反复 屡次 再次 又 还是 今天 昨天 前天 最近 近期 近日 这几天 这段时间 ' +
    '早上 上午 中午 下午 晚上 夜里 夜间 半夜 凌晨 周末 平时 已经 至今 仍然 依然 始终 ' +
    // where, in general
    '小区 门口 家门口 大门口 楼下 楼上 附近 周边 周围 旁边 对面 路边 路口 这里 那里 这边 那边 家里 我家 我们 小区内 ' +
    // how it feels, what the caller asks for
    '严重 非常 特别 十分 很多 太 影响 居民 大家 老人 孩子 出行 生活 休息 睡觉 麻烦 不便 不安全 担心 ' +
    '怎么办 咋办 怎么回事 应该 需要 能不能 可不可以 帮忙 给个 说法 督促 落实 一直没人 没人管 没有人'
  ).split(' '),
);

/** Whether the word is a stock phrase (how a caller tells any problem, not what it is). */
export function isStock(word: string): boolean {
  return STOCK.has(word);
}

const WORD = /[\p{L}\p{N}]/u;
/** Keep letters and digits only, so a token is safe inside a quoted tsquery term. */
const clean = (t: string) => t.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** Plain text of rich-text (HTML) answers. */
export function plainText(s: string): string {
  return s
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Tokens for the index: search-mode segmentation (words and their sub-words). */
export function indexTokens(text: string): string {
  const out: string[] = [];
  for (const t of seg().cutForSearch(plainText(text), true)) {
    const c = clean(t);
    if (c) out.push(c);
  }
  return out.join(' ');
}

/**
 * The query as groups of alternatives: one group per meaningful word, holding the
 * word, its sub-words (search mode) and, added later, its synonyms.
 */
export function queryWords(text: string): string[] {
  const words: string[] = [];
  const seen = new Set<string>();
  for (const t of seg().cut(plainText(text), true)) {
    if (!WORD.test(t)) continue;
    const c = clean(t);
    if (!c || STOPWORDS.has(c) || seen.has(c)) continue;
    seen.add(c);
    words.push(c);
  }
  return words;
}

/**
 * Words jieba's dictionary has across a boundary its segmentation drew next to a single
 * character: 「路灯不亮」 cuts into 路 / 灯不亮, and 路 alone would be dropped, though 路灯 is
 * what the caller is talking about. For each such single character: the dictionary words
 * (two characters or more, longest first) that contain it and reach into its neighbour.
 */
export function joinedWords(text: string): Map<string, string[]> {
  const plain = plainText(text);
  const out = new Map<string, string[]>();
  const cut = seg().cut(plain, true);
  // Where each single-character word of the segmentation starts.
  const singles: { at: number; word: string }[] = [];
  let at = 0;
  for (const t of cut) {
    if (t.length === 1 && WORD.test(t) && !STOPWORDS.has(clean(t))) singles.push({ at, word: clean(t) });
    at += t.length;
  }
  if (singles.length === 0) return out;
  // The dictionary words of the text with where they start (cutAll lists them by start).
  const spans: { at: number; word: string }[] = [];
  let from = 0;
  for (const w of seg().cutAll(plain)) {
    const i = plain.indexOf(w, from);
    if (i < 0) continue;
    from = i;
    if ([...w].length >= 2 && WORD.test(w)) spans.push({ at: i, word: w });
  }
  for (const s of singles) {
    const found = spans
      .filter((w) => w.at <= s.at && s.at < w.at + w.word.length)
      .map((w) => clean(w.word))
      .filter((w) => w && !STOPWORDS.has(w))
      .sort((a, b) => b.length - a.length);
    if (found.length) out.set(s.word, [...new Set([...(out.get(s.word) ?? []), ...found])]);
  }
  return out;
}

/** Sub-words jieba indexes for a word (e.g. 社保卡 → 社保, 社保卡). */
export function subWords(word: string): string[] {
  const out = new Set<string>([word]);
  if (word.length > 2)
    for (const t of seg().cutForSearch(word, true)) {
      const c = clean(t);
      if (c.length >= 2) out.add(c);
    }
  return [...out];
}

export interface QueryPlan {
  /** One group of alternatives per query word. */
  groups: string[][];
  /** Every term, for highlighting. */
  terms: string[];
}

/**
 * A quoted tsquery term, optionally restricted to weights (A: title, B: questions); a term
 * ending in `*` (PREFIX) is a prefix: the word the caller is still typing.
 */
export const quoteTerm = (t: string, weights = '') =>
  t.endsWith(PREFIX) ? `'${t.slice(0, -PREFIX.length)}':*${weights}` : `'${t}'${weights ? ':' + weights : ''}`;
const quote = (t: string) => quoteTerm(t);

/** Marks a query term as a prefix (see quoteTerm). */
export const PREFIX = '*';

/**
 * The word the text ends in, when it ends in the middle of one (no punctuation or space
 * after it): the agent may still be typing it (「如何办理住房公积」).
 */
export function openWord(text: string): string | null {
  const plain = plainText(text);
  if (!WORD.test(plain.slice(-1))) return null;
  const cut = seg().cut(plain, true);
  const last = clean(cut[cut.length - 1] ?? '');
  return last && !STOPWORDS.has(last) ? last : null;
}
const orGroup = (g: string[]) => (g.length === 1 ? quote(g[0]!) : `(${g.map(quote).join(' | ')})`);

/** tsquery text: all groups (AND), or any (OR). Terms are letters/digits only, so quoting is safe. */
export function tsqueryText(groups: string[][], mode: 'and' | 'or'): string {
  if (mode === 'and') return groups.map(orGroup).join(' & ');
  return [...new Set(groups.flat())].map(quote).join(' | ');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Marks the terms in text with <mark>…</mark> (HTML-escaped), longest terms first. */
export function highlight(text: string, terms: string[]): string {
  const ts = [...new Set(terms)].filter((t) => t.length > 0).sort((a, b) => b.length - a.length);
  if (ts.length === 0) return esc(text);
  const re = new RegExp(ts.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'giu');
  let out = '';
  let last = 0;
  for (const m of text.matchAll(re)) {
    out += esc(text.slice(last, m.index)) + '<mark>' + esc(m[0]) + '</mark>';
    last = m.index + m[0].length;
  }
  // Adjacent terms (占 + 道) read better as one mark.
  return (out + esc(text.slice(last))).replaceAll('</mark><mark>', '');
}

/** A window of about `size` characters of the answer around the densest cluster of terms, highlighted. */
export function snippet(text: string, terms: string[], size = 120): string {
  const plain = plainText(text);
  if (plain.length <= size) return highlight(plain, terms);
  const lower = plain.toLowerCase();
  const hits: number[] = [];
  for (const t of terms) {
    if (!t) continue;
    for (let i = lower.indexOf(t); i >= 0 && hits.length < 200; i = lower.indexOf(t, i + t.length)) hits.push(i);
  }
  let start = 0;
  if (hits.length) {
    hits.sort((a, b) => a - b);
    // The window start that covers the most hits.
    let best = 0;
    for (let i = 0, j = 0; i < hits.length; i++) {
      while (hits[j]! < hits[i]! - size + 20) j++;
      if (i - j + 1 > best) {
        best = i - j + 1;
        start = Math.max(0, hits[j]! - 20);
      }
    }
  }
  start = Math.min(start, Math.max(0, plain.length - size));
  const body = plain.slice(start, start + size);
  return (start > 0 ? '…' : '') + highlight(body, terms) + (start + size < plain.length ? '…' : '');
}
