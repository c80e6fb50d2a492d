// `jiesu kb …`: import articles, index work orders for the assistant, search from the shell.
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { progressBar } from '../cli/progress.js';
import { dbOptions, fail, intArg, withDb, type DbOptions } from '../cli/shared.js';
import { indexMissingOrders } from './assist.js';
import { formatOf, importArticles, parseImport } from './importer.js';
import { searchArticles } from './search.js';
import { decodeText } from '../http/text.js';

export function commands(program: Command) {
  const kb = program.command('kb').description('知识库 knowledge base');

  dbOptions(
    kb
      .command('import <file>')
      .description('import articles from JSONL or CSV ({question, answer, department}; {text, answer, label} also accepted)')
      .addOption(new Option('--format <format>', 'file format (default: from the file extension)').choices(['jsonl', 'csv']))
      .option('--create-units', 'create departments that match no unit, as bureaus below the city')
      .option('--draft', 'import as drafts instead of publishing')
      .option('--owner-unit-id <id>', 'owner unit for rows without a department', intArg(1)),
  ).action(async (file: string, o: { format?: 'jsonl' | 'csv'; createUnits?: boolean; draft?: boolean; ownerUnitId?: number } & DbOptions) => {
    const format = o.format ?? formatOf(file);
    if (!format) fail(`cannot tell the format of ${file}; use --format jsonl|csv`);
    let text: string;
    // Not the shared readText: kb import has always said `cannot read FILE: CODE`, and kb.test.ts holds it to that.
    try {
      text = decodeText(readFileSync(file)); // UTF-8, or GBK as Excel saves CSV on a Chinese Windows
    } catch (e) {
      fail(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const parsed = (() => {
      try {
        return parseImport(text, format);
      } catch (e) {
        fail((e as Error).message);
      }
    })();
    const bar = progressBar('导入 import');
    const report = await withDb(o, (db) =>
      importArticles(db, parsed, { createUnits: o.createUnits, publish: !o.draft, ownerUnitId: o.ownerUnitId, onProgress: (d, t) => bar.update(d, t) }),
    ).finally(() => bar.stop());
    console.log(`imported ${report.imported} of ${report.total} rows; ${report.duplicates} duplicate(s) skipped; ${report.errors.length} error(s)`);
    for (const u of report.createdUnits) console.log(`  created unit ${u.id} ${u.name}`);
    for (const d of report.unknownDepartments) console.log(`  unknown department (rows skipped; use --create-units): ${d.name} × ${d.rows}`);
    for (const e of report.errors.slice(0, 20)) console.log(`  line ${e.line}: ${e.message}`);
    if (report.errors.length > 20) console.log(`  … ${report.errors.length - 20} more error(s)`);
    if (report.imported === 0 && report.total > 0 && report.duplicates === 0) process.exitCode = 1;
  });

  dbOptions(kb.command('index-orders').description('index existing work orders for the assistant (new orders are indexed as they are created)')).action(
    async (o: DbOptions) => {
      const bar = progressBar('索引 index');
      const n = await withDb(o, (db) => indexMissingOrders(db, (d, t) => bar.update(d, t))).finally(() => bar.stop());
      console.log(`indexed ${n} work order(s)`);
    },
  );

  dbOptions(kb.command('search <query>').description('search published articles').option('--limit <n>', 'how many', intArg(1), 5)).action(
    async (query: string, o: { limit: number } & DbOptions) => {
      const r = await withDb(o, (db) => searchArticles(db, query, { limit: o.limit }));
      if (r.items.length === 0) console.log('no article found');
      for (const h of r.items) console.log(`#${h.id} ${h.title}  (score ${h.score})\n   ${h.snippet.replace(/<\/?mark>/g, '*')}`);
    },
  );
}
