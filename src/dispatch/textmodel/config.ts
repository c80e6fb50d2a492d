// How a text model is built: its features and its training, with the defaults.

export interface FeatureConfig {
  /** Character n-gram range, e.g. [1, 3]. */
  charMin: number;
  charMax: number;
  words: boolean;
  wordBigrams: boolean;
  /** Keep features seen in at least this many training texts; 0 = automatic (1 under 1,500 texts, else 2). */
  minDf: number;
  /** Cap on vocabulary size (most frequent kept). */
  maxFeatures: number;
  /**
   * Weight of the word and word-bigram features against the character n-grams, folded into their IDF before
   * the L2 normalisation (1 = as is; absent = 1, as in models trained before the option). The default 0.85
   * leans a little towards the character n-grams: 5-fold CV macro-F1 up on tipdm7, bj-faqdept (and bj-domain).
   */
  wordWeight?: number;
  /** Term weight before IDF: 'sublinear' = 1 + log(count), 'binary' = 1. */
  tf?: 'sublinear' | 'binary';
}

export interface TrainConfig {
  features: FeatureConfig;
  /** 'svm': one-vs-rest L2-loss linear SVM by dual coordinate descent; 'logreg': softmax regression by SGD. */
  classifier: 'svm' | 'logreg';
  /** SVM: cost of a margin violation (larger = less regularised); the one chosen from Cgrid when that is tried. */
  C: number;
  /** SVM with cvFolds ≥ 2: costs to try by the internal cross-validation (best out-of-fold macro-F1 wins); empty = just C. */
  Cgrid: number[];
  /** How the internal CV ranks the costs: out-of-fold macro-F1, or log-likelihood after the temperature fit. */
  cSelect: 'f1' | 'nll';
  /** SVM: stop when the projected-gradient spread falls under this (liblinear's eps). */
  tolerance: number;
  /** Train also on the `answer` of an example when the data has one (FAQ answers name the department's matters). */
  useAnswers: boolean;
  /** SVM: cost multiplier of an answer row (1 = as much as a message). */
  answerWeight: number;
  /** SGD epochs (logreg) or at most this many passes per class (svm, × 4). */
  epochs: number;
  /** L2 regularisation strength. */
  lambda: number;
  /** Initial learning rate. */
  eta0: number;
  /** Class weight = (n / (k · n_c)) ^ classWeightPower; 0 = unweighted, 1 = balanced. */
  classWeightPower: number;
  /** Share of the data held out to fit the temperature when cvFolds = 1 (then the model is retrained on all). */
  calibrationShare: number;
  /**
   * Folds of the internal stratified cross-validation whose out-of-fold scores choose C and fit the calibration
   * and the label offsets: 0 = automatic (5 under 4,000 examples, where estimates are noisier and fits are
   * cheap, else 3, to keep training time down); 1 = one held-out slice of calibrationShare, temperature only.
   */
  cvFolds: number;
  /** Fit per-label score offsets on the out-of-fold scores to maximise macro-F1 (needs cvFolds ≥ 2). */
  labelOffsets: boolean;
  /** The fitted offsets are multiplied by this (1 = as fitted, < 1 = shrunk towards 0). */
  offsetShrink: number;
  /** Decision offsets are searched in [-offsetRange, offsetRange] (log-probability units). */
  offsetRange: number;
  /** 'temperature': one softmax temperature; 'vector': per-label scale and shift (needs cvFolds ≥ 2). */
  calibration: 'temperature' | 'vector';
  /** SVM: scale each class's features by their naive-Bayes log-count ratio (NB-SVM), this power of it (0 = off). */
  nbScale: number;
  seed: number;
}

export const DEFAULT_CONFIG: TrainConfig = {
  features: { charMin: 1, charMax: 3, words: true, wordBigrams: true, minDf: 0, maxFeatures: 400_000, wordWeight: 0.85 },
  classifier: 'svm',
  C: 1,
  Cgrid: [0.3, 1, 3],
  cSelect: 'f1',
  tolerance: 0.1,
  useAnswers: true,
  answerWeight: 1,
  epochs: 12,
  lambda: 1e-6,
  eta0: 1,
  classWeightPower: 1,
  calibrationShare: 0.1,
  cvFolds: 0,
  labelOffsets: true,
  offsetShrink: 1,
  offsetRange: 2,
  calibration: 'vector',
  nbScale: 0,
  seed: 42,
};
