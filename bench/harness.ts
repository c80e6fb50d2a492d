// Benchmark types and helpers shared by the modules' `*.bench.ts` files.
import { performance } from 'node:perf_hooks';

export interface BenchResult {
  /** What was measured, e.g. "create work order, p95". */
  name: string;
  value: number;
  unit: string;
  /** The target, e.g. "< 50 ms"; with `pass` when it can be judged. */
  target?: string;
  pass?: boolean;
  notes?: string;
}

export interface Benchmark {
  module: string;
  title: string;
  run(opts: { databaseUrl?: string; quick: boolean }): BenchResult[] | Promise<BenchResult[]>;
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Times fn n times; returns the durations in ms. */
export async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
