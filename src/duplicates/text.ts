// Text signatures for near-duplicate search: jieba tokens without stop words, a MinHash
// of the token set and LSH band keys. Pure functions, shared by the index, the hot-topic
// clustering and the benchmark.
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

let jieba: Jieba | null = null;
const cutter = () => (jieba ??= Jieba.withDict(dict));

/** Words that say nothing about which problem a message is about (function words, politeness, hotline boilerplate). */
const STOP = new Set(
  (
    '的 了 是 在 我 我们 你 你们 您 他 他们 她 它 和 与 及 或 也 都 就 还 又 很 非常 太 这 那 这个 那个 这些 那些 这里 那里 这样 ' +
    '有 没有 没 不 被 把 对 从 到 给 让 向 请 请问 您好 你好 谢谢 感谢 希望 反映 问题 相关 部门 有关 政府 领导 尽快 处理 解决 ' +
    '一下 一个 什么 怎么 怎么办 如何 为什么 是否 可以 能 能否 已经 目前 现在 因为 所以 但是 但 而且 并且 如果 以及 等 等等 ' +
    '年 月 日 号 个 啊 吗 呢 吧 呀 哦 嗯 之 其 此 为 以 于 而 着 过 要 会 想 说 去 来 上 下 中 里 后 前 时 时候 ' +
    '市民 来电 来信 咨询 投诉 举报 建议 情况 相关部门 尊敬 一直 多次 每天 进行 造成 导致 存在 予以 帮助 麻烦 ' +
    '请求 要求 给予 我家 本人 自己 大家 他人 人 事 事情 各位 万分 急 紧急 及时 查处 督促 核实 回复 答复 谢 ' +
    '一 二 两 三 几 多 少 些 该 每 各 同 即 则 再 才 只 已 将 由 经 得 地 着 所 们 者 并 且 若 因 虽 如 比 跟 及其 ' +
    '第 次 求助 表扬 街道 社区 居民 很大 未 附近 一带 周边 地方 位于 那边 这边 具体 相关单位 有关部门 工作人员 单位 情况下 时间 今天 昨天 最近 近期 长期 经常'
  ).split(/\s+/),
);

const URL = /(?:https?:\/\/|www\.)[^\s，。；、）)]+/giu;
const HAS_WORD = /[\p{Script=Han}A-Za-z]/u;
const PURE_ASCII_NUM = /^[A-Za-z]?\d+[A-Za-z]?$/;

/** Distinct meaningful tokens of a text, in first-seen order (at most `max`). */
export function tokenize(text: string, max = 200): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  // Links are boilerplate (a petition site's thread URLs share a dozen "words" whatever the problem).
  for (const raw of cutter().cut(text.replace(URL, ' '), true)) {
    const t = raw.trim().toLowerCase();
    if (!t || !HAS_WORD.test(t) || PURE_ASCII_NUM.test(t) || STOP.has(t) || seen.has(t)) continue;
    seen.add(t);
    out.push(t);
    if (out.length >= max) break;
  }
  return out;
}

/** MinHash length and LSH banding: 20 bands of 3 rows (a pair is found with probability 1-(1-J^3)^20: 0.42 at J=0.3, 0.92 at J=0.5). */
export const NUM_HASHES = 60;
export const ROWS_PER_BAND = 3;
export const NUM_BANDS = NUM_HASHES / ROWS_PER_BAND;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** FNV-1a over UTF-16 code units, then mixed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

const SEEDS = Array.from({ length: NUM_HASHES }, (_, i) => fmix32(0x9e3779b9 * (i + 1)));

/** The MinHash signature of a token set (NUM_HASHES signed 32-bit ints). */
export function minhash(tokens: readonly string[]): Int32Array {
  const sig = new Int32Array(NUM_HASHES).fill(0x7fffffff);
  for (const t of tokens) {
    const h = hashString(t);
    for (let i = 0; i < NUM_HASHES; i++) {
      const v = fmix32(h ^ SEEDS[i]!);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

/**
 * LSH band keys of a signature, keyed by area (district unit id, 0 when unknown), so that a
 * lookup only meets orders of the same area: one int per band.
 */
export function bandKeys(sig: Int32Array, area: number): number[] {
  const keys: number[] = [];
  for (let b = 0; b < NUM_BANDS; b++) {
    let h = fmix32(area * 0x27d4eb2f + b + 1);
    for (let r = 0; r < ROWS_PER_BAND; r++) h = fmix32(h ^ sig[b * ROWS_PER_BAND + r]!);
    keys.push(h);
  }
  return keys;
}

/** Shared tokens, Jaccard and containment (overlap / smaller set) of two token sets. */
export function compareTokens(a: readonly string[], b: readonly string[]): { shared: string[]; jaccard: number; containment: number } {
  const sb = new Set(b);
  const shared = a.filter((t) => sb.has(t));
  const union = a.length + b.length - shared.length;
  const small = Math.min(a.length, b.length);
  return { shared, jaccard: union ? shared.length / union : 0, containment: small ? shared.length / small : 0 };
}

/** Great-circle distance in metres. */
export function distanceM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Similarity of two orders from their tokens (0…1): Jaccard, or most of the containment when a
 * short report is wholly inside a longer one (both with at least 4 tokens).
 */
export function textScore(a: readonly string[], b: readonly string[]) {
  const c = compareTokens(a, b);
  return { ...c, score: similarity(c.shared.length, a.length, b.length, Math.min(a.length, b.length)) };
}

/** textScore's score with each token counted at a weight (equal weights give textScore's). */
export function weightedTextScore(a: readonly string[], b: readonly string[], weight: (token: string) => number): number {
  const sb = new Set(b);
  let wa = 0;
  let wb = 0;
  let shared = 0;
  for (const t of a) {
    const w = weight(t);
    wa += w;
    if (sb.has(t)) shared += w;
  }
  for (const t of b) wb += weight(t);
  return similarity(shared, wa, wb, Math.min(a.length, b.length));
}

/** Jaccard of two weighed sets, or 0.75 of the containment when the smaller one has at least 4 tokens. */
function similarity(shared: number, a: number, b: number, fewerTokens: number): number {
  const union = a + b - shared;
  const small = Math.min(a, b);
  const jaccard = union > 0 ? shared / union : 0;
  return Math.max(jaccard, fewerTokens >= 4 && small > 0 ? (0.75 * shared) / small : 0);
}

/**
 * Places named in a text: housing estates, lanes and villages ("银杏小区", "槐树胡同"), the
 * things people call the same place by. Two orders naming the same one are at the same place.
 */
const PLACE = /([\p{Script=Han}A-Za-z0-9]{2,12}?)(小区|花园|家园|公寓|大厦|新村|胡同|苑)/gu;
export function placeNames(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(PLACE)) {
    // The estate itself, without the district or street said before it (东华门街道银杏小区 → 银杏小区).
    const name = m[1]!.replace(/^.*(?:街道|[区市县镇乡路街]|在|住|家)/u, '') + m[2]!;
    if (name.length >= 3) out.add(name);
  }
  return [...out].slice(0, 10);
}

/**
 * Rarity weights from document frequencies: a word in at least 1 % of the orders says nothing
 * about which problem this is (区, 拆迁, 小区, 好几天) and weighs almost nothing; a word in few
 * says much (捷运, 高架, 银杏). The corpus is taken as at least 10 000 orders, so that on a young
 * installation every word of a handful of orders is not "common" and nothing can match.
 */
export function rarityWeight(df: ReadonlyMap<string, number>, docs: number): (token: string) => number {
  const k = 0.01 * Math.max(docs, 10_000);
  return (t) => Math.max(MIN_WEIGHT, Math.log(k / Math.max(1, df.get(t) ?? 1)));
}
const MIN_WEIGHT = 0.01;

/**
 * How much two orders' words say they are about the same problem (0…1): the weighted Dice
 * coefficient of their token sets, scaled down until they share about one rare word's worth
 * (EVIDENCE), so that two messages sharing only common words (区, 镇, 拆迁, 计划) are not the same
 * problem however short they are. The same text (nearly all tokens shared, Jaccard ≥ 0.8) is the
 * same message resubmitted, whatever its words. `contextEvidence` (0…1) is what the place or the
 * caller already proves, in place of rare words: two reports of a common problem (路灯, 噪音) at
 * the same estate share no rare word but the estate.
 * Chosen on principle and checked on the hand-labelled pairs (bench/duplicates-labels.json):
 * the 1 % and EVIDENCE may move by a factor 2 either way with the same result there.
 */
export function problemScore(a: readonly string[], b: readonly string[], weight: (token: string) => number, contextEvidence = 0) {
  const sb = new Set(b);
  const sa = new Set(a);
  let shared = 0;
  let wa = 0;
  let wb = 0;
  let n = 0;
  for (const t of sa) {
    const w = weight(t);
    wa += w;
    if (sb.has(t)) {
      shared += w;
      n++;
    }
  }
  for (const t of sb) wb += weight(t);
  const jaccard = sa.size + sb.size - n > 0 ? n / (sa.size + sb.size - n) : 0;
  const dice = wa + wb > 0 ? (2 * shared) / (wa + wb) : 0;
  return Math.max(jaccard >= 0.8 ? jaccard : 0, dice * Math.min(1, shared / EVIDENCE + contextEvidence));
}
const EVIDENCE = 3;
