// The dispatch text model on the real messages in ../shared/data: a fixed, stratified
// 80/20 split of each training file (seed 12345), train on 80 %, measure on 20 %.
// "First-time-right" is the share of held-out messages whose top suggestion is the right
// label when the model is sure enough to dispatch alone (confidence ≥ 0.9), with the
// coverage (share of messages it would dispatch alone) beside it. Without --quick, each
// set is also measured by stratified 5-fold cross-validation (seed 12345) over the whole
// training file: mean ± standard deviation over the folds. Timings are wall-clock and
// CPU time of this process, with the load average beside them (the machine is shared).
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { round, type Benchmark, type BenchResult } from '../../bench/harness.js';
import { packageRoot } from '../db/migrate.js';
import { evaluate, readJsonl, stratifiedFolds, stratifiedSplit, train } from './textmodel/index.js';

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
const meanSd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { m, sd: Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1)) };
};

const SETS: { name: string; f1Target: number; top3Target?: number }[] = [
  { name: 'tipdm7', f1Target: 0.92, top3Target: 0.995 },
  { name: 'bj-domain', f1Target: 0.55, top3Target: 0.95 },
  { name: 'bj-type', f1Target: 0.84 },
  { name: 'bj-faqdept', f1Target: 0.87 },
];

export const dispatchBench: Benchmark = {
  module: 'dispatch',
  title: 'text model on ../shared/data (stratified 80/20 split, seed 12345)',
  run({ quick }) {
    const dataDir = join(packageRoot, '..', 'shared', 'data');
    if (!existsSync(dataDir)) {
      return [{ name: 'skipped', value: 0, unit: '', notes: `${dataDir} is absent: the real messages are not on this machine` }];
    }
    const out: BenchResult[] = [];
    for (const set of quick ? SETS.filter((s) => s.name !== 'bj-type') : SETS) {
      const file = join(dataDir, `${set.name}-train.jsonl`);
      if (!existsSync(file)) continue;
      const data = readJsonl(file);
      const [tr, te] = stratifiedSplit(data, 0.2, 12345);
      const t0 = performance.now();
      const c0 = cpuSeconds();
      const model = train(tr);
      const trainS = (performance.now() - t0) / 1000;
      const trainCpu = cpuSeconds() - c0;
      const trainLoad = load();
      model.predict(te[0]!.text);
      const c1 = cpuSeconds();
      const r = evaluate(model, te);
      const predictCpuMs = ((cpuSeconds() - c1) * 1000) / te.length;
      const predictLoad = load();
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
          name: `${s}: top-3 accuracy`,
          value: round(r.top3Accuracy, 4),
          unit: '',
          ...(set.top3Target ? { target: `≥ ${set.top3Target}`, pass: r.top3Accuracy >= set.top3Target } : {}),
        },
        {
          name: `${s}: ms per message`,
          value: round(r.msPerMessage, 3),
          unit: 'ms',
          target: '< 2 ms',
          pass: r.msPerMessage < 2,
          notes: `wall clock; CPU time ${predictCpuMs.toFixed(3)} ms per message; ${predictLoad} on ${model.meta.vocabSize} features`,
        },
        {
          name: `${s}: training time`,
          value: round(trainS, 1),
          unit: 's',
          target: '< 60 s',
          pass: trainS < 60,
          notes: `wall clock; CPU time ${trainCpu.toFixed(1)} s; ${trainLoad}`,
        },
        { name: `${s}: calibration error (ECE)`, value: round(r.ece, 4), unit: '', notes: `temperature ${model.meta.temperature.toFixed(3)}` },
        {
          name: `${s}: first-time-right when confident (≥ 0.9)`,
          value: round(sure ? sureRight / sure : 0, 4),
          unit: '',
          notes: `the model alone would dispatch ${round((100 * sure) / te.length, 1)} % of messages`,
        },
      );
      if (!quick) {
        const folds = stratifiedFolds(data, 5, 12345);
        const f1s: number[] = [];
        const top3s: number[] = [];
        const accs: number[] = [];
        for (let f = 0; f < 5; f++) {
          const m = train(data.filter((_, i) => folds[i] !== f));
          const rf = evaluate(
            m,
            data.filter((_, i) => folds[i] === f),
          );
          f1s.push(rf.macroF1);
          top3s.push(rf.top3Accuracy);
          accs.push(rf.accuracy);
        }
        const f1 = meanSd(f1s);
        const t3 = meanSd(top3s);
        const acc = meanSd(accs);
        out.push(
          {
            name: `${s}: 5-fold CV macro-F1 (n=${data.length})`,
            value: round(f1.m, 4),
            unit: '',
            target: `≥ ${set.f1Target}`,
            pass: f1.m >= set.f1Target,
            notes: `± ${f1.sd.toFixed(4)} (sd over folds: ${f1s.map((x) => x.toFixed(3)).join(', ')})`,
          },
          { name: `${s}: 5-fold CV accuracy`, value: round(acc.m, 4), unit: '', notes: `± ${acc.sd.toFixed(4)}` },
          {
            name: `${s}: 5-fold CV top-3 accuracy`,
            value: round(t3.m, 4),
            unit: '',
            ...(set.top3Target ? { target: `≥ ${set.top3Target}`, pass: t3.m >= set.top3Target } : {}),
            notes: `± ${t3.sd.toFixed(4)}`,
          },
        );
      }
    }
    return out;
  },
};
