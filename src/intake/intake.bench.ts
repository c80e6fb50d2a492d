// Intake throughput through the whole HTTP stack (validation, auth, idempotency claim,
// encryption and blind index of the caller, commit), beside the same INSERT done directly with
// the driver (the limit, the caller sealed the same way), and the caller-history lookup with
// many contacts on record.
import { encrypt, phoneIndex, sealCitizen } from '../privacy/index.js';
import { performance } from 'node:perf_hooks';
import { percentile, round, timeEach, type Benchmark } from '../../bench/harness.js';
import { seedCity, testPlatform } from '../../test/helpers.js';

/** Runs n calls of fn with `concurrency` in flight; returns each call's latency in ms and the wall time. */
async function closedLoop(n: number, concurrency: number, fn: (i: number) => Promise<unknown>) {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await fn(i);
        lat.push(performance.now() - t);
      }
    }),
  );
  return { lat, seconds: (performance.now() - t0) / 1000 };
}

/** Sends `rate` requests per second for `seconds` (open loop); returns latencies. */
async function paced(rate: number, seconds: number, fn: (i: number) => Promise<unknown>) {
  const lat: number[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      (async () => {
        const t = performance.now();
        await fn(i);
        lat.push(performance.now() - t);
      })(),
    );
  }
  await Promise.all(pending);
  return lat;
}

export const intakeBench: Benchmark = {
  module: 'intake',
  title: 'contacts acknowledged per second (Idempotency-Key) and caller history',
  async run({ quick }) {
    const platform = await testPlatform();
    try {
      const { users } = await seedCity(platform);
      const agent = users.agent;
      const n = quick ? 1000 : 5000;
      const conc = 16;
      const t0 = Date.now() - 3600_000;
      const body = (i: number) => ({
        channel: 'phone',
        startedAt: new Date(t0 + i).toISOString(),
        endedAt: new Date(t0 + i + 60_000).toISOString(),
        caller: { phone: `139${String(i % 5000).padStart(8, '0')}`, name: '王五' },
        summary: '咨询社保缴费',
        outcome: 'answered',
      });
      const post = async (i: number, key: string) => {
        const r = await agent.request('POST', '/api/v1/contacts', body(i), { 'idempotency-key': key });
        if (r.status !== 201) throw new Error(`contact ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      };
      for (let i = 0; i < 100; i++) await post(i, `warm-${i}`);
      const api = await closedLoop(n, conc, (i) => post(i, `bench-${i}`));
      const apiRate = n / api.seconds;
      // Retries of keys already used: answered from the stored row.
      const retry = await closedLoop(quick ? 300 : 1000, conc, (i) => post(i, `bench-${i}`));

      // The limit: the same INSERT (with the unique key) straight through the driver, same concurrency.
      const agentId = (await platform.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'agent1'")).rows[0]!.id;
      const raw = await closedLoop(n, conc, (i) =>
        platform.db.query(
          `INSERT INTO contacts (channel, started_at, ended_at, caller_phone_enc, caller_name_enc, agent_id, summary, outcome, created_by, idempotency_key, request_hash, caller_phone_bidx)
           VALUES ('phone', now() - interval '1 minute', now(), $1, $4, $2, '咨询社保缴费', 'answered', $2, $3, 'h', $5)
           ON CONFLICT (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id`,
          ((c) => [c.phone_enc, agentId, `raw-${i}`, c.name_enc, c.phone_bidx])(
            sealCitizen({ phone: `139${String(i % 5000).padStart(8, '0')}`, name: '王五' }),
          ),
        ),
      );
      const rawRate = n / raw.seconds;
      const pacedLat = await paced(200, quick ? 2 : 5, (i) => post(i, `paced-${i}`));

      // Caller history: many contacts on record, one frequent caller with 300 of them (encrypted, with blind indexes).
      const phones = Array.from({ length: 20000 }, (_, g) => '137' + String(g).padStart(8, '0'));
      await platform.db.query(
        `INSERT INTO contacts (channel, started_at, caller_phone_enc, caller_phone_bidx, summary, outcome, created_by)
         SELECT 'phone', now() - (g || ' minutes')::interval, ($3::text[])[g % 20000 + 1], ($4::text[])[g % 20000 + 1], '历史来电', 'answered', $1
         FROM generate_series(1, $2::int) g`,
        [agentId, quick ? 50_000 : 200_000, phones.map((p) => encrypt(p)), phones.map((p) => phoneIndex(p))],
      );
      await platform.db.query(
        `INSERT INTO contacts (channel, started_at, caller_phone_enc, caller_phone_bidx, summary, outcome, created_by)
         SELECT 'phone', now() - (g || ' hours')::interval, $2, $3, '老来电', 'answered', $1 FROM generate_series(1, 300) g`,
        [agentId, encrypt('13600000000'), phoneIndex('13600000000')],
      );
      await platform.db.query('ANALYZE contacts');
      const histMs = await timeEach(quick ? 100 : 300, (i) =>
        agent.get(`/api/v1/callers/${i % 2 ? '13600000000' : '137' + String(i * 7).padStart(8, '0')}/history`),
      );
      const total = (await platform.db.query<{ n: number }>('SELECT count(*) AS n FROM contacts')).rows[0]!.n;

      const engine = platform.db.kind;
      const p99 = percentile(pacedLat, 99);
      return [
        {
          name: `create contact with Idempotency-Key, ${conc} clients (${engine})`,
          value: round(apiRate, 0),
          unit: 'contacts/s',
          target: engine === 'postgres' ? '≥ 1000 contacts/s' : undefined,
          pass: engine === 'postgres' ? apiRate >= 1000 : undefined,
          notes:
            'each caller encrypted (name, phone) and blind-indexed by sealCitizen on this group-committed path, as on every other (before b4910e9 this path stored them in clear)',
        },
        {
          name: 'create contact, p50 / p99 under that load',
          value: round(percentile(api.lat, 50)),
          unit: 'ms',
          notes: `p99 ${round(percentile(api.lat, 99))} ms`,
        },
        {
          name: 'raw INSERT through the driver, same concurrency (the limit)',
          value: round(rawRate, 0),
          unit: 'rows/s',
          notes:
            'one autocommitted INSERT per row; the API group-commits concurrent keyed contacts (src/intake/batch.ts), one commit per batch, so it can come near or past this',
        },
        { name: 'API rate / raw insert rate', value: round((100 * apiRate) / rawRate, 1), unit: '%', target: '≥ 40 %', pass: apiRate / rawRate >= 0.4 },
        {
          name: 'create contact at a steady 200/s, p99',
          value: round(p99),
          unit: 'ms',
          target: '< 50 ms',
          pass: p99 < 50,
          notes: `p50 ${round(percentile(pacedLat, 50))} ms`,
        },
        { name: 'retry with a used key (replay), p95', value: round(percentile(retry.lat, 95)), unit: 'ms' },
        {
          name: `caller history with ${total} contacts on record, p95`,
          value: round(percentile(histMs, 95)),
          unit: 'ms',
          target: '< 50 ms',
          pass: percentile(histMs, 95) < 50,
        },
      ];
    } finally {
      await platform.close();
    }
  },
};
