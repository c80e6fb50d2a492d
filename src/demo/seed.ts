// `jiesu demo seed`: a fictional city (滨江市) with its org tree, staff for every role and a
// stretch of hotline history whose orders went through the real lifecycle (the rows are
// folds of generated events, exactly as the live system stores them).
import type { Database, Queryable } from '../db/database.js';
import { bulkInsert, copiesOverlap, CopyWriter, textField, textLine, withIndexesDeferred, type BulkColumn } from '../db/bulk.js';
import { hashPassword } from '../org/auth.js';
import { availableParallelism } from 'node:os';
import type { OrderEvent } from '../workorders/lifecycle.js';
import { ROW_COLUMNS, toRowValues, type OrderType, type WorkOrder } from '../workorders/model.js';
import { encrypt, phoneIndex, sealEventData } from '../privacy/pii.js';
import { Rng } from './rng.js';
import { isoTime, localMidnights } from './clock.js';
import { seedHistoryInWorker, seedOrdersInWorker, useWorker } from './pipeline.js';
import { RECENT_DAYS, RecentOrderIndex, seedContacts, seedDeadlines, seedKnowledge, seedReference } from './history.js';
import { defaultConfig, type AppContext } from '../core/context.js';
import { KpiAccumulator } from '../kpi/service.js';
import * as T from './taxonomy.js';
import { HOURLY, WEEKDAY } from './taxonomy.js';

export const DEMO_PASSWORD = 'jiesu-demo';

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
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface DemoUnit {
  id: number;
  name: string;
  kind: string;
  parentId: number | null;
}

export interface DemoCity {
  units: DemoUnit[];
  byName: Map<string, DemoUnit>;
  districts: DemoUnit[];
  subdistrictsOf: Map<number, DemoUnit[]>;
  center: DemoUnit;
  /** username → roles, for the printed list of demo logins. */
  logins: { username: string; displayName: string; roles: string[]; unit: string }[];
  usersByRole: Map<string, number[]>;
  /** Handler user ids per unit id. */
  handlersOf: Map<number, number[]>;
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
    if (process.env.JIESU_DEMO_DEBUG) console.error(`demo: ${name} ${Date.now() - mark} ms (cpu ${Math.round((cpu.user + cpu.system) / 1000)} ms)`);
    mark = Date.now();
    cpuMark = process.cpuUsage();
  };
  await seedReference(db, city);
  stage('org and reference');
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

/** What the history needs besides the city and the random source (plain data: it crosses to the worker). */
export interface HistoryOptions {
  contacts: number;
  orders: number;
  withContacts: boolean;
  days: number;
  end: Date;
  timeZone: string;
}
export interface HistorySummary {
  orders: number;
  events: number;
  open: number;
  contacts: number;
  calls: number;
}
export interface HistoryHooks {
  stage: (name: string) => void;
  onProgress?: DemoOptions['onProgress'];
}

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
    hooks.onProgress?.('orders', done.reduce((a, b) => a + b, 0), total);
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
    await bulkInsert(q, 'workorder_number_counters', [{ name: 'day', type: 'text' }, { name: 'last', type: 'int' }], results.flatMap((r) => r.counters));
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
  const asked = Number(process.env.JIESU_DEMO_THREADS);
  if (Number.isInteger(asked) && asked >= 1) return asked;
  return db.kind === 'postgres' && opts.orders >= 50_000 ? Math.min(4, availableParallelism()) : 1;
}

async function seedOrg(q: Queryable, rng: Rng): Promise<DemoCity> {
  const units: DemoUnit[] = [];
  const add = async (name: string, kind: string, parentId: number | null) => {
    const r = await q.query<{ id: number }>('INSERT INTO units (name, kind, parent_id) VALUES ($1, $2, $3) RETURNING id', [name, kind, parentId]);
    const u = { id: r.rows[0]!.id, name, kind, parentId };
    units.push(u);
    return u;
  };
  const root = await add('滨江市', 'city', null);
  const center = await add('滨江市12345政务服务便民热线中心', 'bureau', root.id);
  const districts: DemoUnit[] = [];
  const subdistrictsOf = new Map<number, DemoUnit[]>();
  const roots = [...T.SUBDISTRICT_ROOTS];
  for (const d of T.DISTRICTS) {
    const district = await add(d, 'district', root.id);
    districts.push(district);
    const subs: DemoUnit[] = [];
    for (let i = 0; i < 3; i++) {
      const name = roots.splice(rng.int(0, roots.length - 1), 1)[0]! + (d.endsWith('县') ? '镇' : '街道');
      const s = await add(name, 'subdistrict', district.id);
      subs.push(s);
      for (let c = 0; c < 3; c++) await add(`${name.slice(0, 2)}${T.COMMUNITY_ROOTS[(i * 3 + c) % T.COMMUNITY_ROOTS.length]}社区`, 'community', s.id);
    }
    subdistrictsOf.set(district.id, subs);
  }
  for (const b of T.BUREAUS) await add(b, 'bureau', root.id);
  for (const u of T.UTILITIES) await add(u, 'utility', root.id);
  const byName = new Map(units.map((u) => [u.name, u]));

  // Staff: one password hash for every demo user (hashing is deliberately slow).
  const hash = await hashPassword(DEMO_PASSWORD);
  const logins: DemoCity['logins'] = [];
  const usersByRole = new Map<string, number[]>();
  const handlersOf = new Map<number, number[]>();
  const user = async (username: string, displayName: string, unit: DemoUnit, roles: string[], listed = false) => {
    const r = await q.query<{ id: number }>(
      `INSERT INTO users (username, password_hash, display_name, unit_id, roles) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (username) DO UPDATE SET unit_id = EXCLUDED.unit_id RETURNING id`,
      [username, hash, displayName, unit.id, roles],
    );
    const id = r.rows[0]!.id;
    for (const role of roles) usersByRole.set(role, [...(usersByRole.get(role) ?? []), id]);
    if (roles.includes('handler')) handlersOf.set(unit.id, [...(handlersOf.get(unit.id) ?? []), id]);
    if (listed) logins.push({ username, displayName, roles, unit: unit.name });
    return id;
  };
  const person = () => rng.pick(T.SURNAMES) + rng.pick(T.GIVEN);
  await user('demo_admin', '演示管理员', center, ['admin'], true);
  for (let i = 1; i <= 12; i++) await user(`agent${i}`, `话务员${person()}`, center, ['agent'], i === 1);
  for (let i = 1; i <= 3; i++) await user(`dispatcher${i}`, `派单员${person()}`, center, ['dispatcher'], i === 1);
  for (let i = 1; i <= 4; i++) await user(`followup${i}`, `回访员${person()}`, center, ['followup'], i === 1);
  for (let i = 1; i <= 2; i++) await user(`supervisor${i}`, `督办员${person()}`, center, ['supervisor'], i === 1);
  let n = 0;
  for (const u of units) {
    if (u.kind === 'community' || u.kind === 'city' || u === center) continue;
    n++;
    const listed = u === districts[0] || u.name === '市住房和城乡建设局';
    await user(`unit${n}_handler`, `${u.name}经办人`, u, ['handler'], listed);
    await user(`unit${n}_manager`, `${u.name}负责人`, u, ['unit_manager'], listed);
  }
  // The first district has its manager approve replies (答复审核), so the demo shows that flow too.
  await q.query('UPDATE units SET manager_review = true WHERE id = $1', [districts[0]!.id]);
  return { units, byName, districts, subdistrictsOf, center, logins, usersByRole, handlersOf };
}

const TYPES: OrderType[] = ['complaint', 'request', 'consultation', 'report', 'suggestion', 'praise'];
const TYPE_WEIGHTS = [35, 30, 20, 7, 6, 2];
const TYPE_WORDS: Record<OrderType, string> = { complaint: '投诉', request: '求助', consultation: '咨询', report: '举报', suggestion: '建议', praise: '表扬' };

interface Leaf {
  code: string;
  path: string[];
  l3: T.Level3;
  owner: T.Owner;
  weight: number;
}

/** The flattened category tree with codes 01 / 0101 / 010101. */
export function demoCategories(): { code: string; name: string; parentCode: string | null }[] {
  const out: { code: string; name: string; parentCode: string | null }[] = [];
  T.TAXONOMY.forEach((a, i) => {
    const c1 = String(i + 1).padStart(2, '0');
    out.push({ code: c1, name: a.name, parentCode: null });
    a.children.forEach((b, j) => {
      const c2 = c1 + String(j + 1).padStart(2, '0');
      out.push({ code: c2, name: b.name, parentCode: c1 });
      b.items.forEach((c, k) => out.push({ code: c2 + String(k + 1).padStart(2, '0'), name: c.name, parentCode: c2 }));
    });
  });
  return out;
}

function leaves(): Leaf[] {
  const out: Leaf[] = [];
  T.TAXONOMY.forEach((a, i) =>
    a.children.forEach((b, j) =>
      b.items.forEach((c, k) =>
        out.push({
          code: [i + 1, j + 1, k + 1].map((x) => String(x).padStart(2, '0')).join(''),
          path: [a.name, b.name, c.name],
          l3: c,
          owner: c.owner ?? b.owner ?? a.owner,
          weight: a.weight / a.children.length / b.items.length,
        }),
      ),
    ),
  );
  return out;
}

/** YYYYMMDD in the time zone; cached per hour, since Intl formatting is slow in a hot loop. */
function dayStamper(timeZone: string) {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const cache = new Map<number, string>();
  return (at: Date) => {
    const hour = Math.floor(at.getTime() / HOUR);
    let v = cache.get(hour);
    if (!v) cache.set(hour, (v = fmt.format(at).replaceAll('-', '')));
    return v;
  };
}

const HOUR = 3600_000;

/** When the orders were created, in time order, and which of them are the last day's hot-topic burst. */
export interface OrderTimes {
  times: Float64Array;
  burst: Uint8Array;
}
/** A stretch of the orders to generate: their times, the id of the first, the seeds of their draws. */
export interface OrderPart extends OrderTimes {
  firstId: number;
  seeds: { orders: number; citizens: number };
}
export interface OrdersResult {
  orders: number;
  events: number;
  open: number;
  infos: OrderInfo[];
  running: WorkOrder[];
  /** Last order number of each day (YYYYMMDD) in the part. */
  counters: [string, number][];
}

/**
 * Spreads the orders over the days by weekday and season, then over the hours of the city's
 * day (its local midnights, so the morning peak is in the morning whenever the seed runs);
 * the last day is today, up to `end`. A hot topic breaks out on the last day.
 */
function planOrderTimes(rng: Rng, opts: HistoryOptions): OrderTimes {
  const end = opts.end.getTime();
  const midnights = localMidnights(end, opts.days, opts.timeZone);
  const dayWeights: number[] = [];
  for (let d = 0; d < opts.days; d++) {
    const weekday = (midnights[d]!.weekday + 6) % 7; // Monday first
    const season = 1 + 0.15 * Math.sin((2 * Math.PI * d) / 365);
    dayWeights.push(WEEKDAY[weekday]! * season);
  }
  // Today counts for the share of its calls that came before `end`.
  const today = midnights[opts.days - 1]!.at;
  const elapsed = HOURLY.reduce((a, w, h) => a + w * Math.min(1, Math.max(0, (end - today - h * HOUR) / HOUR)), 0);
  dayWeights[opts.days - 1]! *= elapsed / HOURLY.reduce((a, b) => a + b, 0);
  const totalWeight = dayWeights.reduce((a, b) => a + b, 0);
  const counts = dayWeights.map((w) => Math.max(0, Math.round((opts.orders * w) / totalWeight)));
  // The burst: one broken traffic light reported again and again, so the hot-topic list has a spike to raise.
  const burstCount = Math.max(8, Math.round(counts[opts.days - 1]! * 0.03));
  const times = new Float64Array(counts.reduce((a, b) => a + b, 0) + burstCount);
  const burst = new Uint8Array(times.length);
  let n = 0;
  for (let d = 0; d < opts.days; d++) {
    const dayStart = midnights[d]!.at;
    const day: number[] = [];
    const draw = () => dayStart + rng.weighted(HOURS, HOURLY) * HOUR + rng.next() * HOUR;
    for (let i = 0; i < counts[d]!; i++) {
      let t = draw();
      // Today: an hour still to come is drawn again (a few tries; what is left is dropped below).
      for (let tries = 0; t > end && tries < 20; tries++) t = draw();
      day.push(t);
    }
    const hot = new Set<number>();
    if (d === opts.days - 1) for (let i = 0; i < burstCount; i++) hot.add(end - rng.next() * 18 * HOUR);
    day.push(...hot);
    day.sort((a, b) => a - b);
    for (const t of day) {
      if (t > end) continue;
      burst[n] = hot.has(t) ? 1 : 0;
      times[n++] = t;
    }
  }
  return { times: times.subarray(0, n), burst: burst.subarray(0, n) };
}

/**
 * Cuts the orders into parts of about equal work, at local midnights so that each day's
 * numbering stays in one part. An order of the last days costs about two: it is also
 * indexed for the assistant and the duplicate check (segmenting its text, a signature).
 */
function splitOrders(plan: OrderTimes, parts: number, dayStamp: (at: Date) => string, recentFrom: number): Omit<OrderPart, 'seeds'>[] {
  const n = plan.times.length;
  const work = new Float64Array(n + 1); // work[i]: the cost of the orders before i
  for (let i = 0; i < n; i++) work[i + 1] = work[i]! + (plan.times[i]! >= recentFrom ? 1 + RECENT_EXTRA_COST : 1);
  const cuts = [0];
  for (let p = 1; p < parts; p++) {
    const share = (work[n]! * p) / parts;
    let i = cuts[cuts.length - 1]!;
    while (i < n && work[i]! < share) i++;
    while (i > 0 && i < n && dayStamp(new Date(plan.times[i]!)) === dayStamp(new Date(plan.times[i - 1]!))) i++;
    if (i > cuts[cuts.length - 1]! && i < n) cuts.push(i);
  }
  cuts.push(n);
  return cuts.slice(1).map((to, k) => ({ times: plan.times.slice(cuts[k], to), burst: plan.burst.slice(cuts[k], to), firstId: cuts[k]! + 1 }));
}
/** What indexing a recent order costs besides generating it, in orders (measured on 1M orders in two parts: 0 left the last part 3.7 s behind, 2 the first 1.6 s). */
const RECENT_EXTRA_COST = 1;

/** A 32-bit mix of a seed and an index (murmur3's finaliser), to seed the draws of one order or citizen. */
function mix(seed: number, i: number): number {
  let h = (seed ^ Math.imul(i, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export async function seedOrders(db: Database, city: DemoCity, part: OrderPart, opts: HistoryOptions, kpi: KpiAccumulator, onProgress?: (done: number) => void): Promise<OrdersResult> {
  const end = opts.end;
  const dayStamp = dayStamper(opts.timeZone);
  const all = leaves();
  const leafWeights = all.map((l) => l.weight);
  const role = (r: string) => city.usersByRole.get(r) ?? [];
  const agents = role('agent');
  const dispatchers = role('dispatcher');
  const followups = role('followup');
  const supervisors = role('supervisor');
  const counters = new Map<string, number>();

  const ownerUnit = (leaf: Leaf, district: DemoUnit, sub: DemoUnit): number => {
    if (leaf.owner === 'district') return district.id;
    if (leaf.owner === 'subdistrict') return sub.id;
    return city.byName.get(leaf.owner)?.id ?? district.id;
  };

  // Citizens: a new one per order in the demo city; benchmark-scale loads (no contacts) draw from
  // a pool, as real callers repeat, so that each distinct citizen is encrypted once (per thread).
  const newCitizen = (rng: Rng): Citizen => {
    const name = rng.pick(T.SURNAMES) + rng.pick(T.GIVEN);
    const phone = `1${rng.pick(['3', '5', '7', '8', '9'])}${String(rng.int(0, 999999999)).padStart(9, '0')}`;
    return { name, phone, encName: encrypt(name)!, encPhone: encrypt(phone)!, phoneBidx: phoneIndex(phone)! };
  };
  const pool: Citizen[] = [];
  const poolSize = opts.withContacts ? 0 : Math.min(CITIZEN_POOL, opts.orders);
  const nextCitizen = (rng: Rng): Citizen => {
    if (!poolSize) return newCitizen(rng);
    const i = rng.int(0, poolSize - 1);
    return (pool[i] ??= newCitizen(new Rng(mix(part.seeds.citizens, i))));
  };

  let id = part.firstId - 1;
  const infos: OrderInfo[] = [];
  const running: WorkOrder[] = [];
  let insertMs = 0;
  const startedAt = Date.now();
  let events = 0;
  let open = 0;
  // Rows go straight into CSV chunks; on a server each chunk's COPY overlaps with generating
  // the next one (events wait for the orders they reference).
  const overlap = copiesOverlap(db);
  // COPY's text format: the JSON needs no quote doubling there.
  const orderOut = new CopyWriter(db, 'workorders', ORDER_BULK_COLUMNS, { trusted: true, chunkRows: Infinity, overlap, format: 'text' });
  const eventOut = new CopyWriter(db, 'workorder_events', EVENT_BULK_COLUMNS, { trusted: true, chunkRows: Infinity, overlap, after: orderOut, format: 'text' });
  // The last days' orders are indexed for the assistant and the duplicate check as they come.
  const recent = new RecentOrderIndex(db, orderOut);
  const recentFrom = end.getTime() - RECENT_DAYS * 86400_000;
  let buffered = 0;
  const flush = async (final = false) => {
    if (!final && ++buffered < 10000) return;
    buffered = 0;
    const t = Date.now();
    await orderOut.flush();
    await eventOut.flush();
    await recent.drain();
    if (final) await Promise.all([orderOut.close(), eventOut.close(), kpi.finishLog(), recent.close()]);
    else await kpi.drainLog(200_000);
    insertMs += Date.now() - t;
    onProgress?.(id - part.firstId + 1);
  };

  for (let k = 0; k < part.times.length; k++) {
    const t = part.times[k]!;
    const isBurst = part.burst[k] === 1;
    id++;
    const rng = new Rng(mix(part.seeds.orders, id));
    let leaf = rng.weighted(all, leafWeights);
    let district = rng.pick(city.districts);
    let sub = rng.pick(city.subdistrictsOf.get(district.id)!);
    const type = rng.weighted(TYPES, TYPE_WEIGHTS);
    let problem = rng.pick(leaf.l3.problems);
    let road = rng.pick(T.ROADS);
    if (isBurst) {
      leaf = all.find((l) => l.l3.name === '交通信号') ?? leaf;
      district = city.districts[0]!;
      sub = city.subdistrictsOf.get(district.id)![0]!;
      road = '滨江大道';
      problem = rng.pick(BURST_PROBLEMS);
    }
    const place = rng.pick(T.PLACES);
    const impact = rng.pick(T.IMPACTS);
    const citizen = nextCitizen(rng);
    const at = new Date(t);
    const day = dayStamp(at);
    const seq = (counters.get(day) ?? 0) + 1;
    counters.set(day, seq);
    const evs: OrderEvent[] = [];
    const push = (type: string, time: number, actorId: number | null, data: Record<string, unknown> = {}) => {
      evs.push({ type, at: isoTime(time), actorId, data });
      return time;
    };
    push('created', t, rng.pick(agents), {
      number: day + String(seq).padStart(5, '0'),
      type,
      title: `${TYPE_WORDS[type]}：${district.name}${sub.name}${problem}`.slice(0, 60),
      content: isBurst
        ? `${problem}，${rng.pick(['早晚高峰车辆乱行', '路口没有交警指挥', '已经好几个小时了'])}，请尽快修复滨江大道人民路路口的红绿灯。`
        : `${rng.pick(T.TIMES)}，${district.name}${sub.name}${road}${rng.int(1, 300)}号附近${place}${problem}${impact ? '，' + impact : ''}。${rng.pick(T.ASKS)}`,
      categoryCode: leaf.code,
      urgency: rng.chance(0.05) ? 'urgent' : 'normal',
      location: { address: `${district.name}${sub.name}${road}${rng.int(1, 300)}号`, districtUnitId: district.id, lat: micro(30.5 + rng.next() * 0.4), lng: micro(114.1 + rng.next() * 0.5) },
      citizen: { name: citizen.name, phone: citizen.phone },
      contactId: opts.withContacts ? id : null, // the contact that created it has the same id (history.ts)
    });
    walkLifecycle(rng, evs, push, t, end.getTime(), {
      unit: ownerUnit(leaf, district, sub),
      replies: T.repliesFor(type, problem),
      wrongUnit: () => rng.pick([...city.districts.map((x) => x.id), ...(city.subdistrictsOf.get(district.id) ?? []).map((x) => x.id)]),
      handlerOf: (unitId) => rng.pick(city.handlersOf.get(unitId) ?? role('handler')),
      dispatchers, followups, supervisors, agents,
    });
    // The assessment figures fold the events as the live system would; the row is that fold.
    const order = kpi.addOrder(id, evs)!;

    if (order.status === 'dispatched' || order.status === 'accepted') running.push(order);
    if (order.status !== 'closed') open++;
    // The citizen is encrypted once (AES-GCM per value dominates bulk loads): the ciphertext
    // goes into the row, the created event and the contact.
    order.citizen = null;
    const row = toRowValues(order);
    const { encName, encPhone, phoneBidx } = citizen;
    row[CITIZEN_AT] = encName;
    row[CITIZEN_AT + 1] = encPhone;
    row[CITIZEN_AT + 2] = phoneBidx;
    row.unshift(id);
    orderOut.addLine(textLine(row));
    for (let i = 0; i < evs.length; i++) {
      const e = evs[i]!;
      const data = i === 0 ? sealEventData(e.type, { ...e.data, citizen: { name: encName, phone: encPhone } }) : e.data;
      eventOut.addLine(`${id}\t${i + 1}\t${e.type}\t${e.actorId ?? '\\N'}\t${e.at}\t${textField(data)}`);
    }
    if (t >= recentFrom) {
      const loc = order.location;
      recent.add({ id, title: order.title, content: order.content, createdAt: order.createdAt, open: order.status !== 'closed', districtUnitId: loc?.districtUnitId ?? null, lat: loc?.lat ?? null, lng: loc?.lng ?? null });
    }
    if (opts.withContacts) infos.push({ id, at: t, agentId: evs[0]!.actorId!, phone: encPhone, name: encName, phoneBidx, title: order.title });
    events += evs.length;
    await flush();
  }
  await flush(true);
  if (process.env.JIESU_DEMO_DEBUG) console.error(`demo: orders ${part.firstId}… took ${Date.now() - startedAt} ms, of which ${insertMs} ms waiting for their COPYs`);
  return { orders: id - part.firstId + 1, events, open, infos, running, counters: [...counters.entries()] };
}

/** What the contacts of the demo need to know of each order (the citizen already encrypted). */
export interface OrderInfo {
  id: number;
  at: number;
  agentId: number;
  phone: string;
  name: string;
  phoneBidx: string;
  title: string;
}

interface Citizen {
  name: string;
  phone: string;
  encName: string;
  encPhone: string;
  phoneBidx: string;
}
/** Distinct citizens of a benchmark-scale load (--orders). */
const CITIZEN_POOL = 200_000;

/** A coordinate to six decimals (about 0.1 m), as a device reports it; shorter to write and to read. */
const micro = (deg: number) => Math.round(deg * 1e6) / 1e6;

const HOURS = Array.from({ length: 24 }, (_, h) => h);
/** Where the citizen's encrypted name, phone and phone index sit in `toRowValues`. */
const CITIZEN_AT = ROW_COLUMNS.indexOf('citizen_name_enc');
const BURST_PROBLEMS = ['滨江大道与人民路交叉口红绿灯不亮', '滨江大道人民路路口信号灯坏了，车辆乱行', '滨江大道和人民路口红绿灯故障，行人过马路很危险'];

interface Staff {
  unit: number;
  /** What the unit may reply, for this order's type and problem. */
  replies: readonly string[];
  wrongUnit: () => number;
  handlerOf: (unitId: number) => number;
  dispatchers: number[];
  followups: number[];
  supervisors: number[];
  agents: number[];
}

/** Appends the events of an order's life up to `now`: dispatch, returns, signing, extensions, reply, survey, reopening. */
function walkLifecycle(rng: Rng, evs: OrderEvent[], push: (type: string, time: number, actor: number | null, data?: Record<string, unknown>) => number, created: number, now: number, s: Staff) {
  let t = created;
  const next = (meanHours: number) => (t += Math.max(60_000, rng.exp(meanHours) * HOUR));
  // Some orders are closed by the center itself.
  if (rng.chance(0.06)) {
    if (next(0.3) < now) push('closed', t, rng.pick(s.agents), { reason: rng.weighted(['answered', 'invalid'], [4, 1]), duplicateOf: null });
    return;
  }
  for (let round = 0; round < 3; round++) {
    // Dispatch, sometimes to the wrong unit first, which returns it.
    const misrouted = round === 0 && rng.chance(0.07);
    if (next(round === 0 ? 0.6 : 2) > now) return;
    const unit = misrouted ? s.wrongUnit() : s.unit;
    push('dispatched', t, rng.pick(s.dispatchers), { unitId: unit, coUnitIds: [], note: null });
    if (misrouted && unit !== s.unit) {
      if (next(5) > now) return;
      push('returned', t, s.handlerOf(unit), { reason: rng.pick(T.RETURN_REASONS) });
      if (next(1.5) > now) return;
      push('dispatched', t, rng.pick(s.dispatchers), { unitId: s.unit, coUnitIds: [], note: '重新派单' });
    }
    if (next(rng.chance(0.08) ? 30 : 4) > now) return;
    const handler = s.handlerOf(s.unit);
    push('signed', t, handler);
    if (rng.chance(0.02) && next(20) < now) push('supervised', t, rng.pick(s.supervisors), { note: '请加快办理进度' });
    if (rng.chance(0.05)) {
      if (next(24) > now) return;
      const days = rng.int(3, 10);
      push('extension_requested', t, handler, { days, reason: '需协调多个部门，申请延期' });
      if (next(4) > now) return;
      if (rng.chance(0.8)) push('extension_approved', t, rng.pick(s.dispatchers), { days, note: null });
      else push('extension_rejected', t, rng.pick(s.dispatchers), { reason: '时限内可以完成' });
    }
    if (next(rng.chance(0.1) ? 200 : 50) > now) return;
    push('replied', t, handler, { content: rng.pick(s.replies), resolved: rng.chance(0.93) });
    if (next(30) > now) return;
    const satisfaction = round > 0 ? 'satisfied' : rng.weighted(['satisfied', 'basically_satisfied', 'unsatisfied'], [76, 15, 9]);
    const resolved = round > 0 || rng.chance(0.93);
    const reopened = satisfaction === 'unsatisfied' || !resolved;
    push('surveyed', t, rng.pick(s.followups), { satisfaction, resolved, note: null, reopened });
    if (!reopened) return;
  }
}

const ORDER_TYPES_SQL: Record<(typeof ROW_COLUMNS)[number], string> = {
  number: 'text', type: 'text', title: 'text', content: 'text', category_code: 'text', urgency: 'text', status: 'text',
  address: 'text', district_unit_id: 'int', lat: 'float8', lng: 'float8', citizen_name_enc: 'text', citizen_phone_enc: 'text', citizen_phone_bidx: 'text',
  contact_id: 'int', main_unit_id: 'int', co_unit_ids: 'int[]', extension: 'jsonb', extension_days: 'int', reply: 'jsonb',
  survey: 'jsonb', close_reason: 'text', duplicate_of: 'int', dispatch_count: 'int', return_count: 'int', reopen_count: 'int',
  supervision_count: 'int', version: 'int', created_by: 'int', created_at: 'timestamptz', updated_at: 'timestamptz',
  dispatched_at: 'timestamptz', signed_at: 'timestamptz', replied_at: 'timestamptz', closed_at: 'timestamptz',
  survey_attempts: 'int', last_survey_attempt_at: 'timestamptz', pending_reply: 'jsonb',
};
const ORDER_BULK_COLUMNS: BulkColumn[] = [{ name: 'id', type: 'int' }, ...ROW_COLUMNS.map((c) => ({ name: c, type: ORDER_TYPES_SQL[c] }))];
const EVENT_BULK_COLUMNS: BulkColumn[] = [
  { name: 'workorder_id', type: 'int' }, { name: 'seq', type: 'int' }, { name: 'type', type: 'text' },
  { name: 'actor_id', type: 'int' }, { name: 'at', type: 'timestamptz' }, { name: 'data', type: 'jsonb' },
];
