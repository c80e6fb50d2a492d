// A month's ranking must answer in < 200 ms with 10 million orders on record. The ranking
// reads only the `kpi_facts` aggregates, whose size is bounded by months × units ×
// categories × districts, not by the number of orders: this benchmark fills that table to
// its bound for a year (every combination present, counts summing to 10 million orders
// received) and times the ranking queries through the HTTP API.
import { percentile, round, timeEach, type Benchmark } from '../../bench/harness.js';
import { bulkLoad } from '../db/bulk.js';
import { loginAs, testPlatform } from '../../test/helpers.js';
import { DEMO_PASSWORD, seedDemo } from '../demo/index.js';
import { Rng } from '../core/random.js';
import { COUNTERS } from './facts.js';
import { ROLLUP_SQL } from './service.js';

export const kpiBench: Benchmark = {
  module: 'kpi',
  title: 'assessment rankings over a year of aggregates for 10 million orders',
  async run({ quick }) {
    const platform = await testPlatform();
    try {
      const db = platform.db;
      await seedDemo(db, { contacts: 2000, days: 5, seed: 1 });
      const units = (await db.query<{ id: number }>(`SELECT id FROM units WHERE kind IN ('district','subdistrict','bureau','utility')`)).rows.map((r) => r.id);
      const districts = (await db.query<{ id: number }>(`SELECT id FROM units WHERE kind = 'district'`)).rows.map((r) => r.id);
      const categories = (await db.query<{ code: string }>('SELECT code FROM categories WHERE level = 3')).rows.map((r) => r.code);
      const months = Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`);
      const combos = months.length * units.length * categories.length * districts.length;
      const perRow = 10_000_000 / combos;
      const rng = new Rng(7);
      await db.query('DELETE FROM kpi_facts');
      const rows: unknown[][] = [];
      for (const m of months)
        for (const u of units)
          for (const c of categories)
            for (const d of districts) {
              const received = Math.max(1, Math.round(perRow * (0.5 + rng.next())));
              const signed = Math.round(received * 0.97);
              const surveyed = Math.round(received * 0.8);
              const add: Record<string, number> = {
                received,
                signed,
                signed_on_time: Math.round(signed * (0.85 + 0.15 * rng.next())),
                returned: Math.round(received * 0.05),
                extended: Math.round(received * 0.04),
                replied: Math.round(received * 0.9),
                replied_on_time: Math.round(received * 0.8),
                handling_hours: received * 20,
                surveyed,
                resolved: Math.round(surveyed * 0.9),
                satisfied: Math.round(surveyed * 0.75),
                basically_satisfied: Math.round(surveyed * 0.15),
                unsatisfied: Math.round(surveyed * 0.1),
                reopened: Math.round(surveyed * 0.08),
                unreachable: 0,
                supervised: Math.round(received * 0.02),
              };
              rows.push([m, u, c, d, ...COUNTERS.map((k) => add[k] ?? 0)]);
            }
      await bulkLoad(
        db,
        'kpi_facts',
        [
          { name: 'month', type: 'text' },
          { name: 'unit_id', type: 'int' },
          { name: 'category_code', type: 'text' },
          { name: 'district_id', type: 'int' },
          ...COUNTERS.map((c) => ({ name: c, type: 'float8' })),
        ],
        rows,
      );
      await db.query('DELETE FROM kpi_unit_month');
      await db.query(ROLLUP_SQL);
      await db.exec('ANALYZE kpi_facts; ANALYZE kpi_unit_month');
      const total = (await db.query<{ n: number }>('SELECT sum(received)::float8 AS n FROM kpi_facts')).rows[0]!.n;
      const supervisor = await loginAs(platform, 'supervisor1', DEMO_PASSWORD);
      const n = quick ? 10 : 40;
      const rank = (kind: string) => async () => {
        const r = await supervisor.get(`/api/v1/kpi/rankings?month=2025-10&kind=${kind}`);
        if (r.status !== 200) throw new Error(JSON.stringify(r.body));
      };
      const districtsMs = await timeEach(n, rank('district'));
      const subMs = await timeEach(n, rank('subdistrict'));
      const bureauMs = await timeEach(n, rank('bureau'));
      const yearMs = await timeEach(Math.max(5, n / 4), async () => {
        await supervisor.get('/api/v1/kpi/units?from=2025-01&to=2025-12&kind=district&categoryCode=01');
      });
      const p = (xs: number[]) => round(percentile(xs, 95));
      return [
        {
          name: 'aggregate rows (a year, every combination)',
          value: rows.length,
          unit: 'rows',
          notes: `orders received in the aggregates: ${Math.round(total).toLocaleString('en')}`,
        },
        { name: 'ranking of districts for a month, p95', value: p(districtsMs), unit: 'ms', target: '< 200 ms', pass: p(districtsMs) < 200 },
        { name: 'ranking of sub-districts for a month, p95', value: p(subMs), unit: 'ms', target: '< 200 ms', pass: p(subMs) < 200 },
        { name: 'ranking of bureaus for a month, p95', value: p(bureauMs), unit: 'ms', target: '< 200 ms', pass: p(bureauMs) < 200 },
        { name: 'district measures over a year for one category, p95', value: p(yearMs), unit: 'ms' },
      ];
    } finally {
      await platform.close();
    }
  },
};
