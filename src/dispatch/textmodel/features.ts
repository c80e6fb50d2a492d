// What the model sees of a text: jieba words (+ word bigrams) and character 1–3 grams, weighted
// by sublinear TF-IDF and L2-normalised. The word and word-bigram features weigh
// FeatureConfig.wordWeight (default 0.85) against the character n-grams, folded into their IDF,
// so the model files and prediction are unchanged by it.
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import type { FeatureConfig } from './config.js';

let defaultJieba: Jieba | null = null;
const jiebaByDict = new Map<string, Jieba>();

/** A jieba instance with the default dictionary plus an optional user dictionary (jieba format: `word [freq] [tag]` per line). */
export function getJieba(userDict?: string): Jieba {
  if (!userDict) return (defaultJieba ??= Jieba.withDict(dict));
  let j = jiebaByDict.get(userDict);
  if (!j) {
    j = Jieba.withDict(dict);
    // Lines without a frequency get a high one so the term is kept whole.
    const lines = userDict
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => (/\s\d+(\s|$)/.test(l) ? l : `${l.split(/\s+/)[0]} 100000`));
    j.loadDict(Buffer.from(lines.join('\n') + '\n'));
    jiebaByDict.set(userDict, j);
  }
  return j;
}

/** NFKC, lower case, masked runs (`***`) and digit runs collapsed. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\*+/g, '*').replace(/\d+/g, '0').replace(/\s+/g, ' ').trim();
}

const SKIP_WORD = /^[\s\p{P}\p{S}]*$/u;
const SKIP_CHAR = /[\s\p{P}]/u;

/** The feature strings of one text (with repeats: term frequency counts them). */
export function featurize(text: string, cfg: FeatureConfig, jieba: Jieba): string[] {
  const t = normalize(text);
  const out: string[] = [];
  if (cfg.words || cfg.wordBigrams) {
    const words = jieba.cut(t, true).filter((w) => !SKIP_WORD.test(w));
    if (cfg.words) for (const w of words) out.push('w' + w);
    if (cfg.wordBigrams) for (let i = 1; i < words.length; i++) out.push('b' + words[i - 1] + ' ' + words[i]);
  }
  const chars = Array.from(t);
  const skip = chars.map((c) => SKIP_CHAR.test(c));
  for (let n = cfg.charMin; n <= cfg.charMax; n++) {
    outer: for (let i = 0; i + n <= chars.length; i++) {
      let g = 'c';
      for (let m = i; m < i + n; m++) {
        if (skip[m]) continue outer;
        g += chars[m]!;
      }
      out.push(g);
    }
  }
  return out;
}

/** A text as L2-normalised TF-IDF weights of its features (vocabulary indexes, ascending by first sight). */
export interface SparseVec {
  idx: Int32Array;
  val: Float32Array;
}

let countBuf = new Uint32Array(0);

/** A text's features to its vector over the vocabulary (features outside it are dropped). */
export function vectorize(feats: string[], vocab: Map<string, number>, idf: Float32Array, tf: FeatureConfig['tf'] = 'sublinear'): SparseVec {
  // Counts in a shared dense buffer (cleared after use): far cheaper than a Map per text.
  if (countBuf.length < idf.length) countBuf = new Uint32Array(idf.length);
  const counts = countBuf;
  const seen = new Int32Array(feats.length);
  let size = 0;
  for (const f of feats) {
    const j = vocab.get(f);
    if (j !== undefined && counts[j]!++ === 0) seen[size++] = j;
  }
  const idx = seen.slice(0, size);
  const val = new Float32Array(size);
  let norm = 0;
  const binary = tf === 'binary';
  for (let i = 0; i < size; i++) {
    const j = idx[i]!;
    const v = (binary ? 1 : 1 + Math.log(counts[j]!)) * idf[j]!;
    counts[j] = 0;
    val[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let k = 0; k < val.length; k++) val[k]! /= norm;
  return { idx, val };
}

/** The vocabulary by document frequency (sorted), with smoothed IDF. */
export function buildVocab(feats: string[][], fc: FeatureConfig): { vocab: string[]; idf: Float32Array; index: Map<string, number> } {
  const df = new Map<string, number>();
  for (const f of feats) for (const x of new Set(f)) df.set(x, (df.get(x) ?? 0) + 1);
  const minDf = fc.minDf || (feats.length < 1500 ? 1 : 2);
  let kept = [...df].filter(([, c]) => c >= minDf);
  if (kept.length > fc.maxFeatures) kept = kept.sort((a, b) => b[1] - a[1]).slice(0, fc.maxFeatures);
  kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const vocab = kept.map(([f]) => f);
  const N = feats.length;
  const idf = new Float32Array(vocab.length);
  const ww = fc.wordWeight ?? 1;
  kept.forEach(([f, c], i) => (idf[i] = (Math.log((1 + N) / (1 + c)) + 1) * (f[0] === 'c' ? 1 : ww)));
  return { vocab, idf, index: new Map(vocab.map((f, i) => [f, i])) };
}
