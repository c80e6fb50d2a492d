// The dispatch text model: jieba words (+ word bigrams) and character 1–3 grams,
// sublinear TF-IDF, L2-normalised, into a linear classifier: by default one-vs-rest
// L2-loss linear SVMs solved by dual coordinate descent (as liblinear does; it converges
// far better than SGD on sparse TF-IDF), or a multinomial logistic regression by SGD.
// A softmax temperature fitted on a held-out slice turns the scores into calibrated
// confidences. Runs on one CPU core in plain JS.
// A model is a folder of plain files: model.json (config, labels, temperature),
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
}

export interface TrainConfig {
  features: FeatureConfig;
  /** 'svm': one-vs-rest L2-loss linear SVM by dual coordinate descent; 'logreg': softmax regression by SGD. */
  classifier: 'svm' | 'logreg';
  /** SVM: cost of a margin violation (larger = less regularised). */
  C: number;
  /** SVM: stop when the projected-gradient spread falls under this (liblinear's eps). */
  tolerance: number;
  /** Train also on the `answer` of an example when the data has one (FAQ answers name the department's matters). */
  useAnswers: boolean;
  /** SGD epochs (logreg) or at most this many passes per class (svm, × 4). */
  epochs: number;
  /** L2 regularisation strength. */
  lambda: number;
  /** Initial learning rate. */
  eta0: number;
  /** Class weight = (n / (k · n_c)) ^ classWeightPower; 0 = unweighted, 1 = balanced. */
  classWeightPower: number;
  /** Share of the data held out to fit the temperature (then the model is retrained on all). */
  calibrationShare: number;
  seed: number;
}

export const DEFAULT_CONFIG: TrainConfig = {
  features: { charMin: 1, charMax: 3, words: true, wordBigrams: true, minDf: 0, maxFeatures: 400_000 },
  classifier: 'svm',
  C: 1,
  tolerance: 0.1,
  useAnswers: true,
  epochs: 12,
  lambda: 1e-6,
  eta0: 1,
  classWeightPower: 1,
  calibrationShare: 0.1,
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

function vectorize(feats: string[], vocab: Map<string, number>, idf: Float32Array): SparseVec {
  const tf = new Map<number, number>();
  for (const f of feats) {
    const j = vocab.get(f);
    if (j !== undefined) tf.set(j, (tf.get(j) ?? 0) + 1);
  }
  const idx = new Int32Array(tf.size);
  const val = new Float32Array(tf.size);
  let i = 0;
  let norm = 0;
  for (const [j, c] of tf) {
    const v = (1 + Math.log(c)) * idf[j]!;
    idx[i] = j;
    val[i] = v;
    norm += v * v;
    i++;
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
    const x = vectorize(featurize(text, this.meta.config.features, this.jieba), this.vocabIndex, this.idf);
    return scores(this.weights, x, K, this.meta.vocabSize);
  }

  /** Calibrated probabilities, one per label. */
  probabilities(text: string): Float64Array {
    return softmax(this.logits(text), this.meta.temperature);
  }

  /** The k most likely labels with calibrated confidences, best first. */
  predict(text: string, k = 3): Prediction[] {
    const p = this.probabilities(text);
    return [...p.keys()]
      .sort((a, b) => p[b]! - p[a]!)
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
    if (vocab.length !== meta.vocabSize || idf.length !== meta.vocabSize || weights.length !== (meta.vocabSize + 1) * meta.labels.length) {
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
  config?: Partial<TrainConfig> & { features?: Partial<FeatureConfig> };
  userDict?: string;
  target?: string;
  /** Called with the work done so far, out of `total`. */
  onProgress?: (done: number, total: number, stage: string) => void;
}

function mergeConfig(c: TrainOptions['config']): TrainConfig {
  return { ...DEFAULT_CONFIG, ...c, features: { ...DEFAULT_CONFIG.features, ...c?.features } };
}

interface Fitted {
  vocab: string[];
  idf: Float32Array;
  weights: Float32Array;
  labels: string[];
  /** SVM: the dual variables, one array over the examples per class. */
  alpha?: Float64Array[];
}

/** Trains a model: fits a temperature on a held-out slice, then retrains on everything. */
export function train(examples: Example[], opts: TrainOptions = {}): TextModel {
  const t0 = performance.now();
  const cfg = mergeConfig(opts.config);
  const jieba = getJieba(opts.userDict);
  if (examples.length === 0) throw new Error('没有训练样本 (no training examples)');
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  if (labels.length < 2) throw new Error('至少需要两个类别 (need at least two labels)');
  const feats = examples.map((e) => featurize(e.text, cfg.features, jieba));
  const answerFeats = examples.map((e) => (cfg.useAnswers && e.answer ? featurize(e.answer, cfg.features, jieba) : null));
  const items = examples.map((e, i) => ({ label: e.label, i }));
  const calibrate = cfg.calibrationShare > 0 && examples.length >= 20;
  const [fitPart, calPart] = calibrate ? stratifiedSplit(items, cfg.calibrationShare, cfg.seed) : [items, []];
  const steps = cfg.classifier === 'svm' ? labels.length : cfg.epochs;
  const total = (calibrate ? 2 : 1) * steps;
  let done = 0;
  const progress = (stage: string) => opts.onProgress?.(++done, total, stage);
  // The examples to fit on: the texts, then any answers as extra texts of the same label.
  const fitSet = (part: { label: string; i: number }[]) => {
    const f = part.map((x) => feats[x.i]!);
    const y = part.map((x) => x.label);
    const keys = part.map((x) => x.i);
    for (const x of part) {
      const a = answerFeats[x.i];
      if (a) f.push(a), y.push(x.label), keys.push(-1 - x.i);
    }
    return { f, y, keys };
  };
  let warm: Map<number, number>[] | undefined;

  let temperature = 1;
  if (calibrate && calPart.length > 0) {
    const { f, y, keys } = fitSet(fitPart);
    const fitted = fit(f, y, labels, cfg, () => progress('calibration'));
    // The dual variables of the calibration fit start the full fit (same examples, a few more).
    warm = fitted.alpha?.map((a) => new Map(keys.map((key, r) => [key, a[r]!])));
    const index = new Map(fitted.vocab.map((f, i) => [f, i]));
    const K = labels.length;
    const cal = calPart.map((x) => ({
      z: scores(fitted.weights, vectorize(feats[x.i]!, index, fitted.idf), K, fitted.vocab.length),
      y: labels.indexOf(x.label),
    }));
    temperature = fitTemperature(cal);
  }
  const all = fitSet(items);
  const init = warm?.map((m) => Float64Array.from(all.keys, (key) => m.get(key) ?? 0));
  const full = fit(all.f, all.y, labels, cfg, () => progress('training'), init);
  const meta: ModelMeta = {
    format: 'jiesu-dispatch-textmodel',
    version: 1,
    labels,
    config: cfg,
    temperature,
    vocabSize: full.vocab.length,
    trainedAt: new Date().toISOString(),
    trainSize: examples.length,
    trainSeconds: Math.round((performance.now() - t0) / 100) / 10,
    ...(opts.target ? { target: opts.target } : {}),
  };
  return new TextModel(meta, full.vocab, full.idf, full.weights, opts.userDict);
}

function fit(feats: string[][], ys: string[], labels: string[], cfg: TrainConfig, onEpoch: () => void, init?: Float64Array[]): Fitted {
  // Vocabulary by document frequency.
  const df = new Map<string, number>();
  for (const f of feats) for (const x of new Set(f)) df.set(x, (df.get(x) ?? 0) + 1);
  const minDf = cfg.features.minDf || (feats.length < 1500 ? 1 : 2);
  let kept = [...df].filter(([, c]) => c >= minDf);
  if (kept.length > cfg.features.maxFeatures) kept = kept.sort((a, b) => b[1] - a[1]).slice(0, cfg.features.maxFeatures);
  kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const vocab = kept.map(([f]) => f);
  const N = feats.length;
  const idf = new Float32Array(vocab.length);
  kept.forEach(([, c], i) => (idf[i] = Math.log((1 + N) / (1 + c)) + 1));
  const index = new Map(vocab.map((f, i) => [f, i]));
  const X = feats.map((f) => vectorize(f, index, idf));
  const K = labels.length;
  const y = ys.map((l) => labels.indexOf(l));
  const counts = new Array<number>(K).fill(0);
  for (const c of y) counts[c]!++;
  const cw = counts.map((c) => (c === 0 ? 0 : Math.pow(N / (K * c), cfg.classWeightPower)));
  if (cfg.classifier === 'svm') {
    const alpha = init ?? labels.map(() => new Float64Array(N));
    return { vocab, idf, weights: fitSvm(X, y, counts, vocab.length, K, cfg, onEpoch, alpha), labels, alpha };
  }

  // SGD on the L2-regularised softmax loss; W = scale · V keeps the decay O(1) per step.
  const V = vocab.length;
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
  return { vocab, idf, weights, labels };
}

/**
 * One-vs-rest L2-regularised L2-loss linear SVMs by dual coordinate descent
 * (Hsieh et al. 2008, liblinear's default solver), with a bias feature of 1 and
 * per-class costs C · (N / 2n)^classWeightPower for the positive and negative side.
 * Returns [V × K] row-major weights, then K biases.
 */
function fitSvm(X: SparseVec[], y: number[], counts: number[], V: number, K: number, cfg: TrainConfig, onClass: () => void, alphas: Float64Array[]): Float32Array {
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
    const Cp = cfg.C * Math.pow(N / (2 * pos), cfg.classWeightPower);
    const Cn = cfg.C * Math.pow(N / (2 * Math.max(1, neg)), cfg.classWeightPower);
    for (let i = 0; i < N; i++) {
      sign[i] = y[i] === k ? 1 : -1;
      D[i] = 1 / (2 * (sign[i]! > 0 ? Cp : Cn));
      Q[i] = sq[i]! + D[i]!;
      const d = alpha[i]! * sign[i]!; // a warm start: w = Σ αᵢ yᵢ xᵢ
      if (d !== 0) {
        const x = X[i]!;
        for (let n = 0; n < x.idx.length; n++) w[x.idx[n]!]! += d * x.val[n]!;
        w[V]! += d;
      }
    }
    for (let pass = 0; pass < maxPasses; pass++) {
      shuffle(order, rand);
      let pgMax = -Infinity;
      let pgMin = Infinity;
      for (const i of order) {
        const x = X[i]!;
        let g = w[V]!;
        for (let n = 0; n < x.idx.length; n++) g += w[x.idx[n]!]! * x.val[n]!;
        const a0 = alpha[i]!;
        const G = sign[i]! * g - 1 + D[i]! * a0;
        const PG = a0 === 0 ? Math.min(G, 0) : G;
        if (PG > pgMax) pgMax = PG;
        if (PG < pgMin) pgMin = PG;
        if (Math.abs(PG) < 1e-12) continue;
        const a = Math.max(a0 - G / Q[i]!, 0);
        alpha[i] = a;
        const d = (a - a0) * sign[i]!;
        for (let n = 0; n < x.idx.length; n++) w[x.idx[n]!]! += d * x.val[n]!;
        w[V]! += d;
      }
      if (pgMax - pgMin <= cfg.tolerance) break;
    }
    for (let j = 0; j < V; j++) out[j * K + k] = w[j]!;
    out[V * K + k] = w[V]!;
    onClass();
  }
  return out;
}

/** The temperature that minimises the held-out negative log-likelihood (golden-section on log T). */
export function fitTemperature(cal: { z: Float64Array; y: number }[]): number {
  const nll = (T: number) => {
    let s = 0;
    for (const { z, y } of cal) s -= Math.log(Math.max(softmax(z, T)[y]!, 1e-12));
    return s;
  };
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
