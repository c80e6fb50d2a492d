import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { defaultConfig, type AppContext } from '../core/context.js';
import { progressBar } from '../cli/progress.js';
import { dbOptions, withDb, type DbOptions } from '../cli/shared.js';
import { checkMonth } from './measures.js';
import { rebuildKpi } from './service.js';
import { monthlyWorkbook } from './report.js';

// The measures take a context; a command has no listeners to notify.
const withContext = <T>(o: DbOptions, fn: (ctx: AppContext) => Promise<T>) => withDb(o, (db) => fn({ db, config: defaultConfig, orderListeners: [] }));

export function commands(program: Command) {
  const kpi = program.command('kpi').description('assessment measures (考核)');
  dbOptions(kpi.command('rebuild').description('recompute the assessment aggregates from the order history')).action(async (o: DbOptions) => {
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
  ).action(async (o: DbOptions & { month: string; out: string }) => {
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
