// The demo city's dispatch models, trained from its own history (what `jiesu dispatch train
// --from-history` does), so that `npm start` shows unit and category suggestions at once.
import type { Database } from '../db/database.js';
import { trainFromHistory } from '../dispatch/index.js';

/**
 * A sample of the most recent closed orders and a lighter model than a city's own training
 * (one cost, no label offsets, character n-grams up to two): the demo's texts are written from
 * templates, and a few seconds matter more on `npm start` than the last point of accuracy.
 */
export const DEMO_TRAINING = {
  limit: 1500,
  config: { Cgrid: [1], epochs: 2, labelOffsets: false, features: { charMax: 2, wordBigrams: false, maxFeatures: 60_000 } },
};

export interface DemoModels {
  unit: number | null;
  category: number | null;
  examples: number;
  ms: number;
}

export async function trainDemoModels(db: Database): Promise<DemoModels> {
  const t0 = performance.now();
  const result = await trainFromHistory(db, DEMO_TRAINING);
  const id = (t: string) => result.find((r) => r.target === t)?.modelId ?? null;
  return { unit: id('unit'), category: id('category'), examples: Math.max(0, ...result.map((r) => r.examples)), ms: performance.now() - t0 };
}

export const describeDemoModels = (m: DemoModels) =>
  m.unit || m.category
    ? `派单模型已从演示历史训练 (dispatch models trained from the demo's history): ${m.examples} closed orders, ${(m.ms / 1000).toFixed(1)} s`
    : `演示历史中已办结工单太少，未训练派单模型 (too few closed orders in the demo's history to train the dispatch models)`;
