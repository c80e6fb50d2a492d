import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { defaultConfig, type AppContext } from '../http/context.js';
import { progressBar } from '../cli/progress.js';
import { checkMonth } from './measures.js';
import { rebuildKpi } from './service.js';
import { monthlyWorkbook } from './report.js';

async function withContext<T>(o: { data: string; databaseUrl?: string }, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data) });
  try {
    await migrate(db);
    return await fn({ db, config: defaultConfig, orderListeners: [] });
  } finally {
    await db.close();
  }
}

const dbOptions = (c: Command) =>
  c
    .option('--data <dir>', 'PGlite data folder', process.env.JIESU_DATA ?? './data')
    .option('--database-url <url>', 'PostgreSQL server URL', process.env.DATABASE_URL);

export function commands(program: Command) {
  const kpi = program.command('kpi').description('assessment measures (考核)');
  dbOptions(kpi.command('rebuild').description('recompute the assessment aggregates from the order history')).action(async (o) => {
    await withContext(o, async (ctx) => {
      const bar = progressBar('重算考核 rebuild');
      const r = await rebuildKpi(ctx.db, ctx, (d, t) => bar.update(d, t));
      bar.stop();
      console.log(`rebuilt from ${r.orders} orders: ${r.facts} aggregate rows`);
    });
  });

  const report = program.command('report').description('reports');
  dbOptions(
    report
      .command('monthly')
      .description('write the monthly assessment report as an Excel workbook')
      .requiredOption('--month <YYYY-MM>', 'the month')
      .requiredOption('--out <file.xlsx>', 'where to write it'),
  ).action(async (o: { month: string; out: string; data: string; databaseUrl?: string }) => {
    try {
      checkMonth(o.month, 'month');
    } catch (e) {
      throw new Error(`--month: ${(e as Error).message}`);
    }
    await withContext(o, async (ctx) => {
      const buf = await monthlyWorkbook(ctx.db, ctx, o.month);
      writeFileSync(o.out, buf);
      console.log(`wrote ${o.out} (${buf.length} bytes)`);
    });
  });
}
