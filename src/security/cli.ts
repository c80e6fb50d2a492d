// `jiesu retention run`, `jiesu backup`, `jiesu restore`.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { progressBar } from '../cli/progress.js';
import { dbOptions, intArg, withDb, type DbOptions } from '../cli/shared.js';
import { backup, restore } from './backup.js';
import { retentionDays, runRetention } from './retention.js';

export function commands(program: Command) {
  const retention = program.command('retention').description('personal-data retention (PIPL)');
  dbOptions(
    retention
      .command('run')
      .description('anonymise citizens of orders closed more than N days ago (default JIESU_RETENTION_DAYS or 730)')
      .option('--days <n>', 'retention period in days', intArg(1))
      .option('--json', 'print the report as JSON'),
  ).action(
    async (o: DbOptions & { days?: number; json?: boolean }) => {
      const n = retentionDays(o.days);
      await withDb(o, async (db) => {
        const bar = progressBar('anonymising');
        const report = await runRetention(db, { days: n, onProgress: (done) => bar.update(done, done) });
        bar.stop();
        if (o.json) console.log(JSON.stringify(report));
        else
          console.log(
            `retention (${n} days, before ${report.cutoff}): ${report.orders} orders anonymised, ` +
              `${report.events} events, ${report.contacts} contacts, ${report.callers} callers cleared, ${report.attachments} files deleted`,
          );
      });
    },
  );

  dbOptions(program.command('backup').description('back up the database into one file').requiredOption('--out <file>', 'backup file to write')).action(
    async (o: DbOptions & { out: string }) => {
      const r = await backup({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data), out: resolve(o.out) });
      console.log(`backup (${r.kind}) written to ${o.out}: ${r.bytes} bytes`);
    },
  );
  dbOptions(
    program.command('restore').description('restore a backup into an empty PGlite folder or an empty PostgreSQL database').requiredOption('--in <file>', 'backup file to read'),
  ).action(
    async (o: DbOptions & { in: string }) => {
      const r = await restore({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data), input: resolve(o.in) });
      console.log(`restored (${r.kind}) from ${o.in}`);
    },
  );
}
