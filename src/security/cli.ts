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
  ).action(async (o: DbOptions & { days?: number; json?: boolean }) => {
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
  });

  dbOptions(
    program
      .command('backup')
      .description('back up the database into one file (without the personal-data key)')
      .requiredOption('--out <file>', 'backup file to write')
      .option('--include-key', "put the embedded folder's personal-data key file in the backup too"),
  ).action(async (o: DbOptions & { out: string; includeKey?: boolean }) => {
    const r = await backup({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data), out: resolve(o.out), includeKey: o.includeKey });
    console.log(`backup (${r.kind}) written to ${o.out}: ${r.bytes} bytes`);
    const ids = r.key.ids.length ? ` (key ${r.key.ids.join(', ')})` : '';
    if (r.key.included) {
      console.log(
        `个人信息密钥在此备份中 (the personal-data key ${r.key.source}${ids} IS inside this backup): ` +
          'whoever has the file can read the names and phones; keep it as safe as the key itself',
      );
    } else {
      console.log(
        `个人信息密钥不在此备份中 (the personal-data key is NOT in this backup): keep ${r.key.source}${ids} safe and apart from it; ` +
          "without the key this backup's names and phones cannot be read" +
          (r.kind === 'pglite' ? ' (--include-key puts it inside)' : ''),
      );
    }
  });
  dbOptions(
    program
      .command('restore')
      .description('restore a backup into an empty PGlite folder or an empty PostgreSQL database')
      .requiredOption('--in <file>', 'backup file to read'),
  ).action(async (o: DbOptions & { in: string }) => {
    const r = await restore({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data), input: resolve(o.in) });
    console.log(`restored (${r.kind}) from ${o.in}`);
    const { key } = r;
    const ids = key.ids.join(', ');
    if (key.included) console.log(`个人信息密钥已恢复 (the personal-data key came with the backup): ${key.source}, readable by its owner only`);
    else if (!key.ids.length) return;
    else if (key.missing && key.missing.length) {
      console.warn(
        `jiesu: JIESU_PII_KEYS 缺少此备份所需的密钥 ${key.missing.join(', ')} (JIESU_PII_KEYS lacks key ${key.missing.join(', ')}, which this backup's names and phones are encrypted with)`,
      );
    } else if (key.missing) console.log(`JIESU_PII_KEYS 含此备份所需的密钥 (JIESU_PII_KEYS holds the key ${ids} this backup needs): start jiesu with it`);
    else {
      console.log(
        `个人信息密钥不在此备份中 (the backup holds no personal-data key): before starting jiesu, ` +
          (r.kind === 'pglite' ? `put the key file back as ${key.source} (chmod 600) or set JIESU_PII_KEYS` : 'set JIESU_PII_KEYS') +
          ` with key ${ids}; without it the names and phones cannot be read and jiesu refuses to start`,
      );
    }
  });
}
