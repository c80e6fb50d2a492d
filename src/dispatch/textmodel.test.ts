// The text model itself: the SVM and the SGD logistic regression learn the fixture,
// FAQ answers teach words the questions lack, a model survives its files unchanged,
// calibration and decision offsets come from out-of-fold scores and survive save and load,
// the word features weigh wordWeight through their IDF, and the cross-validation folds are stratified.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../db/migrate.js';
import { DEFAULT_CONFIG, TextModel, evaluate, readJsonl, stratifiedFolds, train, type Example } from './textmodel/index.js';

const fixtures = join(packageRoot, 'src', 'dispatch', 'fixtures');
const trainSet = readJsonl(join(fixtures, 'train.jsonl'));
const evalSet = readJsonl(join(fixtures, 'eval.jsonl'));

describe('text model', () => {
  it('learns the fixture with the SVM (default) and with logistic regression, with probabilities that sum to 1', () => {
    for (const classifier of ['svm', 'logreg'] as const) {
      const model = train(trainSet, { config: { classifier } });
      expect(model.meta.config.classifier).toBe(classifier);
      const r = evaluate(model, evalSet);
      expect(r.accuracy, classifier).toBeGreaterThanOrEqual(0.9);
      const p = model.probabilities(evalSet[0]!.text);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(model.meta.temperature).toBeGreaterThan(0);
    }
  });

  it('trains on an answer as extra text of its label, unless told not to', () => {
    // The questions say nothing of 公积金 or 医保; only the answers do.
    const faq: Example[] = [];
    for (let i = 0; i < 12; i++) {
      faq.push({ text: `请问第${i}个问题怎么办理`, label: '住房公积金管理中心', answer: `住房公积金提取贷款缴存，公积金中心办理 ${i}` });
      faq.push({ text: `想咨询第${i}件事情的流程`, label: '医保局', answer: `医保报销结算，医疗保险参保缴费 ${i}` });
    }
    const withAnswers = train(faq);
    expect(withAnswers.vocab).toContain('w公积金');
    expect(withAnswers.predict('公积金贷款', 1)[0]!.label).toBe('住房公积金管理中心');
    expect(withAnswers.predict('医保报销', 1)[0]!.label).toBe('医保局');
    const without = train(faq, { config: { useAnswers: false } });
    expect(without.vocab).not.toContain('w公积金');
  });

  it('reads answers from JSONL and predicts the same after save and load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-textmodel-'));
    try {
      const file = join(dir, 'faq.jsonl');
      writeFileSync(file, '{"text":"问","label":"甲","answer":"答"}\n{"text":"问2","label":"乙","answer":" "}\n');
      expect(readJsonl(file)).toEqual([
        { text: '问', label: '甲', answer: '答' },
        { text: '问2', label: '乙' },
      ]);
      const model = train(trainSet);
      model.save(dir);
      const loaded = TextModel.load(dir);
      for (const e of evalSet) expect(loaded.predict(e.text, 3)).toEqual(model.predict(e.text, 3));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fits calibration and macro-F1 decision offsets on out-of-fold scores, and keeps them through save and load', () => {
    // An imbalanced set: 40 of one label, 8 of another whose messages share most words with the first.
    const data: Example[] = [];
    for (let i = 0; i < 40; i++) data.push({ text: `小区门口道路${i % 7 ? '积水' : '破损'}，车辆通行不便，第${i}次反映`, label: '道路' });
    for (let i = 0; i < 8; i++) data.push({ text: `小区门口道路积水，排水井盖堵塞，第${i}次反映`, label: '排水' });
    const model = train(data, { config: { cvFolds: 4, calibration: 'vector', labelOffsets: true } });
    expect([0.3, 1, 3]).toContain(model.meta.config.C); // chosen from the default Cgrid
    expect(model.meta.scale).toHaveLength(2);
    expect(model.meta.shift).toHaveLength(2);
    const p = model.probabilities(data[0]!.text);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    // Offsets move the first suggestion only; the confidences stay the calibrated probabilities.
    const offsets = model.labels.map((l) => (l === '排水' ? 50 : 0));
    const pushed = new TextModel({ ...model.meta, offsets }, model.vocab, model.idf, model.weights);
    const text = data[0]!.text;
    expect(pushed.predict(text, 1)[0]!.label).toBe('排水');
    expect(
      pushed
        .predict(text, 2)
        .map((x) => x.confidence)
        .sort(),
    ).toEqual(
      model
        .predict(text, 2)
        .map((x) => x.confidence)
        .sort(),
    );
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-textmodel-'));
    try {
      pushed.save(dir);
      const loaded = TextModel.load(dir);
      expect(loaded.meta.offsets).toEqual(offsets);
      expect(loaded.meta.scale).toEqual(model.meta.scale);
      for (const e of data) expect(loaded.predict(e.text, 2)).toEqual(pushed.predict(e.text, 2));
      // Offsets of the wrong length are refused.
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...pushed.meta, offsets: [1] }));
      expect(() => TextModel.load(dir)).toThrow(/do not match/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('weighs the word features by wordWeight against the character n-grams, through the IDF', () => {
    expect(DEFAULT_CONFIG.features.wordWeight).toBe(0.85);
    const base = train(trainSet, { config: { features: { wordWeight: 1 } } });
    const half = train(trainSet, { config: { features: { wordWeight: 0.5 } } });
    expect(half.meta.config.features.wordWeight).toBe(0.5);
    expect(half.vocab).toEqual(base.vocab);
    const words = base.vocab.map((f, i) => [f, i] as const).filter(([f]) => f[0] === 'w' || f[0] === 'b');
    const chars = base.vocab.map((f, i) => [f, i] as const).filter(([f]) => f[0] === 'c');
    expect(words.length).toBeGreaterThan(0);
    for (const [, i] of words) expect(half.idf[i]).toBeCloseTo(base.idf[i]! * 0.5, 5);
    for (const [, i] of chars) expect(half.idf[i]).toBe(base.idf[i]);
    expect(evaluate(half, evalSet).accuracy).toBeGreaterThanOrEqual(0.9);
    // A model saved without the option (older code) keeps its own IDF and config when loaded.
    const old = new TextModel(
      { ...base.meta, config: { ...base.meta.config, features: { ...base.meta.config.features, wordWeight: undefined } } },
      base.vocab,
      base.idf,
      base.weights,
    );
    const loaded = TextModel.fromFiles(old.toFiles());
    expect(loaded.meta.config.features.wordWeight).toBeUndefined();
    for (const e of evalSet) expect(loaded.predict(e.text, 3)).toEqual(base.predict(e.text, 3));
  });

  it('deals each label evenly over the folds', () => {
    const items = [...Array(23)].map((_, i) => ({ label: i < 20 ? 'a' : 'b' }));
    const folds = stratifiedFolds(items, 5, 1);
    const count = (label: string, f: number) => items.filter((it, i) => it.label === label && folds[i] === f).length;
    for (let f = 0; f < 5; f++) expect(count('a', f)).toBe(4);
    expect(new Set(items.map((_, i) => folds[i]).filter((_, i) => items[i]!.label === 'b')).size).toBe(3);
  });
});
