// From scores to confidences, fitted on out-of-fold scores: one softmax temperature, or a
// per-label scale and shift (vector scaling); and per-label decision offsets that raise
// macro-F1 (small labels get their share of first suggestions).
import type { ModelMeta } from './persist.js';

/** Scores to calibrated logits (softmax gives the probabilities): vector scaling when the model has it, else the temperature. */
export function calibratedLogits(z: Float64Array, meta: Pick<ModelMeta, 'temperature' | 'scale' | 'shift'>): Float64Array {
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

/** The negative log-likelihood of the labels under softmax(scores / T). */
export function nllAt(cal: { z: Float64Array; y: number }[], T: number): number {
  let s = 0;
  for (const { z, y } of cal) s -= Math.log(Math.max(softmax(z, T)[y]!, 1e-12));
  return s;
}

/** The temperature that minimises the held-out negative log-likelihood (golden-section on log T). */
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
          if (v > m) {
            m = v;
            best = j;
          }
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
        if (s > bestS + 1e-9 || (Math.abs(s - bestS) <= 1e-9 && Math.abs(g) < Math.abs(bestB))) {
          bestS = s;
          bestB = g;
        }
      }
      if (bestB !== b[k]) {
        b[k] = bestB;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const mean = b.reduce((a, v) => a + v, 0) / K;
  for (let k = 0; k < K; k++) b[k] = (b[k]! - mean) * shrink;
  return b;
}
