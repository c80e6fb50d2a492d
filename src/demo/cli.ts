import type { Command } from 'commander';
import { progressBar } from '../cli/progress.js';
import { dbOptions, intArg, withDb, type DbOptions } from '../cli/shared.js';
import { describeDemoModels, trainDemoModels } from './models.js';
import { ORDER_SHARE, seedDemo, type DemoSummary } from './seed.js';

const positiveInt = intArg(1);

export function printDemoSummary(s: DemoSummary, log = console.log) {
  log(
    `演示城市已生成 (demo city seeded) in ${(s.ms / 1000).toFixed(1)} s: ${s.units} units, ${s.users} users, ${s.contacts} contacts, ${s.calls} calls, ${s.articles} knowledge articles, ${s.orders} work orders (${s.openOrders} open), ${s.events} events`,
  );
  log(`演示账号 (demo logins), password "${s.password}":`);
  for (const l of s.logins) log(`  ${l.username.padEnd(18)} ${l.roles.join(',').padEnd(14)} ${l.displayName} (${l.unit})`);
}

export function commands(program: Command) {
  const demo = program.command('demo').description('the demo city');
  dbOptions(
    demo
      .command('seed')
      .description('seed a fictional city with a year of hotline history into an empty database')
      .option('--contacts <n>', 'citizen contacts over the period (about 42 % become work orders)', positiveInt, 406174)
      .option('--orders <n>', 'this many work orders with their history, without contacts (benchmark loads)', positiveInt)
      .option('--days <n>', 'days of history, ending now', positiveInt, 365)
      .option('--seed <n>', 'random seed (same seed, same city)', positiveInt, 1)
      .option('--no-train', 'do not train the dispatch models from the seeded history'),
  ).action((o: DbOptions & { contacts: number; orders?: number; days: number; seed: number; train: boolean }) =>
    withDb(o, async (db) => {
      const bar = progressBar('生成演示数据 seeding');
      // --orders: orders and their whole history only (no contacts), for benchmarks at scale.
      const summary = await seedDemo(db, {
        contacts: o.orders ? Math.round(o.orders / ORDER_SHARE) : o.contacts,
        withContacts: !o.orders,
        days: o.days,
        seed: o.seed,
        // The last day's hot-topic burst comes on top of the estimated total.
        onProgress: (_stage, done, total) => bar.update(done, Math.max(done, total)),
      });
      bar.stop();
      printDemoSummary(summary);
      if (o.train && !o.orders) console.log(describeDemoModels(await trainDemoModels(db)));
    }),
  );
}
