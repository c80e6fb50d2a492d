// A trained model: scores, calibrated probabilities and the k best labels of a text.
import type { Jieba } from '@node-rs/jieba';
import { calibratedLogits, softmax } from './calibration.js';
import { featurize, getJieba, vectorize, type SparseVec } from './features.js';
import { modelFiles, partsFromFiles, readModelFolder, writeModelFolder, type ModelMeta } from './persist.js';

export interface Prediction {
  label: string;
  confidence: number;
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
    return order.slice(0, k).map((i) => ({ label: this.meta.labels[i]!, confidence: p[i]! }));
  }

  /** The model as named files (what `save` writes and the database stores). */
  toFiles(): Record<string, Buffer> {
    return modelFiles(this);
  }

  static fromFiles(files: Record<string, Uint8Array>): TextModel {
    const p = partsFromFiles(files);
    return new TextModel(p.meta, p.vocab, p.idf, p.weights, p.userDict);
  }

  save(dir: string) {
    writeModelFolder(dir, this.toFiles());
  }

  static load(dir: string): TextModel {
    return TextModel.fromFiles(readModelFolder(dir));
  }
}

/** Raw scores of a vector, one per label: W·x + b over the weights' layout ([V × K] row-major, then K biases). */
export function scores(W: Float32Array, x: SparseVec, K: number, V: number): Float64Array {
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
