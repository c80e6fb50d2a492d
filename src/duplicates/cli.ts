import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { progressBar } from '../cli/progress.js';
import { reindex } from './index.js';

export function commands(program: Command) {
  const dup = program.command('duplicates').description('near-duplicate orders and hot topics');
  dup
    .command('reindex')
    .description('build the text signatures of orders that have none (all of them with --all)')
    .option('--all', 'rebuild every signature (after a change of tokenizer or settings)')
    .option('--data <dir>', 'PGlite data folder', process.env.JIESU_DATA ?? './data')
    .option('--database-url <url>', 'PostgreSQL server URL', process.env.DATABASE_URL)
    .action(async (o: { all?: boolean; data: string; databaseUrl?: string }) => {
      const db = await openDatabase({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data) });
      try {
        await migrate(db);
        const t0 = Date.now();
        const bar = progressBar('签名 signatures');
        const { indexed } = await reindex(db, { all: o.all, onProgress: (d, t) => bar.update(d, t) });
        bar.stop();
        console.log(`已索引 (indexed) ${indexed} orders in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } finally {
        await db.close();
      }
    });
}
