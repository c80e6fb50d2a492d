// Seeded shuffles and stratified splits: how the data is cut for calibration, for the choice
// of the SVM cost and for evaluation.
import { Rng } from '../../core/random.js';

/**
 * The shared generator (src/core/random.ts) as a function, seeded so that training and splits are
 * reproducible. The seed is its state as it is (Rng.resume), as the model has always drawn.
 */
export function seeded(seed: number): () => number {
  const r = Rng.resume(seed);
  return () => r.next();
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
  const rand = seeded(seed);
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
  const rand = seeded(seed);
  const fold = new Array<number>(items.length).fill(0);
  let start = 0;
  for (const label of [...byLabel.keys()].sort()) {
    shuffle(byLabel.get(label)!, rand).forEach((i, j) => (fold[i] = (start + j) % k));
    start += byLabel.get(label)!.length; // small labels do not all land in fold 0
  }
  return fold;
}
