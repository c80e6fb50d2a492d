// How good a model is on labelled texts: accuracy, macro-F1, top-3, calibration error, speed.
import type { Example } from './examples.js';
import type { TextModel } from './model.js';

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
