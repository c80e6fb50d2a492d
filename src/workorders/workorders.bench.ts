// Work-order throughput through the whole HTTP stack (validation, auth, transaction, event).
import { percentile, round, timeEach, type Benchmark } from '../../bench/harness.js';
import { seedCity, testPlatform } from '../../test/helpers.js';

export const workordersBench: Benchmark = {
  module: 'workorders',
  title: 'create and walk work orders through the API',
  async run({ quick }) {
    const platform = await testPlatform();
    try {
      const { users, units } = await seedCity(platform);
      const n = quick ? 200 : 2000;
      const created: { id: number; version: number }[] = [];
      const t0 = performance.now();
      const createMs = await timeEach(n, async (i) => {
        const r = await users.agent.post('/api/v1/workorders', {
          type: 'complaint',
          title: `噪音扰民 ${i}`,
          content: '夜间施工噪音严重影响休息，请有关部门处理。',
          location: { address: '东华门街道', districtUnitId: units.districtA },
          citizen: { name: '王五', phone: '13900001111' },
        });
        created.push(r.body);
      });
      const createRate = n / ((performance.now() - t0) / 1000);
      const actionMs = await timeEach(n, async (i) => {
        const o = created[i]!;
        await users.dispatcher.post(`/api/v1/workorders/${o.id}/actions/dispatch`, { version: o.version, unitId: units.districtA });
      });
      const listMs = await timeEach(quick ? 50 : 200, () => users.dispatcher.get('/api/v1/workorders?status=dispatched&limit=50'));
      return [
        { name: `create order (${n}), p95`, value: round(percentile(createMs, 95)), unit: 'ms', target: '< 50 ms', pass: percentile(createMs, 95) < 50 },
        { name: 'create order, throughput (one client)', value: round(createRate, 0), unit: 'orders/s' },
        { name: 'dispatch action, p95', value: round(percentile(actionMs, 95)), unit: 'ms', target: '< 50 ms', pass: percentile(actionMs, 95) < 50 },
        { name: 'list 50 dispatched orders, p95', value: round(percentile(listMs, 95)), unit: 'ms', target: '< 100 ms', pass: percentile(listMs, 95) < 100 },
      ];
    } finally {
      await platform.close();
    }
  },
};
