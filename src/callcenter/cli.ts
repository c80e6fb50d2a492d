import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { importCdrFile } from './cdr.js';

const utcOffset = (v: string) => {
  if (!/^[+-]\d{2}:\d{2}$/.test(v)) throw new InvalidArgumentError('UTC offset like +08:00');
  return v;
};

export function commands(program: Command) {
  staffingCommand(program);
  const cc = program.command('callcenter').description('call center: CDR import');
  cc.command('import-cdr')
    .description("import call detail records from an Asterisk Master.csv (re-importing skips what is there)")
    .argument('<file>', 'CSV file in Master.csv column order, no header')
    .option('--utc-offset <offset>', 'offset of the times in the file', utcOffset, '+08:00')
    .option('--data <dir>', 'PGlite data folder', process.env.JIESU_DATA ?? './data')
    .option('--database-url <url>', 'PostgreSQL server URL', process.env.DATABASE_URL)
    .action(async (file: string, o: { utcOffset: string; data: string; databaseUrl?: string }) => {
      if (!existsSync(file)) {
        console.error(`jiesu: 文件不存在 (no such file): ${file}`);
        process.exit(1);
      }
      const db = await openDatabase({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data) });
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'import-cdr [{bar}] {percentage}% | {value}/{total} KiB', stream: process.stderr }, cliProgress.Presets.shades_classic)
        : null;
      try {
        await migrate(db);
        let started = false;
        const report = await importCdrFile(db, file, {
          utcOffset: o.utcOffset,
          onProgress: (read, total) => {
            if (!bar) return;
            if (!started) bar.start(Math.ceil(total / 1024), 0), (started = true);
            bar.update(Math.ceil(Math.min(read, total) / 1024));
          },
        }).catch((err: Error) => {
          bar?.stop();
          console.error(`jiesu: ${file}: ${err.message}`);
          process.exit(1);
        });
        bar?.stop();
        console.log(`rows ${report.rows}: imported ${report.imported}, skipped ${report.skipped} (already imported), bad ${report.bad.length}`);
        for (const b of report.bad.slice(0, 50)) console.log(`  line ${b.line}: ${b.reason}`);
        if (report.bad.length > 50) console.log(`  … and ${report.bad.length - 50} more bad rows`);
      } finally {
        await db.close();
      }
    });
}

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number');
  return n;
};
const rates = (v: string) => {
  const list = v.split(',').map((x) => Number(x.trim()));
  if (list.some((n) => !Number.isFinite(n) || n < 0)) throw new InvalidArgumentError('calls per hour, e.g. 120 or 80,120,200');
  return list;
};

export function staffingCommand(program: Command) {
  program
    .command('staffing')
    .description('agents needed per interval by Erlang C')
    .requiredOption('--calls-per-hour <list>', 'offered calls per hour, one or several comma-separated intervals', rates)
    .requiredOption('--aht-seconds <s>', 'average handling time in seconds', positive)
    .option('--target-sl <share>', 'service level target, e.g. 0.8', positive, 0.8)
    .option('--target-seconds <s>', 'answer within this many seconds', positive, 20)
    .action(async (o: { callsPerHour: number[]; ahtSeconds: number; targetSl: number; targetSeconds: number }) => {
      if (o.targetSl >= 1) {
        console.error('jiesu: --target-sl must be below 1');
        process.exit(1);
      }
      const { agentsNeeded } = await import('./erlang.js');
      console.log('interval  calls/h  load(E)  agents  P(wait)  SL  ASA(s)  occupancy');
      o.callsPerHour.forEach((c, i) => {
        const r = agentsNeeded(c, o.ahtSeconds, o.targetSl, o.targetSeconds);
        const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
        console.log([String(i + 1).padStart(8), String(c).padStart(8), r.loadErlangs.toFixed(2).padStart(8), String(r.agents).padStart(7),
          pct(r.probWait).padStart(8), pct(r.serviceLevel), r.asaSeconds.toFixed(1).padStart(7), pct(r.occupancy).padStart(10)].join(' '));
      });
    });
}
