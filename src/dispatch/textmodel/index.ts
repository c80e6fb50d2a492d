// The dispatch text model: jieba words (+ word bigrams) and character 1–3 grams,
// sublinear TF-IDF, L2-normalised, into a linear classifier: by default one-vs-rest
// L2-loss linear SVMs solved by dual coordinate descent (as liblinear does; it converges
// far better than SGD on sparse TF-IDF), or a multinomial logistic regression by SGD.
// An internal stratified cross-validation chooses the SVM cost; its out-of-fold scores fit
// a per-label scaling of the scores into calibrated confidences, and per-label decision
// offsets that raise macro-F1 (small labels get their share of first suggestions).
// Runs on one CPU core in plain JS. A model is a folder of plain files (persist.ts).
//
//   config.ts       the options and their defaults     examples.ts  labelled texts, JSONL
//   features.ts     text → features → TF-IDF vector    model.ts     TextModel: predict, files
//   svm.ts          the SVMs (dual coordinate descent) logreg.ts    softmax regression by SGD
//   calibration.ts  temperature, vector scaling, label offsets
//   split.ts        seeded shuffles, stratified splits and folds
//   train.ts        cross-validation, calibration, the final fit
//   persist.ts      the model's files                  evaluate.ts  accuracy, macro-F1, ECE
export { DEFAULT_CONFIG, type FeatureConfig, type TrainConfig } from './config.js';
export { readJsonl, type Example } from './examples.js';
export { TextModel, type Prediction } from './model.js';
export type { ModelMeta } from './persist.js';
export { stratifiedFolds, stratifiedSplit } from './split.js';
export { train, type TrainOptions } from './train.js';
export { evaluate, type EvalResult } from './evaluate.js';
