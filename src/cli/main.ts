// The `jiesu` command line: a thin layer over the modules.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { startPlatform } from '../server.js';
import { announceUrl } from '../db/folderlock.js';
import { loadModuleExports } from '../http/modules.js';
import { printDemoSummary } from '../demo/index.js';
import { describeDemoModels, seedDemo, seedDepartmentSteps, trainDemoModels, type DemoSummary } from '../demo/index.js';
import { calendarGaps } from '../sla/index.js';
import { dbOptions, fail, isExpectedFailure, withDb, type DbOptions } from './shared.js';
import { ConfigError, SETTINGS, checkSettings, setting, type SettingName } from '../core/config.js';

// A bad setting stops every command at once, with one line per value to fix.
try {
  checkSettings();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  fail(err.message);
}

const program = new Command('jiesu').description('接诉 jiesu: 12345 citizen service hotline platform').showHelpAfterError();

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('port must be an integer 0-65535');
  return n;
};

function describeDb(databaseUrl: string | undefined, dataDir: string) {
  return databaseUrl ? `PostgreSQL ${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}` : `embedded PGlite in ${dataDir}`;
}

dbOptions(
  program
    .command('serve')
    .description('run the API server (embedded PGlite unless --database-url or DATABASE_URL is given)')
    .option('--port <port>', 'port to listen on', port, setting('PORT'))
    .option('--host <host>', 'address to listen on', setting('HOST')),
)
  .option('--demo', 'seed the demo city first when the database is empty (what `npm start` does)')
  .action(async (o: DbOptions & { port: number; host: string; demo?: boolean }) => {
    const dataDir = resolve(o.data);
    console.log(`jiesu: opening ${describeDb(o.databaseUrl, dataDir)} …`);
    const platform = await startPlatform({
      databaseUrl: o.databaseUrl,
      dataDir,
      adminPassword: setting('JIESU_ADMIN_PASSWORD'),
      logger: setting('LOG_LEVEL') !== 'silent',
      // The server runs the time-limit job (warnings, escalation) every minute unless told otherwise.
      config: { slaIntervalSeconds: setting('JIESU_SLA_INTERVAL_SECONDS') },
    });
    let demo: DemoSummary | undefined;
    if (o.demo && (await platform.db.query<{ n: number }>('SELECT count(*)::int AS n FROM units')).rows[0]!.n === 0) {
      console.log('jiesu: empty database, seeding the demo city (30 days of history) …');
      demo = await seedDemo(platform.db, { contacts: setting('JIESU_DEMO_CONTACTS'), days: 30, seed: 1 });
      // Transfers, suspensions and appeals, taken live so that their listeners run.
      await seedDepartmentSteps(platform.ctx);
      // Suggestions from the first order on: the models are trained from the demo's own history.
      console.log(`jiesu: ${describeDemoModels(await trainDemoModels(platform.db))}`);
    }
    const address = await platform.app.listen({ port: o.port, host: o.host });
    // A second opener of the data folder is told to go through this server instead.
    announceUrl(address.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:'));
    console.log(`jiesu: serving on ${address}  (API ${address}/api/v1, OpenAPI ${address}/api/v1/openapi.json)`);
    if (demo) printDemoSummary(demo);
    for (const year of await calendarGaps(platform.db, new Date(), platform.config.timeZone)) {
      console.log(
        `jiesu: 注意：${year} 年的国务院节假日安排尚未收录，也没有本市日历；请管理员在「办理时限」页录入，否则节假日按工作日计算时限 (no holiday calendar for ${year} yet: enter it under Time limits, or holidays count as working days)`,
      );
    }
    if (!setting('JIESU_ADMIN_PASSWORD')) {
      const { rows } = await platform.db.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE 'admin' = ANY(roles)");
      if (rows[0]!.n === 0) console.log('jiesu: no admin user yet; restart with JIESU_ADMIN_PASSWORD=… to create `admin`.');
    }
    // Graceful: stop accepting, finish the requests in flight, close the database. Open streams
    // (SSE) would keep it waiting, so after JIESU_SHUTDOWN_TIMEOUT_SECONDS (default 30) it exits anyway.
    const stop = async () => {
      console.log('jiesu: shutting down');
      const grace = setting('JIESU_SHUTDOWN_TIMEOUT_SECONDS') * 1000;
      setTimeout(() => {
        console.error('jiesu: requests still open after the shutdown timeout, exiting');
        process.exit(1);
      }, grace).unref();
      await platform.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

dbOptions(program.command('migrate').description('apply pending database migrations and exit')).action((o: DbOptions) =>
  withDb(o, (_db, applied) => console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the schema is up to date')),
);

program
  .command('config')
  .description('check every setting (environment variables) and print what is in force; secrets are not shown')
  .action(() => {
    for (const [name, spec] of Object.entries(SETTINGS)) {
      const set = process.env[name] !== undefined && process.env[name] !== '';
      const value = spec.kind === 'secret' ? (set ? '(set)' : '(unset)') : String(setting(name as SettingName) ?? '(unset)');
      console.log(`${name.padEnd(34)} ${value}${set ? '' : '  [default]'}`);
    }
  });

// Each module's src/<module>/cli.ts adds its sub-commands.
for (const { value: commands } of await loadModuleExports<(p: Command) => void>('cli', 'commands')) commands(program);

program.parseAsync().catch((err: unknown) => {
  // Expected failures get one clear line; only real bugs print a stack.
  if (isExpectedFailure(err)) fail(err.message);
  console.error('jiesu:', err);
  process.exit(1);
});
