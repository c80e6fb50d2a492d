// Training: an internal stratified cross-validation chooses the SVM cost, its out-of-fold
// scores fit the calibration and the label offsets, then the classifier is refitted on all
// the data. Runs on one CPU core in plain JS.
import { calibratedLogits, fitOffsets, fitTemperature, fitVectorScaling, nllAt } from './calibration.js';
import { DEFAULT_CONFIG, type FeatureConfig, type TrainConfig } from './config.js';
import type { Example } from './examples.js';
import { buildVocab, featurize, getJieba, vectorize, type SparseVec } from './features.js';
import { fitLogreg } from './logreg.js';
import { scores, TextModel } from './model.js';
import type { ModelMeta } from './persist.js';
import { stratifiedFolds, stratifiedSplit } from './split.js';
import { fitSvm } from './svm.js';

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
      const fitted = fit(
        rows.map((r) => X[r]!),
        rows.map((r) => y[r]!),
        V,
        K,
        cfgC,
        () => progress('calibration'),
        foldAlpha[f],
        rows.map((r) => rowCost[r]!),
      );
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
  const init = alphaSum?.map((s) => s.map((v, r) => (alphaCnt[r] ? v / alphaCnt[r] : 0)));
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
  return { weights: fitLogreg(X, y, counts, V, K, cfg, onEpoch) };
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
