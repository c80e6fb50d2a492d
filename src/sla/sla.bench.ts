// Deadline arithmetic (pure, ops/s) and the escalation job over many overdue orders.
import { performance } from 'node:perf_hooks';
import { round, type Benchmark } from '../../bench/harness.js';
import { seedCity, testPlatform } from '../../test/helpers.js';
import { WorkCalendar } from './calendar.js';

function opsPerSecond(n: number, fn: (i: number) => unknown): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return n / ((performance.now() - t) / 1000);
}

export const slaBench: Benchmark = {
  module: 'sla',
  title: 'working-calendar arithmetic and the escalation job',
  async run({ quick }) {
    const cal = new WorkCalendar({ timeZone: 'Asia/Shanghai' });
    const start = Date.UTC(2024, 0, 1);
    const span = 3 * 365 * 86_400_000;
    const n = quick ? 50_000 : 300_000;
    const at = (i: number) => start + ((i * 7_919_993_111) % span);
    opsPerSecond(5000, (i) => cal.addWorkingHours(at(i), 2)); // warm the day caches
    const addHours = opsPerSecond(n, (i) => cal.addWorkingHours(at(i), 1 + (i % 40)));
    const addDays = opsPerSecond(n, (i) => cal.addWorkingDays(at(i), 1 + (i % 10)));
    const between = opsPerSecond(n, (i) => cal.workingMsBetween(at(i), at(i) + (i % 30) * 86_400_000));

    const platform = await testPlatform();
    try {
      const { users, units } = await seedCity(platform);
      const orders = quick ? 200 : 2000;
      for (let i = 0; i < orders; i++) {
        const r = await users.agent.post('/api/v1/workorders', {
          type: 'complaint',
          title: `噪音扰民 ${i}`,
          content: '夜间施工噪音。',
          urgency: i % 5 ? 'normal' : 'urgent',
        });
        await users.dispatcher.post(`/api/v1/workorders/${r.body.id}/actions/dispatch`, {
          version: r.body.version,
          unitId: i % 2 ? units.districtA : units.streetA,
        });
      }
      const late = new Date(Date.now() + 60 * 86_400_000).toISOString();
      const t = performance.now();
      const r = await users.admin.post('/api/v1/sla/tick', { now: late });
      const tickMs = performance.now() - t;
      const fired = r.body.fired.length as number;
      const t2 = performance.now();
      await users.admin.post('/api/v1/sla/tick', { now: late });
      const idleMs = performance.now() - t2;
      return [
        { name: 'add N working hours', value: round(addHours, 0), unit: 'ops/s', target: '> 100000 ops/s', pass: addHours > 100_000 },
        { name: 'add N working days', value: round(addDays, 0), unit: 'ops/s', target: '> 100000 ops/s', pass: addDays > 100_000 },
        { name: 'working time between two instants (≤ 30 days)', value: round(between, 0), unit: 'ops/s' },
        {
          name: `tick: ${orders} overdue orders (${fired} escalations with inbox, 督办 event)`,
          value: round(fired / (tickMs / 1000), 0),
          unit: 'escalations/s',
          notes: `${round(tickMs / 1000, 2)} s in all`,
        },
        { name: 'tick with nothing due', value: round(idleMs, 1), unit: 'ms', target: '< 50 ms', pass: idleMs < 50 },
      ];
    } finally {
      await platform.close();
    }
  },
};
