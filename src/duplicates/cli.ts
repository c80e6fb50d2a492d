import type { Command } from 'commander';
import { progressBar } from '../cli/progress.js';
import { dbOptions, withDb, type DbOptions } from '../cli/shared.js';
import { reindex } from './index.js';

export function commands(program: Command) {
  const dup = program.command('duplicates').description('near-duplicate orders and hot topics');
  dbOptions(
    dup
      .command('reindex')
      .description('build the text signatures of orders that have none (all of them with --all)')
      .option('--all', 'rebuild every signature (after a change of tokenizer or settings)'),
  ).action((o: DbOptions & { all?: boolean }) =>
    withDb(o, async (db) => {
      const t0 = Date.now();
      const bar = progressBar('签名 signatures');
      const { indexed } = await reindex(db, { all: o.all, onProgress: (d, t) => bar.update(d, t) });
      bar.stop();
      console.log(`已索引 (indexed) ${indexed} orders in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }),
  );
}
