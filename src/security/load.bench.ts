// Load test: `jiesu serve` in a child process (PostgreSQL when DATABASE_URL is set, PGlite
// otherwise) under 60 s (10 s with --quick) of mixed staff traffic from autocannon:
// list orders, read an order, create an order, record a contact, search the knowledge base.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { round, type Benchmark } from '../../bench/harness.js';
import { packageRoot } from '../db/migrate.js';
import { startPlatform } from '../server.js';
import { ADMIN_PASSWORD, seedCity, throwawayDatabase } from '../../test/helpers.js';

const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object) => Promise<any>;

export const loadBench: Benchmark = {
  module: 'security',
  title: 'mixed-traffic load test (autocannon against jiesu serve)',
  async run({ databaseUrl, quick }) {
    const tmp = mkdtempSync(join(tmpdir(), 'jiesu-load-'));
    const db = databaseUrl ? await throwawayDatabase() : null;
    const dataDir = join(tmp, 'data');
    let child: ReturnType<typeof spawn> | undefined;
    try {
      // Seed in-process, then serve the same database from a separate process.
      const p = await startPlatform({ databaseUrl: db?.url, dataDir: db ? undefined : dataDir, adminPassword: ADMIN_PASSWORD });
      let orderId = 0;
      let district = 0;
      try {
        const city = await seedCity(p);
        district = city.units.districtA;
        const r = await city.users.agent.post('/api/v1/workorders', {
          type: 'complaint',
          title: '噪音扰民',
          content: '夜间施工噪音严重影响休息',
          location: { districtUnitId: district },
          citizen: { name: '王五', phone: '13900001111' },
        });
        orderId = r.body.id;
        await city.users.dispatcher.post('/api/v1/kb/articles', {
          title: '公积金提取需要什么材料',
          questions: ['公积金怎么取'],
          answer: '携带身份证和银行卡到公积金中心办理。',
          ownerUnitId: city.units.bureau,
          publish: true,
        });
      } finally {
        await p.close();
      }
      child = spawn('node', [join(packageRoot, 'bin', 'jiesu.js'), 'serve', '--port', '0', ...(db ? ['--database-url', db.url] : ['--data', dataDir])], {
        env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child!.stdout!.on('data', (d) => {
          out += d;
          const m = /serving on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child!.once('exit', () => reject(new Error(out)));
      });
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'agent1', password: 'password-123' }),
      });
      const { token } = (await login.json()) as { token: string };
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const order = JSON.stringify({
        type: 'complaint',
        title: '路灯不亮',
        content: '小区门口路灯连续三天不亮',
        location: { districtUnitId: district },
        citizen: { name: '赵六', phone: '13800002222' },
      });
      const contact = JSON.stringify({
        channel: 'phone',
        startedAt: new Date(Date.now() - 60_000).toISOString(),
        caller: { phone: '13700003333', name: '孙七' },
        summary: '咨询公积金提取',
        outcome: 'answered',
      });
      const seconds = quick ? 10 : 60;
      const loadBefore = loadavg()[0]!.toFixed(1);
      const result = await autocannon({
        url,
        connections: 10,
        duration: seconds,
        headers,
        requests: [
          { method: 'GET', path: '/api/v1/workorders?limit=20' },
          { method: 'GET', path: `/api/v1/workorders/${orderId}` },
          { method: 'POST', path: '/api/v1/workorders', body: order },
          { method: 'POST', path: '/api/v1/contacts', body: contact },
          { method: 'GET', path: `/api/v1/kb/search?q=${encodeURIComponent('公积金提取')}` },
        ],
      });
      const errors = result.errors + result.timeouts + result.non2xx;
      const engine = db ? 'PostgreSQL' : 'PGlite';
      return [
        { name: `mixed traffic on ${engine}, ${seconds} s, 10 connections: requests`, value: result.requests.total, unit: 'requests' },
        { name: 'throughput', value: round(result.requests.average, 0), unit: 'req/s' },
        { name: 'latency p50', value: round(result.latency.p50), unit: 'ms' },
        {
          name: 'latency p99',
          value: round(result.latency.p99),
          unit: 'ms',
          target: '< 500 ms',
          pass: result.latency.p99 < 500,
          notes: `1-min load average ${loadBefore} before the run`,
        },
        { name: 'errors (connection errors, timeouts, non-2xx)', value: errors, unit: 'errors', target: '0', pass: errors === 0 },
      ];
    } finally {
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child!.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await db?.drop();
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
