// `jiesu sla tick`: runs the escalation job once (e.g. from cron), with every module's listeners.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { dbOptions, type DbOptions } from '../cli/shared.js';
import { startPlatform } from '../server.js';
import { tick } from './job.js';
import { contextFor } from './routes.js';

const instant = (v: string) => {
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) throw new InvalidArgumentError('expected an ISO date-time, e.g. 2025-10-09T10:00:00+08:00');
  return new Date(t);
};

export function commands(program: Command) {
  const sla = program.command('sla').description('time limits and escalation (办理时限与督办)');
  dbOptions(
    sla
      .command('tick')
      .showHelpAfterError(false)
      .description('fire due warnings, overdue notices and supervision once, then deliver pending webhooks')
      .option('--now <instant>', 'run as of this instant (default: now)', instant),
  )
    .option('--json', 'print the result as JSON')
    .action(async (o: DbOptions & { now?: Date; json?: boolean }) => {
      delete process.env.JIESU_SLA_INTERVAL_SECONDS; // one run only, no periodic runner
      const platform = await startPlatform({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data) });
      try {
        const ctx = contextFor(platform.db);
        if (!ctx) throw new Error('the sla module did not register');
        const r = await tick(ctx, o.now ?? new Date());
        if (o.json) console.log(JSON.stringify(r));
        else {
          console.log(`sla tick at ${r.now}: ${r.claimed} deadline(s) checked, ${r.fired.length} escalation(s) fired; webhooks sent ${r.webhooks.sent}, failed ${r.webhooks.failed}, dead ${r.webhooks.dead}`);
          for (const f of r.fired) console.log(`  ${f.number} ${f.kind} ${f.level} (due ${f.dueAt})`);
        }
      } finally {
        await platform.close();
      }
    });
}
