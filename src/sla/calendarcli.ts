// `jiesu sla calendar import FILE.txt [--year 2027] [--dry-run]`: reads the State Council's notice,
// prints the days it gives, and (unless --dry-run) saves them as the year's calendar, recomputing
// the open orders' deadlines, like the admin page's 粘贴通知导入. Through a running server with --server.
import { createInterface } from 'node:readline/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { callServer, dbOptions, fail, readText, serverOption, withDb, type DbOptions } from '../cli/shared.js';
import { defaultConfig } from '../core/context.js';
import { NoticeError, parseNotice } from './notice.js';
import { importNotice, type NoticeImport } from './years.js';

const yearArg = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2000 || n > 2100) throw new InvalidArgumentError('must be a year 2000-2100');
  return n;
};
const WEEKDAY = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const weekday = (date: string) => WEEKDAY[new Date(date + 'T00:00:00Z').getUTCDay()]!;

function printPreview(r: NoticeImport) {
  console.log(`${r.title ?? `${r.year} 年部分节假日安排`} (${r.year})`);
  const rows = [...r.holidays.map((d) => ({ ...d, kind: '放假 day off' })), ...r.workdays.map((d) => ({ ...d, kind: '上班 working' }))].sort((a, b) =>
    a.date.localeCompare(b.date),
  );
  console.log('  date        星期  kind          name');
  for (const d of rows) console.log(`  ${d.date}  ${weekday(d.date)}  ${d.kind.padEnd(12)}  ${d.name}`);
  for (const n of r.notes) console.log(`  注 (note, not a day off): ${n}`);
  if (r.kept.length) console.log(`  本市自定日期保留 (the city's own days kept): ${r.kept.map((d) => `${d.day} ${d.name ?? ''}`.trim()).join(', ')}`);
  if (r.overridden.length) console.log(`  被通知覆盖的本市日期 (city days the notice overrides): ${r.overridden.map((d) => d.day).join(', ')}`);
  console.log(`  ${r.holidays.length} day(s) off, ${r.workdays.length} swapped working day(s); ${r.changes.length} date(s) differ from the calendar in force`);
}

export function calendarCommands(sla: Command) {
  const calendar = sla.command('calendar').description('the working calendar (工作日历): import the State Council holiday notice');
  const cmd = dbOptions(
    calendar
      .command('import')
      .argument('<file>', "the notice's text (UTF-8 or GBK), e.g. copied from www.gov.cn")
      .showHelpAfterError(false)
      .description("parse 国务院办公厅关于YYYY年部分节假日安排的通知, print its days, save them as the year's calendar")
      .option('--year <year>', 'the year it is for (default: the year the notice names)', yearArg)
      .option('--dry-run', 'print the days and how many open orders would move; save nothing')
      .option('--yes', 'save without asking, also on a terminal'),
  );
  serverOption(cmd)
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: DbOptions & { year?: number; dryRun?: boolean; yes?: boolean; json?: boolean; server?: string }) => {
      const text = readText(file);
      let year: number;
      try {
        year = parseNotice(text, o.year).year; // fails here, naming the line, before opening anything
      } catch (e) {
        if (e instanceof NoticeError) fail(e.message);
        throw e;
      }
      const run = async (dryRun: boolean): Promise<NoticeImport> => {
        if (o.server) return callServer<NoticeImport>(o.server, 'POST', `/api/v1/sla/calendar/${year}/${dryRun ? 'parse-notice' : 'import-notice'}`, { text });
        return withDb(o, (db) => importNotice({ db, config: defaultConfig, orderListeners: [] }, null, year, text, { dryRun, via: 'cli' }));
      };
      // On a terminal, show the days and ask before saving; in a script (or with --yes), save.
      const ask = !o.dryRun && !o.yes && !o.json && process.stdin.isTTY && process.stdout.isTTY;
      if (o.dryRun || ask) {
        const preview = await run(true);
        if (o.json) return console.log(JSON.stringify(preview));
        printPreview(preview);
        console.log(`  ${preview.moved} open order(s)' deadlines would move (${preview.recomputed} running deadline(s) checked)`);
        if (o.dryRun) return;
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const answer = await rl.question(`保存为 ${year} 年的工作日历？ Save as the ${year} calendar? [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) return console.log('not saved');
      }
      const r = await run(false);
      if (o.json) return console.log(JSON.stringify(r));
      if (!ask) printPreview(r);
      console.log(
        `saved the ${r.year} calendar (${r.calendar.source}); ${r.moved} open order(s)' deadlines moved (${r.recomputed} running deadline(s) recomputed)`,
      );
    });
}
