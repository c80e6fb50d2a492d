// `jiesu sla tick`: runs the escalation job once (e.g. from cron), with every module's listeners;
// `jiesu sla calendar import` (calendarcli.ts): the State Council's holiday notice.
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { callServer, dbOptions, serverOption, type DbOptions } from '../cli/shared.js';
import { startPlatform } from '../server.js';
import { calendarCommands } from './calendarcli.js';
import { tick, type TickResult } from './job.js';
import { contextFor } from './routes.js';

const instant = (v: string) => {
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) throw new InvalidArgumentError('expected an ISO date-time, e.g. 2025-10-09T10:00:00+08:00');
  return new Date(t);
};

export function commands(program: Command) {
  const sla = program.command('sla').description('time limits and escalation (办理时限与督办)');
  const cmd = dbOptions(
    sla
      .command('tick')
      .showHelpAfterError(false)
      .description('fire due warnings, overdue notices and supervision once, then deliver pending webhooks')
      .option('--now <instant>', 'run as of this instant (default: now)', instant),
  );
  serverOption(cmd)
    .option('--json', 'print the result as JSON')
    .action(async (o: DbOptions & { now?: Date; json?: boolean; server?: string }) => {
      const print = (r: TickResult) => {
        if (o.json) console.log(JSON.stringify(r));
        else {
          console.log(
            `sla tick at ${r.now}: ${r.claimed} deadline(s) checked, ${r.fired.length} escalation(s) fired, ${r.resumed?.length ?? 0} suspension(s) ended; webhooks sent ${r.webhooks.sent}, failed ${r.webhooks.failed}, dead ${r.webhooks.dead}`,
          );
          for (const f of r.fired) console.log(`  ${f.number} ${f.kind} ${f.level} (due ${f.dueAt})`);
        }
      };
      // Through a running server (an embedded folder it holds cannot be opened beside it).
      if (o.server) return print(await callServer<TickResult>(o.server, 'POST', '/api/v1/sla/tick', o.now ? { now: o.now.toISOString() } : {}));
      const platform = await startPlatform({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data) });
      try {
        const ctx = contextFor(platform.db);
        if (!ctx) throw new Error('the sla module did not register');
        print(await tick(ctx, o.now ?? new Date()));
      } finally {
        await platform.close();
      }
    });
  calendarCommands(sla);
}
