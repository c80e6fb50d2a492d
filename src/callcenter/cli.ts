import { existsSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { progressBar } from '../cli/progress.js';
import { dbOptions, fail, readText, withDb, type DbOptions } from '../cli/shared.js';
import { importCdrFile } from './cdr.js';

const utcOffset = (v: string) => {
  if (!/^[+-]\d{2}:\d{2}$/.test(v)) throw new InvalidArgumentError('UTC offset like +08:00');
  return v;
};

export function commands(program: Command) {
  staffingCommand(program);
  const cc = program.command('callcenter').description('call center: CDR import');
  dbOptions(
    cc
      .command('import-cdr')
      .description('import call detail records from an Asterisk Master.csv (re-importing skips what is there)')
      .argument('<file>', 'CSV file in Master.csv column order, no header')
      .option('--utc-offset <offset>', 'offset of the times in the file', utcOffset, '+08:00'),
  ).action(async (file: string, o: DbOptions & { utcOffset: string }) => {
    if (!existsSync(file)) fail(`文件不存在 (no such file): ${file}`);
    await withDb(o, async (db) => {
      const bar = progressBar('import-cdr (KiB)');
      const kib = (bytes: number) => Math.ceil(bytes / 1024);
      const report = await importCdrFile(db, file, {
        utcOffset: o.utcOffset,
        onProgress: (read, total) => bar.update(kib(Math.min(read, total)), kib(total)),
      }).catch((err: Error) => {
        bar.stop();
        return fail(`${file}: ${err.message}`);
      });
      bar.stop();
      console.log(`rows ${report.rows}: imported ${report.imported}, skipped ${report.skipped} (already imported), bad ${report.bad.length}`);
      for (const b of report.bad.slice(0, 50)) console.log(`  line ${b.line}: ${b.reason}`);
      if (report.bad.length > 50) console.log(`  … and ${report.bad.length - 50} more bad rows`);
    });
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

const numbers = (what: string) => (v: string) => {
  const list = v.split(',').map((x) => Number(x.trim()));
  if (list.length === 0 || list.some((n) => !Number.isFinite(n) || n < 0)) throw new InvalidArgumentError(`${what}: comma-separated non-negative numbers`);
  return list;
};
const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number ≥ 0');
  return n;
};

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

export function staffingCommand(program: Command) {
  const staffing = program
    .command('staffing')
    .description('agents needed per interval by Erlang C, or Erlang A when --patience-seconds is given; `staffing simulate` checks a plan over a year')
    .option('--calls-per-hour <list>', 'offered calls per hour, one or several comma-separated intervals (required)', rates)
    .option('--aht-seconds <s>', 'average handling time in seconds (required)', positive)
    .option('--target-sl <share>', 'service level target, e.g. 0.8', positive, 0.8)
    .option('--target-seconds <s>', 'answer within this many seconds', positive, 20)
    .option('--patience-seconds <s>', 'mean caller patience: use Erlang A (callers hang up) instead of Erlang C', positive)
    .action(async (o: { callsPerHour?: number[]; ahtSeconds?: number; targetSl: number; targetSeconds: number; patienceSeconds?: number }) => {
      if (!o.callsPerHour) fail("required option '--calls-per-hour <list>' not specified");
      if (!o.ahtSeconds) fail("required option '--aht-seconds <s>' not specified");
      if (o.targetSl >= 1) fail('--target-sl must be below 1');
      const { agentsNeeded, agentsNeededErlangA } = await import('./erlang.js');
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      const erlangA = o.patienceSeconds !== undefined;
      console.log(
        erlangA
          ? `Erlang A (mean patience ${o.patienceSeconds} s); SL = answered within ${o.targetSeconds} s / offered`
          : `Erlang C; SL = answered within ${o.targetSeconds} s / offered`,
      );
      console.log(`interval  calls/h  load(E)  agents  P(wait)  SL  ASA(s)  occupancy${erlangA ? '  abandoned' : ''}`);
      o.callsPerHour.forEach((c, i) => {
        const r = erlangA
          ? agentsNeededErlangA(c, o.ahtSeconds!, o.targetSl, o.targetSeconds, o.patienceSeconds!)
          : agentsNeeded(c, o.ahtSeconds!, o.targetSl, o.targetSeconds);
        console.log(
          [
            String(i + 1).padStart(8),
            String(c).padStart(8),
            r.loadErlangs.toFixed(2).padStart(8),
            String(r.agents).padStart(7),
            pct(r.probWait).padStart(8),
            pct(r.serviceLevel),
            r.asaSeconds.toFixed(1).padStart(7),
            pct(r.occupancy).padStart(10),
            ...('probAbandon' in r ? [pct(r.probAbandon as number).padStart(10)] : []),
          ].join(' '),
        );
      });
    });

  staffing
    .command('simulate')
    .description('simulate a whole year of calls against a staffing plan (discrete events) and print answer rate, service level, ASA')
    .option('--calls <n>', 'calls in the period', count, 406174)
    .option('--days <n>', 'length of the period in days', count, 365)
    .option('--start <date>', 'first day (YYYY-MM-DD)', '2025-01-01')
    .requiredOption(
      '--agents <plan>',
      'agents on duty: one number, 24 (per hour of day), 168 (per hour of week from Monday 00:00) or one per hour; or @FILE with the numbers',
      String,
    )
    .option('--aht-seconds <s>', 'average handling time in seconds (required)', positive)
    .option('--service <dist>', 'handling time distribution: exponential | constant', 'exponential')
    .option('--patience-seconds <s>', 'mean caller patience (exponential); without it callers wait for ever', positive)
    .option('--hourly-profile <w>', '24 relative weights of the hours of the day (default: a typical 12345 day)', numbers('hourly profile'))
    .option('--weekday-profile <w>', '7 relative weights, Monday first', numbers('weekday profile'))
    .option('--sl-seconds <list>', 'service level thresholds in seconds', numbers('sl seconds'), [15, 20])
    .option('--seed <n>', 'random seed (same seed, same result)', count, 1)
    .option('--json', 'print the result as JSON')
    .action(
      async (
        o: {
          calls: number;
          days: number;
          start: string;
          agents: string;
          ahtSeconds: number;
          service: string;
          patienceSeconds?: number;
          hourlyProfile?: number[];
          weekdayProfile?: number[];
          slSeconds: number[];
          seed: number;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        // --aht-seconds and --patience-seconds are also options of `staffing`, which parses them first.
        o = { ...cmd.optsWithGlobals(), ...o, ...pick(cmd.optsWithGlobals(), ['ahtSeconds', 'patienceSeconds']) };
        if (!o.ahtSeconds) fail("required option '--aht-seconds <s>' not specified");
        const { simulateYear } = await import('./simulate.js');
        if (o.service !== 'exponential' && o.service !== 'constant') fail('--service: exponential | constant');
        const text = o.agents.startsWith('@') ? readText(o.agents.slice(1)) : o.agents;
        const agents = text
          .split(/[\s,;]+/)
          .filter(Boolean)
          .map(Number);
        if (agents.length === 0 || agents.some((n) => !Number.isInteger(n) || n < 0)) fail('--agents: whole numbers ≥ 0');
        if (o.days < 1) fail('--days must be at least 1');
        try {
          const r = simulateYear({
            calls: o.calls,
            days: o.days,
            startDate: o.start,
            ahtSeconds: o.ahtSeconds,
            service: o.service,
            patienceSeconds: o.patienceSeconds,
            hourlyProfile: o.hourlyProfile,
            weekdayProfile: o.weekdayProfile,
            agents,
            targetSeconds: o.slSeconds,
            seed: o.seed,
          });
          if (o.json) return console.log(JSON.stringify(r, null, 2));
          const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
          console.log(`calls offered        ${r.calls}`);
          console.log(`answered             ${r.answered}  (answer rate 接通率 ${pct(r.answerRate)})`);
          console.log(`abandoned            ${r.abandoned}  (mean wait before hanging up ${r.meanAbandonWaitSeconds.toFixed(1)} s)`);
          for (const [s, v] of Object.entries(r.serviceLevel)) console.log(`service level ${s.padStart(3)} s    ${pct(v)}  (answered within ${s} s / offered)`);
          console.log(`ASA                  ${r.asaSeconds.toFixed(1)} s`);
          console.log(`occupancy            ${pct(r.occupancy)}  (${r.agentHours} agent-hours)`);
          console.log(`longest queue        ${r.maxQueue}`);
          console.log(`simulated in ${(r.elapsedMs / 1000).toFixed(2)} s (seed ${o.seed})`);
        } catch (err) {
          fail((err as Error).message);
        }
      },
    );
}
