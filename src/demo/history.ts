// The history of the demo city, stage by stage: the orders with their events (in parts, on
// threads on a server), then the contacts and calls, the deadlines of the orders still open
// and the assessment figures.
import { availableParallelism } from 'node:os';
import type { Database } from '../db/database.js';
import { bulkInsert } from '../db/bulk.js';
import { defaultConfig, type AppContext } from '../core/context.js';
import type { Rng } from '../core/random.js';
import { KpiAccumulator } from '../kpi/index.js';
import { dayStamper } from './clock.js';
import { seedContacts } from './contacts.js';
import { seedDeadlines } from './deadlines.js';
import { seedOrders } from './orders.js';
import { seedOrdersInWorker } from './pipeline.js';
import { planOrderTimes, splitOrders } from './plan.js';
import { RECENT_DAYS } from './recent.js';
import type { DemoCity, HistoryHooks, HistoryOptions, HistorySummary, OrdersResult } from './types.js';
import { setting } from '../core/config.js';

/** The orders with their events, the contacts and calls, the deadlines and the assessment figures. */
export async function seedHistory(db: Database, city: DemoCity, rng: Rng, opts: HistoryOptions, hooks: HistoryHooks): Promise<HistorySummary> {
  const ctx: AppContext = { db, config: { ...defaultConfig, timeZone: opts.timeZone }, orderListeners: [] };
  const kpi = await KpiAccumulator.create(db, ctx);
  // When each order comes is drawn here, in order; what each order is and how its life goes is
  // drawn from its id, so the orders can be generated in parts, on several threads at once,
  // and the city is the same whatever the number of parts.
  const plan = planOrderTimes(rng, opts);
  const seeds = { orders: rng.int(0, 0xffffffff), citizens: rng.int(0, 0xffffffff) };
  const total = plan.times.length;
  const parts = splitOrders(plan, partsFor(db, opts), dayStamper(opts.timeZone), opts.end.getTime() - RECENT_DAYS * 86400_000);
  const done = parts.map(() => 0);
  const progress = (i: number) => (n: number) => {
    done[i] = n;
    hooks.onProgress?.(
      'orders',
      done.reduce((a, b) => a + b, 0),
      total,
    );
  };
  const inThreads = parts.length > 1 && !!db.url;
  const results: OrdersResult[] = [];
  if (inThreads) {
    // A server: each part on a thread of its own, with its own connections.
    const failed = new AbortController();
    const out = await Promise.all(
      parts.map((p, i) =>
        seedOrdersInWorker(db.url!, { city, part: { ...p, seeds }, opts }, progress(i), failed.signal).catch((err) => {
          failed.abort();
          throw err;
        }),
      ),
    );
    for (const r of out) {
      kpi.mergeFacts(r.kpi);
      results.push(r.result);
    }
  } else {
    for (const [i, p] of parts.entries()) results.push(await seedOrders(db, city, { ...p, seeds }, opts, kpi, progress(i)));
  }
  const result = {
    orders: results.reduce((n, r) => n + r.orders, 0),
    events: results.reduce((n, r) => n + r.events, 0),
    open: results.reduce((n, r) => n + r.open, 0),
    infos: results.flatMap((r) => r.infos),
    running: results.flatMap((r) => r.running),
  };
  await db.tx(async (q) => {
    await q.query(`SELECT setval(pg_get_serial_sequence('workorders', 'id'), GREATEST((SELECT max(id) FROM workorders), 1))`);
    await bulkInsert(
      q,
      'workorder_number_counters',
      [
        { name: 'day', type: 'text' },
        { name: 'last', type: 'int' },
      ],
      results.flatMap((r) => r.counters),
    );
  });
  hooks.stage(`orders (${parts.length} part${parts.length > 1 ? 's' : ''}${inThreads ? ' on threads' : ''})`);
  let contacts = { contacts: 0, calls: 0 };
  if (opts.withContacts) {
    hooks.onProgress?.('contacts', 0, opts.contacts);
    contacts = await seedContacts(db, city, rng, result.infos, { contacts: opts.contacts, end: opts.end, timeZone: opts.timeZone });
    hooks.onProgress?.('contacts', opts.contacts, opts.contacts);
  }
  hooks.stage('contacts and calls');
  await seedDeadlines(ctx, result.running, opts.end);
  hooks.stage('deadlines');
  await kpi.write(db);
  hooks.stage('kpi');
  return { orders: result.orders, events: result.events, open: result.open, ...contacts };
}

/** How many parts the orders are generated in: one per core (at most 4) for big loads on a server, else one. */
function partsFor(db: Database, opts: HistoryOptions): number {
  const asked = setting('JIESU_DEMO_THREADS');
  if (asked) return asked;
  return db.kind === 'postgres' && opts.orders >= 50_000 ? Math.min(4, availableParallelism()) : 1;
}
