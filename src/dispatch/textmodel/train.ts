// The dispatch text model: jieba words (+ word bigrams) and character 1–3 grams,
// sublinear TF-IDF, L2-normalised, into a linear classifier: by default one-vs-rest
// L2-loss linear SVMs solved by dual coordinate descent (as liblinear does; it converges
// far better than SGD on sparse TF-IDF), or a multinomial logistic regression by SGD.
// An internal stratified cross-validation chooses the SVM cost; its out-of-fold scores fit
// a per-label scaling of the scores into calibrated confidences, and per-label decision
// offsets that raise macro-F1 (small labels get their share of first suggestions).
// The word and word-bigram features weigh FeatureConfig.wordWeight (default 0.85) against the character
// n-grams, folded into their IDF, so the model files and prediction are unchanged by it.
// Runs on one CPU core in plain JS.
// A model is a folder of plain files: model.json (config, labels, calibration, offsets),
// vocab.json (feature strings), idf.bin and weights.bin (little-endian float32),
// and userdict.txt when a custom jieba dictionary was used.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

export interface FeatureConfig {
  /** Character n-gram range, e.g. [1, 3]. */
  charMin: number;
  charMax: number;
  words: boolean;
  wordBigrams: boolean;
  /** Keep features seen in at least this many training texts; 0 = automatic (1 under 1,500 texts, else 2). */
  minDf: number;
  /** Cap on vocabulary size (most frequent kept). */
  maxFeatures: number;
  /**
   * Weight of the word and word-bigram features against the character n-grams, folded into their IDF before
   * the L2 normalisation (1 = as is; absent = 1, as in models trained before the option). The default 0.85
   * leans a little towards the character n-grams: 5-fold CV macro-F1 up on tipdm7, bj-faqdept (and bj-domain).
   */
  wordWeight?: number;
  /** Term weight before IDF: 'sublinear' = 1 + log(count), 'binary' = 1. */
  tf?: 'sublinear' | 'binary';
}

export interface TrainConfig {
  features: FeatureConfig;
  /** 'svm': one-vs-rest L2-loss linear SVM by dual coordinate descent; 'logreg': softmax regression by SGD. */
  classifier: 'svm' | 'logreg';
  /** SVM: cost of a margin violation (larger = less regularised); the one chosen from Cgrid when that is tried. */
  C: number;
  /** SVM with cvFolds ≥ 2: costs to try by the internal cross-validation (best out-of-fold macro-F1 wins); empty = just C. */
  Cgrid: number[];
  /** How the internal CV ranks the costs: out-of-fold macro-F1, or log-likelihood after the temperature fit. */
  cSelect: 'f1' | 'nll';
  /** SVM: stop when the projected-gradient spread falls under this (liblinear's eps). */
  tolerance: number;
  /** Train also on the `answer` of an example when the data has one (FAQ answers name the department's matters). */
  useAnswers: boolean;
  /** SVM: cost multiplier of an answer row (1 = as much as a message). */
  answerWeight: number;
  /** SGD epochs (logreg) or at most this many passes per class (svm, × 4). */
  epochs: number;
  /** L2 regularisation strength. */
  lambda: number;
  /** Initial learning rate. */
  eta0: number;
  /** Class weight = (n / (k · n_c)) ^ classWeightPower; 0 = unweighted, 1 = balanced. */
  classWeightPower: number;
  /** Share of the data held out to fit the temperature when cvFolds = 1 (then the model is retrained on all). */
  calibrationShare: number;
  /**
   * Folds of the internal stratified cross-validation whose out-of-fold scores choose C and fit the calibration
   * and the label offsets: 0 = automatic (5 under 4,000 examples, where estimates are noisier and fits are
   * cheap, else 3, to keep training time down); 1 = one held-out slice of calibrationShare, temperature only.
   */
  cvFolds: number;
  /** Fit per-label score offsets on the out-of-fold scores to maximise macro-F1 (needs cvFolds ≥ 2). */
  labelOffsets: boolean;
  /** The fitted offsets are multiplied by this (1 = as fitted, < 1 = shrunk towards 0). */
  offsetShrink: number;
  /** Decision offsets are searched in [-offsetRange, offsetRange] (log-probability units). */
  offsetRange: number;
  /** 'temperature': one softmax temperature; 'vector': per-label scale and shift (needs cvFolds ≥ 2). */
  calibration: 'temperature' | 'vector';
  /** SVM: scale each class's features by their naive-Bayes log-count ratio (NB-SVM), this power of it (0 = off). */
  nbScale: number;
  seed: number;
}

export const DEFAULT_CONFIG: TrainConfig = {
  features: { charMin: 1, charMax: 3, words: true, wordBigrams: true, minDf: 0, maxFeatures: 400_000, wordWeight: 0.85 },
  classifier: 'svm',
  C: 1,
  Cgrid: [0.3, 1, 3],
  cSelect: 'f1',
  tolerance: 0.1,
  useAnswers: true,
  answerWeight: 1,
  epochs: 12,
  lambda: 1e-6,
  eta0: 1,
  classWeightPower: 1,
  calibrationShare: 0.1,
  cvFolds: 0,
  labelOffsets: true,
  offsetShrink: 1,
  offsetRange: 2,
  calibration: 'vector',
  nbScale: 0,
  seed: 42,
};

export interface Example {
  text: string;
  label: string;
  /** An optional reference answer (FAQ data): extra training text for the label. */
  answer?: string;
}

export interface Prediction {
  label: string;
  confidence: number;
}

// ---------- segmentation ----------

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
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\*+/g, '*')
    .replace(/\d+/g, '0')
    .replace(/\s+/g, ' ')
    .trim();
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

// ---------- vectors ----------

interface SparseVec {
  idx: Int32Array;
  val: Float32Array;
}

let countBuf = new Uint32Array(0);

function vectorize(feats: string[], vocab: Map<string, number>, idf: Float32Array, tf: FeatureConfig['tf'] = 'sublinear'): SparseVec {
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

// ---------- the model ----------

export interface ModelMeta {
  format: 'jiesu-dispatch-textmodel';
  version: 1;
  labels: string[];
  config: TrainConfig;
  temperature: number;
  /** Vector scaling (replaces the temperature when present): probabilities = softmax(scale_k · score_k + shift_k). */
  scale?: number[];
  shift?: number[];
  /** Decision offsets on the log-probabilities (fitted for macro-F1): the first suggestion is argmax(log p_k + offset_k), the rest follow by probability. */
  offsets?: number[];
  vocabSize: number;
  trainedAt: string;
  trainSize: number;
  trainSeconds?: number;
  /** What the labels are: free text, unit ids or category codes. */
  target?: string;
}

export class TextModel {
  private readonly vocabIndex: Map<string, number>;
  private readonly jieba: Jieba;

  constructor(
    readonly meta: ModelMeta,
    readonly vocab: string[],
    readonly idf: Float32Array,
    /** [vocabSize × K] row-major, then K biases. */
    readonly weights: Float32Array,
    readonly userDict?: string,
  ) {
    this.vocabIndex = new Map(vocab.map((f, i) => [f, i]));
    this.jieba = getJieba(userDict);
  }

  get labels() {
    return this.meta.labels;
  }

  /** Raw scores, one per label. */
  logits(text: string): Float64Array {
    const K = this.meta.labels.length;
    const x = vectorize(featurize(text, this.meta.config.features, this.jieba), this.vocabIndex, this.idf, this.meta.config.features.tf);
    return scores(this.weights, x, K, this.meta.vocabSize);
  }

  /** Calibrated probabilities, one per label. */
  probabilities(text: string): Float64Array {
    return softmax(calibratedLogits(this.logits(text), this.meta));
  }

  /** The k most likely labels with calibrated confidences, best first. */
  predict(text: string, k = 3): Prediction[] {
    const u = calibratedLogits(this.logits(text), this.meta);
    const p = softmax(u);
    const order = [...p.keys()].sort((a, b) => p[b]! - p[a]!);
    const d = this.meta.offsets;
    if (d) {
      // log p_k + d_k, less the same log-normaliser for every label.
      let first = 0;
      for (let j = 1; j < u.length; j++) if (u[j]! + d[j]! > u[first]! + d[first]!) first = j;
      order.splice(order.indexOf(first), 1);
      order.unshift(first);
    }
    return order
      .slice(0, k)
      .map((i) => ({ label: this.meta.labels[i]!, confidence: p[i]! }));
  }

  /** The model as named files (what `save` writes and the database stores). */
  toFiles(): Record<string, Buffer> {
    const files: Record<string, Buffer> = {
      'model.json': Buffer.from(JSON.stringify(this.meta, null, 2) + '\n'),
      'vocab.json': Buffer.from(JSON.stringify(this.vocab)),
      'idf.bin': f32ToBuffer(this.idf),
      'weights.bin': f32ToBuffer(this.weights),
    };
    if (this.userDict) files['userdict.txt'] = Buffer.from(this.userDict);
    return files;
  }

  static fromFiles(files: Record<string, Uint8Array>): TextModel {
    const need = (n: string) => {
      const f = files[n];
      if (!f) throw new Error(`模型缺少文件 (model file missing): ${n}`);
      return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
    };
    const meta = JSON.parse(need('model.json').toString('utf8')) as ModelMeta;
    if (meta.format !== 'jiesu-dispatch-textmodel') throw new Error('不是 jiesu 分拨模型 (not a jiesu dispatch model)');
    const vocab = JSON.parse(need('vocab.json').toString('utf8')) as string[];
    const idf = bufferToF32(need('idf.bin'));
    const weights = bufferToF32(need('weights.bin'));
    if ([meta.offsets, meta.scale, meta.shift].some((a) => a && a.length !== meta.labels.length) || vocab.length !== meta.vocabSize || idf.length !== meta.vocabSize || weights.length !== (meta.vocabSize + 1) * meta.labels.length) {
      throw new Error('模型文件不一致 (model files do not match each other)');
    }
    const ud = files['userdict.txt'];
    return new TextModel(meta, vocab, idf, weights, ud ? Buffer.from(ud).toString('utf8') : undefined);
  }

  save(dir: string) {
    mkdirSync(dir, { recursive: true });
    for (const [name, data] of Object.entries(this.toFiles())) writeFileSync(join(dir, name), data);
  }

  static load(dir: string): TextModel {
    if (!existsSync(join(dir, 'model.json'))) throw new Error(`${dir} 不是模型目录 (no model.json in ${dir})`);
    const files: Record<string, Uint8Array> = {};
    for (const n of ['model.json', 'vocab.json', 'idf.bin', 'weights.bin', 'userdict.txt']) {
      if (existsSync(join(dir, n))) files[n] = readFileSync(join(dir, n));
    }
    return TextModel.fromFiles(files);
  }
}

function f32ToBuffer(a: Float32Array): Buffer {
  const b = Buffer.alloc(a.length * 4);
  for (let i = 0; i < a.length; i++) b.writeFloatLE(a[i]!, i * 4);
  return b;
}

function bufferToF32(b: Buffer): Float32Array {
  if (b.length % 4) throw new Error('模型文件损坏 (corrupt float32 file)');
  const a = new Float32Array(b.length / 4);
  for (let i = 0; i < a.length; i++) a[i] = b.readFloatLE(i * 4);
  return a;
}

function scores(W: Float32Array, x: SparseVec, K: number, V: number): Float64Array {
  const s = new Float64Array(K);
  const bOff = V * K;
  for (let k = 0; k < K; k++) s[k] = W[bOff + k]!;
  for (let n = 0; n < x.idx.length; n++) {
    const off = x.idx[n]! * K;
    const v = x.val[n]!;
    for (let k = 0; k < K; k++) s[k]! += W[off + k]! * v;
  }
  return s;
}

/** Scores to calibrated logits (softmax gives the probabilities): vector scaling when the model has it, else the temperature. */
function calibratedLogits(z: Float64Array, meta: Pick<ModelMeta, 'temperature' | 'scale' | 'shift'>): Float64Array {
  const u = new Float64Array(z.length);
  for (let k = 0; k < z.length; k++) u[k] = meta.scale && meta.shift ? meta.scale[k]! * z[k]! + meta.shift[k]! : z[k]! / meta.temperature;
  return u;
}

export function softmax(z: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  const p = new Float64Array(z.length);
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += p[k] = Math.exp((z[k]! - max) / temperature);
  for (let k = 0; k < z.length; k++) p[k]! /= sum;
  return p;
}

// ---------- training ----------

/** A small seeded PRNG (mulberry32), so training and splits are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(a: T[], rand: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** A stratified split: `share` of each label goes to the second part (at least one when a label has ≥ 2 examples). */
export function stratifiedSplit<T extends { label: string }>(items: T[], share: number, seed: number): [T[], T[]] {
  const byLabel = new Map<string, T[]>();
  for (const it of items) (byLabel.get(it.label) ?? byLabel.set(it.label, []).get(it.label)!).push(it);
  const rand = rng(seed);
  const a: T[] = [];
  const b: T[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const group = shuffle([...byLabel.get(label)!], rand);
    const nb = group.length < 2 ? 0 : Math.max(1, Math.round(group.length * share));
    b.push(...group.slice(0, nb));
    a.push(...group.slice(nb));
  }
  return [a, b];
}

/** Stratified k-fold: fold index (0 … k-1) of each item, each label dealt round-robin after a seeded shuffle. */
export function stratifiedFolds<T extends { label: string }>(items: T[], k: number, seed: number): number[] {
  const byLabel = new Map<string, number[]>();
  items.forEach((it, i) => (byLabel.get(it.label) ?? byLabel.set(it.label, []).get(it.label)!).push(i));
  const rand = rng(seed);
  const fold = new Array<number>(items.length).fill(0);
  let start = 0;
  for (const label of [...byLabel.keys()].sort()) {
    shuffle(byLabel.get(label)!, rand).forEach((i, j) => (fold[i] = (start + j) % k));
    start += byLabel.get(label)!.length; // small labels do not all land in fold 0
  }
  return fold;
}

export interface TrainOptions {
  config?: Partial<Omit<TrainConfig, 'features'>> & { features?: Partial<FeatureConfig> };
  userDict?: string;
  target?: string;
  /** Called with the work done so far, out of `total`. */
  onProgress?: (done: number, total: number, stage: string) => void;
}

function mergeConfig(c: TrainOptions['config']): TrainConfig {
  return { ...DEFAULT_CONFIG, ...c, features: { ...DEFAULT_CONFIG.features, ...c?.features } };
}

/** Trains a model. The out-of-fold scores of an internal stratified cross-validation (or of one held-out slice)
 * fit the softmax temperature and, optionally, per-label score offsets that maximise macro-F1; then the
 * classifier is refitted on everything (the SVM warm-started from the folds' dual variables). */
export function train(examples: Example[], opts: TrainOptions = {}): TextModel {
  const t0 = performance.now();
  const cfg = mergeConfig(opts.config);
  const jieba = getJieba(opts.userDict);
  if (examples.length === 0) throw new Error('没有训练样本 (no training examples)');
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  if (labels.length < 2) throw new Error('至少需要两个类别 (need at least two labels)');
  const K = labels.length;
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  // The rows to fit on: the texts, then any answers as extra texts of the same label (src = the example).
  const feats: string[][] = [];
  const y: number[] = [];
  const src: number[] = [];
  examples.forEach((e, i) => {
    feats.push(featurize(e.text, cfg.features, jieba));
    y.push(labelIndex.get(e.label)!);
    src.push(i);
  });
  if (cfg.useAnswers) {
    examples.forEach((e, i) => {
      if (!e.answer) return;
      feats.push(featurize(e.answer, cfg.features, jieba));
      y.push(labelIndex.get(e.label)!);
      src.push(i);
    });
  }
  const { vocab, idf, index } = buildVocab(feats, cfg.features);
  const X = feats.map((f) => vectorize(f, index, idf, cfg.features.tf));
  const V = vocab.length;

  // Which examples each calibration fit holds out: fold f of F, or −1 (never held out).
  const items = examples.map((e, i) => ({ label: e.label, i }));
  let F = 0;
  let foldOf: number[] = [];
  if (examples.length >= 20) {
    if (cfg.cvFolds !== 1) {
      F = cfg.cvFolds >= 2 ? cfg.cvFolds : examples.length < 4000 ? 5 : 3;
      foldOf = stratifiedFolds(items, F, cfg.seed);
    } else if (cfg.calibrationShare > 0) {
      F = 1;
      foldOf = new Array<number>(examples.length).fill(-1);
      for (const x of stratifiedSplit(items, cfg.calibrationShare, cfg.seed)[1]) foldOf[x.i] = 0;
    }
  }
  const steps = cfg.classifier === 'svm' ? K : cfg.epochs;
  // SVM with internal CV: each cost of Cgrid is tried on the folds (ascending, each warm-started from the
  // previous one's dual variables) and the one with the best out-of-fold macro-F1 is kept.
  const Cs = cfg.classifier === 'svm' && F >= 2 && cfg.Cgrid.length > 0 ? [...cfg.Cgrid].sort((a, b) => a - b) : [cfg.C];
  const total = (Cs.length * F + 1) * steps;
  let done = 0;
  const progress = (stage: string) => opts.onProgress?.(++done, total, stage);

  const N = X.length;
  // SVM cost multiplier of each row: answers weigh answerWeight.
  const rowCost = src.map((_, r) => (r >= examples.length ? cfg.answerWeight : 1));
  const foldRows = Array.from({ length: F }, (_, f) => {
    const rows: number[] = [];
    for (let r = 0; r < N; r++) if (foldOf[src[r]!] !== f) rows.push(r);
    return rows;
  });
  const foldAlpha: (Float64Array[] | undefined)[] = new Array(F);
  let best: { f1: number; C: number; oof: { z: Float64Array; y: number }[]; alphaSum?: Float64Array[] } | undefined;
  const alphaCnt = new Uint16Array(N);
  for (const rows of foldRows) for (const r of rows) alphaCnt[r]!++;
  for (const C of Cs) {
    const cfgC = { ...cfg, C };
    const oof: { z: Float64Array; y: number }[] = [];
    const alphaSum = cfg.classifier === 'svm' && F > 0 ? labels.map(() => new Float64Array(N)) : undefined;
    for (let f = 0; f < F; f++) {
      const rows = foldRows[f]!;
      const fitted = fit(rows.map((r) => X[r]!), rows.map((r) => y[r]!), V, K, cfgC, () => progress('calibration'), foldAlpha[f], rows.map((r) => rowCost[r]!));
      foldAlpha[f] = fitted.alpha;
      for (let i = 0; i < examples.length; i++) {
        if (foldOf[i] === f) oof.push({ z: scores(fitted.weights, X[i]!, K, V), y: y[i]! });
      }
      if (alphaSum && fitted.alpha) {
        rows.forEach((r, j) => {
          for (let k = 0; k < K; k++) alphaSum[k]![r]! += fitted.alpha![k]![j]!;
        });
      }
    }
    const f1 = Cs.length < 2 ? 0 : cfg.cSelect === 'nll' ? -nllAt(oof, fitTemperature(oof)) : macroF1Of(oof, K);
    if (!best || f1 > best.f1) best = { f1, C, oof, alphaSum };
  }
  const oof = best?.oof ?? [];
  const alphaSum = best?.alphaSum;
  const chosenC = best?.C ?? cfg.C;
  let offsets: number[] | undefined;
  let scale: number[] | undefined;
  let shift: number[] | undefined;
  let temperature = 1;
  if (oof.length > 0) {
    temperature = fitTemperature(oof);
    if (cfg.calibration === 'vector' && F >= 2) {
      const v = fitVectorScaling(oof, K, temperature);
      scale = [...v.scale];
      shift = [...v.shift];
    }
    if (cfg.labelOffsets && F >= 2) {
      const logp = oof.map((o) => ({ z: calibratedLogits(o.z, { temperature, scale, shift }), y: o.y }));
      const b = fitOffsets(logp, K, cfg.offsetShrink, cfg.offsetRange);
      if (b.some((v) => v !== 0)) offsets = [...b];
    }
  }
  const init = alphaSum?.map((s) => s.map((v, r) => (alphaCnt[r] ? v / alphaCnt[r]! : 0)));
  const full = fit(X, y, V, K, { ...cfg, C: chosenC }, () => progress('training'), init, rowCost);
  const meta: ModelMeta = {
    format: 'jiesu-dispatch-textmodel',
    version: 1,
    labels,
    config: { ...cfg, C: chosenC },
    temperature,
    ...(scale && shift ? { scale, shift } : {}),
    ...(offsets ? { offsets } : {}),
    vocabSize: V,
    trainedAt: new Date().toISOString(),
    trainSize: examples.length,
    trainSeconds: Math.round((performance.now() - t0) / 100) / 10,
    ...(opts.target ? { target: opts.target } : {}),
  };
  return new TextModel(meta, vocab, idf, full.weights, opts.userDict);
}

/** The vocabulary by document frequency (sorted), with smoothed IDF. */
function buildVocab(feats: string[][], fc: FeatureConfig): { vocab: string[]; idf: Float32Array; index: Map<string, number> } {
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

interface Fitted {
  /** [V × K] row-major, then K biases. */
  weights: Float32Array;
  /** SVM: the dual variables, one array over the rows per class. */
  alpha?: Float64Array[];
}

function fit(X: SparseVec[], y: number[], V: number, K: number, cfg: TrainConfig, onEpoch: () => void, init?: Float64Array[], rowCost?: number[]): Fitted {
  const N = X.length;
  const counts = new Array<number>(K).fill(0);
  for (const c of y) counts[c]!++;
  if (cfg.classifier === 'svm') {
    const alpha = init ?? Array.from({ length: K }, () => new Float64Array(N));
    return { weights: fitSvm(X, y, counts, V, K, cfg, onEpoch, alpha, rowCost), alpha };
  }
  const cw = counts.map((c) => (c === 0 ? 0 : Math.pow(N / (K * c), cfg.classWeightPower)));

  // SGD on the L2-regularised softmax loss; W = scale · V keeps the decay O(1) per step.
  const W = new Float64Array((V + 1) * K);
  const bOff = V * K;
  let scale = 1;
  const rand = rng(cfg.seed);
  const order = [...Array(N).keys()];
  const z = new Float64Array(K);
  let t = 0;
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    shuffle(order, rand);
    for (const i of order) {
      const eta = cfg.eta0 / (1 + cfg.eta0 * cfg.lambda * t++);
      const x = X[i]!;
      for (let k = 0; k < K; k++) z[k] = W[bOff + k]!;
      for (let n = 0; n < x.idx.length; n++) {
        const off = x.idx[n]! * K;
        const v = x.val[n]! * scale;
        for (let k = 0; k < K; k++) z[k]! += W[off + k]! * v;
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (z[k]! > max) max = z[k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += z[k] = Math.exp(z[k]! - max);
      const w = cw[y[i]!]!;
      for (let k = 0; k < K; k++) z[k] = ((z[k]! / sum) - (k === y[i] ? 1 : 0)) * w; // gradient per class
      scale *= 1 - eta * cfg.lambda;
      if (scale < 1e-9) {
        for (let j = 0; j < bOff; j++) W[j]! *= scale;
        scale = 1;
      }
      const step = eta / scale;
      for (let n = 0; n < x.idx.length; n++) {
        const off = x.idx[n]! * K;
        const v = x.val[n]! * step;
        for (let k = 0; k < K; k++) W[off + k]! -= z[k]! * v;
      }
      for (let k = 0; k < K; k++) W[bOff + k]! -= eta * z[k]! * 0.1;
    }
    onEpoch();
  }
  const weights = new Float32Array(W.length);
  for (let j = 0; j < bOff; j++) weights[j] = W[j]! * scale;
  for (let k = 0; k < K; k++) weights[bOff + k] = W[bOff + k]!;
  return { weights };
}

/**
 * One-vs-rest L2-regularised L2-loss linear SVMs by dual coordinate descent
 * (Hsieh et al. 2008, liblinear's default solver), with a bias feature of 1 and
 * per-class costs C · (N / 2n)^classWeightPower for the positive and negative side.
 * Returns [V × K] row-major weights, then K biases.
 */
function fitSvm(X: SparseVec[], y: number[], counts: number[], V: number, K: number, cfg: TrainConfig, onClass: () => void, alphas: Float64Array[], rowCost?: number[]): Float32Array {
  const N = X.length;
  const out = new Float32Array((V + 1) * K);
  const sq = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 1; // the bias feature
    const v = X[i]!.val;
    for (let n = 0; n < v.length; n++) s += v[n]! * v[n]!;
    sq[i] = s;
  }
  const rand = rng(cfg.seed);
  const D = new Float64Array(N);
  const Q = new Float64Array(N);
  const sign = new Int8Array(N);
  const order = [...Array(N).keys()];
  const maxPasses = Math.max(10, cfg.epochs * 4);
  for (let k = 0; k < K; k++) {
    const w = new Float64Array(V + 1);
    const alpha = alphas[k]!;
    const pos = counts[k]!;
    const neg = N - pos;
    if (pos === 0) {
      out[V * K + k] = -1;
      onClass();
      continue;
    }
    // NB-SVM: this class's features scaled by r = log-count ratio ^ nbScale (folded back into w at the end).
    let r: Float64Array | undefined;
    let XV = X.map((x) => x.val);
    if (cfg.nbScale > 0) {
      const p = new Float64Array(V).fill(1);
      const q = new Float64Array(V).fill(1);
      for (let i = 0; i < N; i++) {
        const x = X[i]!;
        const t = y[i] === k ? p : q;
        for (let n = 0; n < x.idx.length; n++) t[x.idx[n]!]! += x.val[n]!;
      }
      let ps = 0;
      let qs = 0;
      for (let j = 0; j < V; j++) (ps += p[j]!), (qs += q[j]!);
      r = new Float64Array(V);
      for (let j = 0; j < V; j++) {
        const l = Math.log(p[j]! / ps / (q[j]! / qs));
        r[j] = Math.sign(l) * Math.pow(Math.abs(l), cfg.nbScale);
      }
      XV = X.map((x) => {
        const v = new Float32Array(x.val.length);
        for (let n = 0; n < v.length; n++) v[n] = x.val[n]! * r![x.idx[n]!]!;
        return v;
      });
      for (let i = 0; i < N; i++) {
        let s2 = 1;
        const v = XV[i]!;
        for (let n = 0; n < v.length; n++) s2 += v[n]! * v[n]!;
        sq[i] = s2;
      }
    }
    const Cp = cfg.C * Math.pow(N / (2 * pos), cfg.classWeightPower);
    const Cn = cfg.C * Math.pow(N / (2 * Math.max(1, neg)), cfg.classWeightPower);
    for (let i = 0; i < N; i++) {
      sign[i] = y[i] === k ? 1 : -1;
      D[i] = 1 / (2 * (sign[i]! > 0 ? Cp : Cn) * (rowCost?.[i] ?? 1));
      Q[i] = sq[i]! + D[i]!;
      const d = alpha[i]! * sign[i]!; // a warm start: w = Σ αᵢ yᵢ xᵢ
      if (d !== 0) {
        const x = X[i]!;
        const xv = XV[i]!;
        for (let n = 0; n < x.idx.length; n++) w[x.idx[n]!]! += d * xv[n]!;
        w[V]! += d;
      }
    }
    for (let pass = 0; pass < maxPasses; pass++) {
      shuffle(order, rand);
      let pgMax = -Infinity;
      let pgMin = Infinity;
      for (const i of order) {
        const x = X[i]!;
        const xv = XV[i]!;
        let g = w[V]!;
        for (let n = 0; n < x.idx.length; n++) g += w[x.idx[n]!]! * xv[n]!;
        const a0 = alpha[i]!;
        const G = sign[i]! * g - 1 + D[i]! * a0;
        const PG = a0 === 0 ? Math.min(G, 0) : G;
        if (PG > pgMax) pgMax = PG;
        if (PG < pgMin) pgMin = PG;
        if (Math.abs(PG) < 1e-12) continue;
        const a = Math.max(a0 - G / Q[i]!, 0);
        alpha[i] = a;
        const d = (a - a0) * sign[i]!;
        for (let n = 0; n < x.idx.length; n++) w[x.idx[n]!]! += d * xv[n]!;
        w[V]! += d;
      }
      if (pgMax - pgMin <= cfg.tolerance) break;
    }
    for (let j = 0; j < V; j++) out[j * K + k] = r ? w[j]! * r[j]! : w[j]!;
    out[V * K + k] = w[V]!;
    onClass();
  }
  return out;
}

/**
 * Per-label offsets to the scores that maximise macro-F1 on out-of-fold scores: coordinate ascent,
 * each label's offset over a grid while the others stay, a few rounds; ties keep the smaller change.
 */
export function fitOffsets(oof: { z: Float64Array; y: number }[], K: number, shrink = 1, range = 2): Float64Array {
  const b = new Float64Array(K);
  const N = oof.length;
  const pred = new Int32Array(N);
  const other = new Int32Array(N);
  const otherMax = new Float64Array(N);
  const support = new Array<number>(K).fill(0);
  for (const o of oof) support[o.y]!++;
  const tp = new Float64Array(K);
  const np = new Float64Array(K);
  const macroF1 = () => {
    let s = 0;
    let n = 0;
    for (let k = 0; k < K; k++) {
      if (!support[k] && !np[k]) continue;
      n++;
      s += support[k]! + np[k]! ? (2 * tp[k]!) / (support[k]! + np[k]!) : 0;
    }
    return n ? s / n : 0;
  };
  const grid: number[] = [];
  for (let g = -20; g <= 20; g++) grid.push((g * range) / 20);
  for (let round = 0; round < 3; round++) {
    let changed = false;
    for (let k = 0; k < K; k++) {
      // The best other label of each row, given the other offsets.
      for (let i = 0; i < N; i++) {
        const z = oof[i]!.z;
        let best = -1;
        let m = -Infinity;
        for (let j = 0; j < K; j++) {
          if (j === k) continue;
          const v = z[j]! + b[j]!;
          if (v > m) (m = v), (best = j);
        }
        other[i] = best;
        otherMax[i] = m;
      }
      const score = (bk: number) => {
        tp.fill(0);
        np.fill(0);
        for (let i = 0; i < N; i++) {
          const p = oof[i]!.z[k]! + bk > otherMax[i]! ? k : other[i]!;
          pred[i] = p;
          np[p]!++;
          if (p === oof[i]!.y) tp[p]!++;
        }
        return macroF1();
      };
      let bestB = b[k]!;
      let bestS = score(bestB);
      for (const g of grid) {
        const s = score(g);
        if (s > bestS + 1e-9 || (Math.abs(s - bestS) <= 1e-9 && Math.abs(g) < Math.abs(bestB))) (bestS = s), (bestB = g);
      }
      if (bestB !== b[k]) (b[k] = bestB), (changed = true);
    }
    if (!changed) break;
  }
  const mean = b.reduce((a, v) => a + v, 0) / K;
  for (let k = 0; k < K; k++) b[k] = (b[k]! - mean) * shrink;
  return b;
}

/**
 * Vector scaling (Guo et al. 2017): per-label scale and shift of the scores that minimise the
 * negative log-likelihood of the out-of-fold scores (convex; Adam from 1/T and 0, lightly L2-regularised).
 */
export function fitVectorScaling(oof: { z: Float64Array; y: number }[], K: number, temperature: number): { scale: Float64Array; shift: Float64Array } {
  const a0 = 1 / temperature;
  const P = new Float64Array(2 * K);
  for (let k = 0; k < K; k++) P[k] = a0;
  const m = new Float64Array(2 * K);
  const v = new Float64Array(2 * K);
  const g = new Float64Array(2 * K);
  const u = new Float64Array(K);
  const N = oof.length;
  const lambda = 1e-3;
  const lr = 0.05 * Math.max(1, a0 / 4);
  for (let t = 1; t <= 300; t++) {
    g.fill(0);
    for (const { z, y } of oof) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        u[k] = P[k]! * z[k]! + P[K + k]!;
        if (u[k]! > max) max = u[k]!;
      }
      let sum = 0;
      for (let k = 0; k < K; k++) sum += u[k] = Math.exp(u[k]! - max);
      for (let k = 0; k < K; k++) {
        const d = u[k]! / sum - (k === y ? 1 : 0);
        g[k]! += d * z[k]!;
        g[K + k]! += d;
      }
    }
    for (let j = 0; j < 2 * K; j++) {
      const gj = g[j]! / N + lambda * (P[j]! - (j < K ? a0 : 0));
      m[j] = 0.9 * m[j]! + 0.1 * gj;
      v[j] = 0.999 * v[j]! + 0.001 * gj * gj;
      P[j]! -= (lr * (m[j]! / (1 - 0.9 ** t))) / (Math.sqrt(v[j]! / (1 - 0.999 ** t)) + 1e-8);
    }
  }
  return { scale: P.slice(0, K), shift: P.slice(K) };
}

/** Macro-F1 of the argmax of scores (over the labels present or predicted). */
function macroF1Of(rows: { z: Float64Array; y: number }[], K: number): number {
  const tp = new Float64Array(K);
  const predicted = new Float64Array(K);
  const support = new Float64Array(K);
  for (const { z, y } of rows) {
    let p = 0;
    for (let k = 1; k < K; k++) if (z[k]! > z[p]!) p = k;
    predicted[p]!++;
    support[y]!++;
    if (p === y) tp[p]!++;
  }
  let s = 0;
  let n = 0;
  for (let k = 0; k < K; k++) {
    if (!support[k] && !predicted[k]) continue;
    n++;
    s += (2 * tp[k]!) / (support[k]! + predicted[k]!);
  }
  return n ? s / n : 0;
}

/** The temperature that minimises the held-out negative log-likelihood (golden-section on log T). */
function nllAt(cal: { z: Float64Array; y: number }[], T: number): number {
  let s = 0;
  for (const { z, y } of cal) s -= Math.log(Math.max(softmax(z, T)[y]!, 1e-12));
  return s;
}

export function fitTemperature(cal: { z: Float64Array; y: number }[]): number {
  const nll = (T: number) => nllAt(cal, T);
  let a = Math.log(0.02);
  let b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 60; it++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (nll(Math.exp(c)) < nll(Math.exp(d))) b = d;
    else a = c;
  }
  return Math.exp((a + b) / 2);
}

// ---------- evaluation ----------

export interface EvalResult {
  n: number;
  accuracy: number;
  macroF1: number;
  top3Accuracy: number;
  msPerMessage: number;
  perClass: { label: string; support: number; precision: number; recall: number; f1: number }[];
  /** confusion[i][j] = examples of true label i predicted as j, over `labels`. */
  labels: string[];
  confusion: number[][];
  /** Expected calibration error (10 bins) of the top-1 confidence. */
  ece: number;
}

export function evaluate(model: TextModel, examples: Example[]): EvalResult {
  const labels = [...new Set([...model.labels, ...examples.map((e) => e.label)])];
  const li = new Map(labels.map((l, i) => [l, i]));
  const L = labels.length;
  const confusion = labels.map(() => new Array<number>(L).fill(0));
  let correct = 0;
  let top3 = 0;
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, acc: 0 }));
  const t0 = performance.now();
  for (const e of examples) {
    const preds = model.predict(e.text, 3);
    const best = preds[0]!;
    confusion[li.get(e.label)!]![li.get(best.label)!]!++;
    if (best.label === e.label) correct++;
    if (preds.some((p) => p.label === e.label)) top3++;
    const bin = bins[Math.min(9, Math.floor(best.confidence * 10))]!;
    bin.n++;
    bin.conf += best.confidence;
    bin.acc += best.label === e.label ? 1 : 0;
  }
  const ms = examples.length ? (performance.now() - t0) / examples.length : 0;
  const perClass = labels.map((label, i) => {
    const tp = confusion[i]![i]!;
    const support = confusion[i]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[i]!, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, support, precision, recall, f1 };
  });
  // Macro-F1 over the labels present in the evaluation data (as scikit-learn does with labels = y_true ∪ y_pred).
  const counted = perClass.filter((c) => c.support > 0 || confusion.some((row) => row[labels.indexOf(c.label)]! > 0));
  const n = examples.length;
  return {
    n,
    accuracy: n ? correct / n : 0,
    macroF1: counted.length ? counted.reduce((a, c) => a + c.f1, 0) / counted.length : 0,
    top3Accuracy: n ? top3 / n : 0,
    msPerMessage: ms,
    perClass,
    labels,
    confusion,
    ece: n ? bins.reduce((a, b) => a + Math.abs(b.acc - b.conf), 0) / n : 0,
  };
}

/** Reads a JSONL file of {text, label}; a bad line is an error naming its number. */
export function readJsonl(path: string): Example[] {
  const out: Example[] = [];
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let o: any;
    try {
      o = JSON.parse(line);
    } catch {
      throw new Error(`${path}:${i + 1}: 不是合法的 JSON (invalid JSON)`);
    }
    if (typeof o?.text !== 'string' || (typeof o.label !== 'string' && typeof o.label !== 'number')) {
      throw new Error(`${path}:${i + 1}: 需要 {text, label} (expected {"text": string, "label": string})`);
    }
    out.push({ text: o.text, label: String(o.label), ...(typeof o.answer === 'string' && o.answer.trim() ? { answer: o.answer } : {}) });
  });
  return out;
}
