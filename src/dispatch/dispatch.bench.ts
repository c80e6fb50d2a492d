// The dispatch text model on the real messages in ../shared/data: a fixed, stratified
// 80/20 split of each training file (seed 12345), train on 80 %, measure on 20 %.
// "First-time-right" is the share of held-out messages whose top suggestion is the right
// label when the model is sure enough to dispatch alone (confidence ≥ 0.9), with the
// coverage (share of messages it would dispatch alone) beside it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { round, type Benchmark, type BenchResult } from '../../bench/harness.js';
import { packageRoot } from '../db/migrate.js';
import { evaluate, readJsonl, stratifiedSplit, train } from './textmodel.js';

const SETS: { name: string; f1Target: number; top3Target?: number }[] = [
  { name: 'tipdm7', f1Target: 0.92, top3Target: 0.995 },
  { name: 'bj-domain', f1Target: 0.55, top3Target: 0.95 },
  { name: 'bj-type', f1Target: 0.84 },
  { name: 'bj-faqdept', f1Target: 0.87 },
];

export const dispatchBench: Benchmark = {
  module: 'dispatch',
  title: 'text model on ../shared/data (stratified 80/20 split, seed 12345)',
  async run({ quick }) {
    const dataDir = join(packageRoot, '..', 'shared', 'data');
    if (!existsSync(dataDir)) {
      return [{ name: 'skipped', value: 0, unit: '', notes: `${dataDir} is absent: the real messages are not on this machine` }];
    }
    const out: BenchResult[] = [];
    for (const set of quick ? SETS.filter((s) => s.name !== 'bj-type') : SETS) {
      const file = join(dataDir, `${set.name}-train.jsonl`);
      if (!existsSync(file)) continue;
      const [tr, te] = stratifiedSplit(readJsonl(file), 0.2, 12345);
      const t0 = performance.now();
      const model = train(tr);
      const trainS = (performance.now() - t0) / 1000;
      model.predict(te[0]!.text);
      const r = evaluate(model, te);
      let sure = 0;
      let sureRight = 0;
      for (const e of te) {
        const p = model.predict(e.text, 1)[0]!;
        if (p.confidence >= 0.9) {
          sure++;
          if (p.label === e.label) sureRight++;
        }
      }
      const s = set.name;
      out.push(
        { name: `${s}: macro-F1 (n=${r.n})`, value: round(r.macroF1, 4), unit: '', target: `≥ ${set.f1Target}`, pass: r.macroF1 >= set.f1Target },
        { name: `${s}: accuracy`, value: round(r.accuracy, 4), unit: '' },
        {
          name: `${s}: top-3 accuracy`, value: round(r.top3Accuracy, 4), unit: '',
          ...(set.top3Target ? { target: `≥ ${set.top3Target}`, pass: r.top3Accuracy >= set.top3Target } : {}),
        },
        { name: `${s}: ms per message`, value: round(r.msPerMessage, 3), unit: 'ms', target: '< 2 ms', pass: r.msPerMessage < 2 },
        { name: `${s}: training time`, value: round(trainS, 1), unit: 's', target: '< 60 s', pass: trainS < 60 },
        { name: `${s}: calibration error (ECE)`, value: round(r.ece, 4), unit: '', notes: `temperature ${model.meta.temperature.toFixed(3)}` },
        {
          name: `${s}: first-time-right when confident (≥ 0.9)`, value: round(sure ? sureRight / sure : 0, 4), unit: '',
          notes: `the model alone would dispatch ${round((100 * sure) / te.length, 1)} % of messages`,
        },
      );
    }
    return out;
  },
};
