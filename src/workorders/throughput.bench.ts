// Throughput against what the database can do, in one run on one machine: `jiesu serve` in a child
// process (PostgreSQL when DATABASE_URL is set, PGlite otherwise) under autocannon at 10
// connections, beside a pgbench-style replay of the same SQL shape straight on the database:
// - order creation (POST /api/v1/workorders) vs the replayed transaction (the day's number, the
//   order row, its event, its duplicate signature, its search-index row), and p99 at 200 orders/s;
// - the read mix (order list + one order) vs the health route;
// - a dispatch → sign → reply walk at 100 actions/s, each action's p95.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { percentile, round, type Benchmark, type BenchResult } from '../../bench/harness.js';
import { packageRoot } from '../db/migrate.js';
import { startPlatform } from '../server.js';
import { ADMIN_PASSWORD, seedCity, throwawayDatabase } from '../../test/helpers.js';

const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object) => Promise<any>;
const CONNECTIONS = 10;

const orderBody = (i: number, district: number) =>
  JSON.stringify({
    type: 'complaint',
    title: `小区门口路灯不亮 ${i}`,
    content: `东华门大街${i}号小区门口的路灯连续三天不亮，晚上出行不便，请尽快维修。`,
    location: { address: `东华门大街${i}号`, districtUnitId: district },
    citizen: { name: '赵六', phone: `138${String(i % 100_000_000).padStart(8, '0')}` },
  });

/**
 * The SQL of one order creation, replayed by `CONNECTIONS` clients for `seconds`: the statements
 * the API's transaction writes, with the values of a real order (the same row, event, tokens).
 */
async function replay(url: string, seconds: number, sample: Record<string, any>): Promise<{ tps: number; p99: number }> {
  const pool = new pg.Pool({ connectionString: url, max: CONNECTIONS });
  const { rows: cols } = await pool.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_name = 'workorders' AND column_name <> 'id' AND is_generated = 'NEVER' ORDER BY ordinal_position`,
  );
  const names = cols.map((c) => c.column_name).filter((c) => c in sample.row);
  const ev = sample.event;
  const sig = sample.signature;
  const end = performance.now() + seconds * 1000;
  const lat: number[] = [];
  let n = 0;
  const worker = async () => {
    const c = await pool.connect();
    try {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        await c.query('BEGIN');
        // One counter row, as the API's day; the numbers stay unique.
        const num = await c.query<{ last: number }>(
          `INSERT INTO workorder_number_counters (day, last) VALUES ('R', 1) ON CONFLICT (day) DO UPDATE SET last = workorder_number_counters.last + 1 RETURNING last`,
        );
        const row = { ...sample.row, number: `R${num.rows[0]!.last}` };
        const ins = await c.query<{ id: number }>(
          `INSERT INTO workorders (${names.join(', ')}) VALUES (${names.map((_, k) => `$${k + 1}`).join(', ')}) RETURNING id`,
          names.map((k) => row[k]),
        );
        const id = ins.rows[0]!.id;
        await c.query('INSERT INTO workorder_events (workorder_id, seq, type, actor_id, at, data) VALUES ($1, 1, $2, $3, $4, $5)', [
          id,
          ev.type,
          ev.actor_id,
          ev.at,
          ev.data,
        ]);
        await c.query(
          `INSERT INTO dup_signatures (workorder_id, created_at, district_unit_id, lat, lng, open, tokens, bands) VALUES ($1, $2, $3, $4, $5, true, $6, $7)`,
          [id, ev.at, sig.district_unit_id, sig.lat, sig.lng, sig.tokens, sig.bands],
        );
        await c.query(
          `INSERT INTO kb_order_index (workorder_id, created_at, tsv) VALUES ($1, $2, setweight(to_tsvector('simple', $3), 'A') || setweight(to_tsvector('simple', $4), 'C'))`,
          [id, ev.at, sample.titleTokens, sample.contentTokens],
        );
        await c.query('COMMIT');
        lat.push(performance.now() - t);
        n++;
      }
    } finally {
      c.release();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, () => worker()));
  const tps = n / ((performance.now() - t0) / 1000);
  await pool.end();
  return { tps, p99: percentile(lat, 99) };
}

export const throughputBench: Benchmark = {
  module: 'throughput',
  title: 'the API against the database: creation, reads and actions at 10 connections',
  async run({ databaseUrl, quick }) {
    const seconds = quick ? 5 : 15;
    const tmp = mkdtempSync(join(tmpdir(), 'jiesu-throughput-'));
    const db = databaseUrl ? await throwawayDatabase() : null;
    const dataDir = join(tmp, 'data');
    let child: ReturnType<typeof spawn> | undefined;
    const out: BenchResult[] = [];
    try {
      const p = await startPlatform({ databaseUrl: db?.url, dataDir: db ? undefined : dataDir, adminPassword: ADMIN_PASSWORD });
      let district = 0;
      let sample: Record<string, any> | null = null;
      try {
        const city = await seedCity(p);
        district = city.units.districtA;
        const r = await city.users.agent.post('/api/v1/workorders', JSON.parse(orderBody(0, district)));
        if (db) {
          // The replay writes what the API wrote for this order.
          const row = (await p.db.query<Record<string, any>>('SELECT * FROM workorders WHERE id = $1', [r.body.id])).rows[0]!;
          const event = (await p.db.query<Record<string, any>>('SELECT * FROM workorder_events WHERE workorder_id = $1 AND seq = 1', [r.body.id])).rows[0]!;
          const signature = (await p.db.query<Record<string, any>>('SELECT * FROM dup_signatures WHERE workorder_id = $1', [r.body.id])).rows[0]!;
          delete row.id;
          for (const k of Object.keys(row))
            if (row[k] !== null && typeof row[k] === 'object' && !(row[k] instanceof Date) && !Buffer.isBuffer(row[k])) row[k] = JSON.stringify(row[k]);
          for (const k of ['transfer_unit_ids', 'co_unit_ids']) if (k in row) row[k] = JSON.parse(row[k]);
          // The index's words, as the segmenter gave them (the lexemes of each weight).
          const words = async (weight: string) =>
            (
              await p.db.query<{ w: string }>(
                `SELECT array_to_string(tsvector_to_array(ts_filter(tsv, $2)), ' ') AS w FROM kb_order_index WHERE workorder_id = $1`,
                [r.body.id, `{${weight}}`],
              )
            ).rows[0]!.w;
          sample = { row, event: { ...event, data: JSON.stringify(event.data) }, signature, titleTokens: await words('a'), contentTokens: await words('c') };
        }
      } finally {
        await p.close();
      }
      child = spawn(
        process.execPath,
        [join(packageRoot, 'bin', 'jiesu.js'), 'serve', '--port', '0', ...(db ? ['--database-url', db.url] : ['--data', dataDir])],
        {
          env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'silent', JIESU_SLA_INTERVAL_SECONDS: '0', JIESU_DB_POOL: String(CONNECTIONS) },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let log = '';
      const url = await new Promise<string>((resolve, reject) => {
        child!.stdout!.on('data', (d) => {
          log += d;
          const m = /serving on (http:\/\/\S+)/.exec(log);
          if (m) resolve(m[1]!);
        });
        child!.once('exit', () => reject(new Error(log)));
      });
      const tokenOf = async (username: string) => {
        const login = await fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: 'password-123' }),
        });
        return ((await login.json()) as { token: string }).token;
      };
      const headersOf = async (username: string) => ({ authorization: `Bearer ${await tokenOf(username)}`, 'content-type': 'application/json' });
      const agent = await headersOf('agent1');
      let i = 1;
      const create = (extra: object = {}) =>
        autocannon({
          url: `${url}/api/v1/workorders`,
          connections: CONNECTIONS,
          duration: seconds,
          ...extra,
          requests: [{ method: 'POST', headers: agent, setupRequest: (req: object) => ({ ...req, body: orderBody(i++, district) }) }],
        });
      await create({ duration: 2 }); // warm up
      const api = await create();
      const apiRate = api.requests.average as number;
      out.push({
        name: 'create order, API at 10 connections',
        value: round(apiRate, 0),
        unit: 'orders/s',
        notes: `p99 ${api.latency.p99} ms, errors ${api.errors + api.non2xx}`,
      });
      if (db && sample) {
        const r = await replay(db.url, seconds, sample);
        const ratio = apiRate / r.tps;
        out.push({ name: 'the same SQL replayed (pgbench-style), 10 connections', value: round(r.tps, 0), unit: 'tx/s', notes: `p99 ${round(r.p99)} ms` });
        out.push({ name: 'create order: API / replay', value: round(ratio * 100, 0), unit: '%', target: '≥ 60 % (aim 80 %)', pass: ratio >= 0.6 });
      }
      const steady = await create({ overallRate: 200 });
      out.push({
        name: 'create order at a steady 200 orders/s, p99',
        value: steady.latency.p99,
        unit: 'ms',
        target: '< 50 ms',
        pass: steady.latency.p99 < 50,
        notes: `${round(steady.requests.average, 0)} orders/s served`,
      });

      // The read mix: the order list and one order, against the health route.
      const dispatcher = await headersOf('dispatcher1');
      const list = (await (await fetch(`${url}/api/v1/workorders?limit=20`, { headers: dispatcher })).json()) as { items: { id: number }[] };
      const ids = list.items.map((x) => x.id);
      let k = 0;
      const reads = await autocannon({
        url,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          { method: 'GET', path: '/api/v1/workorders?limit=20', headers: dispatcher },
          { method: 'GET', headers: dispatcher, setupRequest: (req: object) => ({ ...req, path: `/api/v1/workorders/${ids[k++ % ids.length]}` }) },
        ],
      });
      const health = await autocannon({ url: `${url}/api/v1/health`, connections: CONNECTIONS, duration: seconds });
      out.push({
        name: 'read mix (list + one order) at 10 connections',
        value: round(reads.requests.average, 0),
        unit: 'requests/s',
        target: '≥ 3,000 requests/s',
        pass: reads.requests.average >= 3000,
        notes: `p99 ${reads.latency.p99} ms; health route ${round(health.requests.average, 0)} requests/s (${round((reads.requests.average / health.requests.average) * 100, 0)} %)`,
      });

      // dispatch → sign → reply at 100 actions/s, each action timed.
      const handler = await headersOf('handler_a');
      const walkers = 10;
      const perWalker = quick ? 10 : 30;
      const times: Record<'dispatch' | 'sign' | 'reply', number[]> = { dispatch: [], sign: [], reply: [] };
      const post = async (h: Record<string, string>, path: string, body: object) => {
        const res = await fetch(url + path, { method: 'POST', headers: h, body: JSON.stringify(body) });
        const json = (await res.json()) as { id: number; version: number };
        if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
        return json;
      };
      const orders: { id: number; version: number }[] = [];
      for (let n = 0; n < walkers * perWalker; n++) orders.push(await post(agent, '/api/v1/workorders', JSON.parse(orderBody(100_000 + n, district))));
      const interval = (1000 / 100) * walkers; // each walker: one action every 100 ms, 10 walkers = 100 actions/s
      const walk = async (w: number) => {
        // Walkers start 10 ms apart, so the actions arrive at a steady 100/s rather than in bursts of ten.
        await new Promise((r) => setTimeout(r, (w * interval) / walkers));
        for (let n = 0; n < perWalker; n++) {
          let o = orders[w * perWalker + n]!;
          for (const [action, h, body] of [
            ['dispatch', dispatcher, { unitId: district }],
            ['sign', handler, {}],
            ['reply', handler, { content: '已维修', resolved: true }],
          ] as const) {
            const t = performance.now();
            o = await post(h, `/api/v1/workorders/${o.id}/actions/${action}`, { ...body, version: o.version });
            const took = performance.now() - t;
            times[action].push(took);
            await new Promise((r) => setTimeout(r, Math.max(0, interval - took)));
          }
        }
      };
      await Promise.all(Array.from({ length: walkers }, (_, w) => walk(w)));
      for (const action of ['dispatch', 'sign', 'reply'] as const) {
        const p95 = percentile(times[action], 95);
        out.push({ name: `${action} at 100 actions/s, p95`, value: round(p95), unit: 'ms', target: '< 20 ms', pass: p95 < 20 });
      }
      return out;
    } finally {
      child?.kill('SIGTERM');
      if (child) await new Promise((r) => (child!.exitCode != null ? r(null) : child!.once('exit', r)));
      await db?.drop();
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
