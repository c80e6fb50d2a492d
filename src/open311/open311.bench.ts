// Open311 through the whole HTTP stack: POST requests (form-encoded, as third-party
// apps send them) and the public GET requests list and single-request reads.
import { percentile, round, timeEach, type Benchmark } from '../../bench/harness.js';
import { open311City, raw } from './testkit.bench.js';

export const open311Bench: Benchmark = {
  module: 'open311',
  title: 'Open311 GeoReport v2: POST requests and GET requests',
  async run({ quick }) {
    const t = await open311City();
    try {
      const n = quick ? 200 : 1000;
      const ids: string[] = [];
      const t0 = performance.now();
      const postMs = await timeEach(n, async (i) => {
        const r = await raw(t.platform, 'POST', '/open311/v2/requests.json', {
          form: {
            api_key: t.apiKey,
            lat: '39.91',
            long: '116.39',
            description: `第 ${i} 条：路面坑洼影响通行`,
            phone: '13900001111',
            ...(i % 2 ? { service_code: 'noise-night' } : { service_code: 'road-pothole', 'attribute[size]': 'small' }),
          },
        });
        if (r.status !== 201) throw new Error(r.text);
        ids.push(r.json[0].service_request_id);
      });
      const postRate = n / ((performance.now() - t0) / 1000);
      const listMs = await timeEach(quick ? 50 : 200, async (i) => {
        const r = await raw(t.platform, 'GET', `/open311/v2/requests.${i % 2 ? 'xml' : 'json'}?service_code=road-pothole&status=open&page_size=100`);
        if (r.status !== 200) throw new Error(r.text);
      });
      const oneMs = await timeEach(quick ? 100 : 500, async (i) => {
        const r = await raw(t.platform, 'GET', `/open311/v2/requests/${ids[i % ids.length]}.json`);
        if (r.status !== 200) throw new Error(r.text);
      });
      return [
        { name: `POST requests (${n}), throughput (one client)`, value: round(postRate, 0), unit: 'requests/s', target: '> 50/s', pass: postRate > 50 },
        { name: 'POST requests, p95', value: round(percentile(postMs, 95)), unit: 'ms', target: '< 50 ms', pass: percentile(postMs, 95) < 50 },
        {
          name: 'GET requests (100 per page, JSON/XML), p95',
          value: round(percentile(listMs, 95)),
          unit: 'ms',
          target: '< 100 ms',
          pass: percentile(listMs, 95) < 100,
        },
        { name: 'GET requests/{id}, p95', value: round(percentile(oneMs, 95)), unit: 'ms', target: '< 20 ms', pass: percentile(oneMs, 95) < 20 },
      ];
    } finally {
      await t.platform.close();
    }
  },
};
