// `jiesu retention run`, `jiesu backup`, `jiesu restore`.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { AppError } from '../http/errors.js';
import { progressBar } from '../cli/progress.js';
import { backup, restore } from './backup.js';
import { retentionDays, runRetention } from './retention.js';

function guard<A extends unknown[]>(fn: (...a: A) => Promise<void>) {
  return async (...a: A) => {
    try {
      await fn(...a);
    } catch (e) {
      const err = e as Error & { code?: string };
      if (e instanceof AppError || ['ENOENT', 'EACCES', 'ECONNREFUSED', '3D000', '28P01'].includes(err.code ?? '')) {
        console.error(`jiesu: ${err.message}`);
        process.exit(1);
      }
      throw e;
    }
  };
}

const days = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

interface DbOpts {
  data: string;
  databaseUrl?: string;
}
const dbOptions = (c: Command) =>
  c
    .option('--data <dir>', 'PGlite data folder', process.env.JIESU_DATA ?? './data')
    .option('--database-url <url>', 'PostgreSQL server URL', process.env.DATABASE_URL);

export function commands(program: Command) {
  const retention = program.command('retention').description('personal-data retention (PIPL)');
  dbOptions(
    retention
      .command('run')
      .description('anonymise citizens of orders closed more than N days ago (default JIESU_RETENTION_DAYS or 730)')
      .option('--days <n>', 'retention period in days', days)
      .option('--json', 'print the report as JSON'),
  ).action(
    guard(async (o: DbOpts & { days?: number; json?: boolean }) => {
      const n = retentionDays(o.days);
      const db = await openDatabase({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data) });
      try {
        await migrate(db);
        const bar = progressBar('anonymising');
        const report = await runRetention(db, { days: n, onProgress: (done) => bar.update(done, done) });
        bar.stop();
        if (o.json) console.log(JSON.stringify(report));
        else
          console.log(
            `retention (${n} days, before ${report.cutoff}): ${report.orders} orders anonymised, ` +
              `${report.events} events, ${report.contacts} contacts, ${report.callers} callers cleared`,
          );
      } finally {
        await db.close();
      }
    }),
  );

  dbOptions(program.command('backup').description('back up the database into one file').requiredOption('--out <file>', 'backup file to write')).action(
    guard(async (o: DbOpts & { out: string }) => {
      const r = await backup({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data), out: resolve(o.out) });
      console.log(`backup (${r.kind}) written to ${o.out}: ${r.bytes} bytes`);
    }),
  );
  dbOptions(
    program.command('restore').description('restore a backup into an empty PGlite folder or an empty PostgreSQL database').requiredOption('--in <file>', 'backup file to read'),
  ).action(
    guard(async (o: DbOpts & { in: string }) => {
      const r = await restore({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data), input: resolve(o.in) });
      console.log(`restored (${r.kind}) from ${o.in}`);
    }),
  );
}
