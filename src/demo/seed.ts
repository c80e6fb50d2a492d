// `jiesu demo seed`: a fictional city (滨江市) with its org tree, staff for every role and a
// stretch of hotline history whose orders went through the real lifecycle (the rows are
// folds of events built by the lifecycle's own code, exactly as the live system stores them).
//
//   org.ts        the units and the staff          reference.ts  categories, responsibility list
//   history.ts    the history, stage by stage      plan.ts       when the orders come, in parts
//   orders.ts     the orders, their rows, events   walk.ts       one order's life, event by event
//   people.ts     names, phones, citizens          contacts.ts   contacts and calls
//   deadlines.ts  deadlines of the open orders     recent.ts     the last days' search indexes
//   knowledge.ts  the knowledge base               pipeline.ts, worker.ts  the worker threads
//   templates.ts  reply templates (常用语)
//   areas.ts      boundaries and gazetteer (geography.ts: the tiling, the orders' points)
//   steps.ts      transfers, suspensions and appeals taken live by `serve --demo` (their listeners run)
//   taxonomy.ts   categories and phrases           clock.ts      time in the city's zone
import type { Database } from '../db/database.js';
import { withIndexesDeferred } from '../db/bulk.js';
import { defaultConfig } from '../core/context.js';
import { Rng } from '../core/random.js';
import { seedHistory } from './history.js';
import { seedKnowledge } from './knowledge.js';
import { DEMO_PASSWORD, seedOrg } from './org.js';
import { seedHistoryInWorker, useWorker } from './pipeline.js';
import { seedReference } from './reference.js';
import { seedTemplates } from './templates.js';
import { seedAreas } from './areas.js';
import type { DemoCity, HistoryOptions, Progress } from './types.js';
import { setting } from '../core/config.js';

export { DEMO_PASSWORD };

export interface DemoOptions {
  /** Citizen contacts over the period; about 42 % become work orders. */
  contacts: number;
  /** Write the contacts and calls too (default true; off for order-only benchmark loads). */
  withContacts?: boolean;
  days: number;
  seed: number;
  /** The end of the history (default: now). */
  end?: Date;
  timeZone?: string;
  onProgress?: Progress;
}

export interface DemoSummary {
  units: number;
  contacts: number;
  calls: number;
  articles: number;
  users: number;
  orders: number;
  events: number;
  openOrders: number;
  logins: DemoCity['logins'];
  password: string;
  ms: number;
}

export const ORDER_SHARE = 0.42;

/** The tables the demo fills in bulk (their secondary indexes are built after the load). */
const BULK_TABLES = ['workorders', 'workorder_events', 'contacts', 'cc_calls', 'order_deadlines', 'kpi_facts', 'kpi_fact_orders'];
/** The search tables the recent orders go into: their secondary indexes are deferred too, their keys kept (the writes use ON CONFLICT). */
const SEARCH_TABLES = ['kb_order_index', 'dup_signatures'];

export async function seedDemo(db: Database, opts: DemoOptions): Promise<DemoSummary> {
  const t0 = Date.now();
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM units');
  if (rows[0]!.n > 0) throw new Error('the database already has units: the demo city is seeded only into an empty database');
  const rng = new Rng(opts.seed);
  const city = await db.tx((q) => seedOrg(q, rng));
  const end = opts.end ?? new Date();
  let mark = Date.now();
  let cpuMark = process.cpuUsage();
  const stage = (name: string) => {
    const cpu = process.cpuUsage(cpuMark); // the whole process: the generating thread included
    if (setting('JIESU_DEMO_DEBUG')) console.error(`demo: ${name} ${Date.now() - mark} ms (cpu ${Math.round((cpu.user + cpu.system) / 1000)} ms)`);
    mark = Date.now();
    cpuMark = process.cpuUsage();
  };
  await seedReference(db, city);
  await seedAreas(db, city);
  stage('org, reference and areas');
  const hopts: HistoryOptions = {
    contacts: opts.contacts,
    orders: Math.round(opts.contacts * ORDER_SHARE),
    withContacts: opts.withContacts !== false,
    days: opts.days,
    end,
    timeZone: opts.timeZone ?? defaultConfig.timeZone,
  };
  const hooks = { stage, onProgress: opts.onProgress };
  // The search indexes (GIN, written entry by entry) are built once too, after the recent orders are in.
  const history = await withIndexesDeferred(
    db,
    [...BULK_TABLES, ...SEARCH_TABLES],
    () => (useWorker(db) ? seedHistoryInWorker(db, city, rng, hopts, hooks) : seedHistory(db, city, rng, hopts, hooks)),
    { parallel: 2, maintenanceWorkMem: '2047MB', keepConstraints: SEARCH_TABLES },
  );
  stage('indexes');
  const articles = await seedKnowledge(db, city);
  stage('knowledge base');
  await seedTemplates(db, city);
  stage('reply templates');
  return {
    units: city.units.length,
    contacts: history.contacts,
    articles,
    calls: history.calls,
    users: [...city.usersByRole.values()].reduce((n, ids) => n + ids.length, 0),
    orders: history.orders,
    events: history.events,
    openOrders: history.open,
    logins: city.logins,
    password: DEMO_PASSWORD,
    ms: Date.now() - t0,
  };
}
