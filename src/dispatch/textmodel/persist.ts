// A model as files: model.json (config, labels, calibration, offsets), vocab.json (feature
// strings), idf.bin and weights.bin (little-endian float32), and userdict.txt when a custom
// jieba dictionary was used. A folder on disk holds them (`jiesu dispatch train --out`), and
// the server stores the same files in the database.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainConfig } from './config.js';

export interface ModelMeta {
  format: 'jiesu-dispatch-textmodel';
  version: 1;
  labels: string[];
  config: TrainConfig;
  temperature: number;
  /** Vector scaling (replaces the temperature when present): probabilities = softmax(scale_k · score_k + shift_k). */
  scale?: number[];
  shift?: number[];
  /** Decision offsets on the log-probabilities (fitted for macro-F1): the first suggestion is argmax(log p_k + offset_k), the rest follow by probability. */
  offsets?: number[];
  vocabSize: number;
  trainedAt: string;
  trainSize: number;
  trainSeconds?: number;
  /** What the labels are: free text, unit ids or category codes. */
  target?: string;
}

/** What a model is made of, as its files hold it. */
export interface ModelParts {
  meta: ModelMeta;
  vocab: string[];
  idf: Float32Array;
  /** [vocabSize × K] row-major, then K biases. */
  weights: Float32Array;
  userDict?: string;
}

/** The model as named files (what `save` writes and the database stores). */
export function modelFiles(m: ModelParts): Record<string, Buffer> {
  const files: Record<string, Buffer> = {
    'model.json': Buffer.from(JSON.stringify(m.meta, null, 2) + '\n'),
    'vocab.json': Buffer.from(JSON.stringify(m.vocab)),
    'idf.bin': f32ToBuffer(m.idf),
    'weights.bin': f32ToBuffer(m.weights),
  };
  if (m.userDict) files['userdict.txt'] = Buffer.from(m.userDict);
  return files;
}

/** The parts of a model from its files, checked against each other. */
export function partsFromFiles(files: Record<string, Uint8Array>): ModelParts {
  const need = (n: string) => {
    const f = files[n];
    if (!f) throw new Error(`模型缺少文件 (model file missing): ${n}`);
    return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
  };
  const meta = JSON.parse(need('model.json').toString('utf8')) as ModelMeta;
  if (meta.format !== 'jiesu-dispatch-textmodel') throw new Error('不是 jiesu 分拨模型 (not a jiesu dispatch model)');
  const vocab = JSON.parse(need('vocab.json').toString('utf8')) as string[];
  const idf = bufferToF32(need('idf.bin'));
  const weights = bufferToF32(need('weights.bin'));
  if (
    [meta.offsets, meta.scale, meta.shift].some((a) => a && a.length !== meta.labels.length) ||
    vocab.length !== meta.vocabSize ||
    idf.length !== meta.vocabSize ||
    weights.length !== (meta.vocabSize + 1) * meta.labels.length
  ) {
    throw new Error('模型文件不一致 (model files do not match each other)');
  }
  const ud = files['userdict.txt'];
  return { meta, vocab, idf, weights, userDict: ud ? Buffer.from(ud).toString('utf8') : undefined };
}

export function writeModelFolder(dir: string, files: Record<string, Buffer>) {
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
}

export function readModelFolder(dir: string): Record<string, Uint8Array> {
  if (!existsSync(join(dir, 'model.json'))) throw new Error(`${dir} 不是模型目录 (no model.json in ${dir})`);
  const files: Record<string, Uint8Array> = {};
  for (const n of ['model.json', 'vocab.json', 'idf.bin', 'weights.bin', 'userdict.txt']) {
    if (existsSync(join(dir, n))) files[n] = readFileSync(join(dir, n));
  }
  return files;
}

export function f32ToBuffer(a: Float32Array): Buffer {
  const b = Buffer.alloc(a.length * 4);
  for (let i = 0; i < a.length; i++) b.writeFloatLE(a[i]!, i * 4);
  return b;
}

export function bufferToF32(b: Buffer): Float32Array {
  if (b.length % 4) throw new Error('模型文件损坏 (corrupt float32 file)');
  const a = new Float32Array(b.length / 4);
  for (let i = 0; i < a.length; i++) a[i] = b.readFloatLE(i * 4);
  return a;
}
