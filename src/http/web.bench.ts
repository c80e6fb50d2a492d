// The web app's first visit, page by page: the bytes it downloads (brotli, from the build's
// manifest) against the 350 KB budget of the portal and the login page, and, where Debian's
// Chromium is installed, the bytes it really transferred and the time until the network is
// idle, served by jiesu on this machine (no throttling: the time is the app's own work).
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Benchmark, BenchResult } from '../../bench/harness.js';
import { startPlatform } from '../server.js';
import { firstLoadBytes, PAGES, WEB_DIST } from './bundle.js';
import { CHROMIUM, hasChromium, launchChromium } from '../../test/browser.js';

const PASSWORD = 'bench-pass-123';

async function browserTimes(): Promise<Map<string, { ms: number; kb: number }>> {
  const out = new Map<string, { ms: number; kb: number }>();
  const platform = await startPlatform({ adminPassword: PASSWORD, config: { slaIntervalSeconds: 0 } });
  const browser = await launchChromium();
  try {
    const base = await platform.app.listen({ port: 0, host: '127.0.0.1' });
    const login = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: PASSWORD } });
    const admin = (JSON.parse(login.body) as { token: string }).token;
    // One user with every center role, so that each workspace opens (the unit inbox needs a unit).
    const unit = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/units',
      headers: { authorization: `Bearer ${admin}` },
      payload: { name: '基准测试单位', kind: 'bureau' },
    });
    const unitId = (JSON.parse(unit.body) as { id?: number }).id ?? null;
    const roles = ['agent', 'dispatcher', 'handler', 'followup', 'supervisor', 'admin'];
    await platform.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${admin}` },
      payload: { username: 'bench', password: PASSWORD, displayName: '基准', unitId, roles },
    });
    const staff = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'bench', password: PASSWORD } });
    const token = (JSON.parse(staff.body) as { token?: string }).token ?? admin;
    for (const page of PAGES) {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
      if (page.staff) await ctx.addInitScript((t) => localStorage.setItem('jiesu.token', t), token);
      const tab = await ctx.newPage();
      let bytes = 0;
      tab.on('requestfinished', (req) => {
        void req
          .sizes()
          .then((s) => (bytes += s.responseBodySize + s.responseHeadersSize))
          .catch(() => undefined);
      });
      const t0 = performance.now();
      await tab.goto(base + page.path, { waitUntil: 'networkidle' });
      const ms = performance.now() - t0;
      await tab.waitForTimeout(100); // the last sizes() answers
      out.set(page.name, { ms, kb: Math.round(bytes / 1024) });
      await ctx.close();
    }
  } finally {
    await browser.close();
    await platform.close();
  }
  return out;
}

export const benchmark: Benchmark = {
  module: 'http',
  title: 'web app: first-visit bytes and load time per page',
  async run() {
    if (!existsSync(WEB_DIST)) return [{ name: 'web app', value: NaN, unit: '', notes: 'dist/web is missing: run npm run build:web first' }];
    const bytes = firstLoadBytes();
    const times = hasChromium ? await browserTimes() : null;
    const results: BenchResult[] = [];
    for (const p of bytes) {
      results.push({
        name: `${p.name} (${p.path}): first visit, brotli`,
        value: p.brotliKB,
        unit: 'KB',
        ...(p.budgetKB ? { target: `≤ ${p.budgetKB} KB`, pass: p.brotliKB <= p.budgetKB } : {}),
        notes: `${p.files} files, ${p.rawKB} KB uncompressed`,
      });
      const t = times?.get(p.name);
      if (t)
        results.push({
          name: `${p.name} (${p.path}): load in Chromium until network idle`,
          value: Math.round(t.ms),
          unit: 'ms',
          notes: `${t.kb} KB transferred with headers, API calls included`,
        });
    }
    if (!times) results.push({ name: 'load times', value: NaN, unit: '', notes: `${CHROMIUM} is not installed: times skipped` });
    return results;
  },
};
