// The older classifier (`classifier: 'logreg'`): softmax regression by SGD.
import type { TrainConfig } from './config.js';
import type { SparseVec } from './features.js';
import { seeded, shuffle } from './split.js';

/** Multinomial logistic regression by SGD, class-weighted. Returns [V × K] row-major weights, then K biases. */
export function fitLogreg(X: SparseVec[], y: number[], counts: number[], V: number, K: number, cfg: TrainConfig, onEpoch: () => void): Float32Array {
  const N = X.length;
  const cw = counts.map((c) => (c === 0 ? 0 : Math.pow(N / (K * c), cfg.classWeightPower)));

  // SGD on the L2-regularised softmax loss; W = scale · V keeps the decay O(1) per step.
  const W = new Float64Array((V + 1) * K);
  const bOff = V * K;
  let scale = 1;
  const rand = seeded(cfg.seed);
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
      for (let k = 0; k < K; k++) z[k] = (z[k]! / sum - (k === y[i] ? 1 : 0)) * w; // gradient per class
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
  return weights;
}
