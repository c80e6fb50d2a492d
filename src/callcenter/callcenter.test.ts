import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../server.js';
import { ADMIN_PASSWORD, loginAs, seedCity, testPlatform, throwawayDatabase, type TestPlatform } from '../../test/helpers.js';

let platform: TestPlatform;
let city: Awaited<ReturnType<typeof seedCity>>;
let u: typeof city.users;
let agentId: number;

beforeAll(async () => {
  platform = await testPlatform();
  city = await seedCity(platform);
  u = city.users;
  agentId = (await u.admin.get('/api/v1/users?limit=200')).body.items.find((x: any) => x.username === 'agent1').id;
});
afterAll(async () => platform?.close());

// 2025-03-10 in Beijing time
const t = (hms: string) => `2025-03-10T${hms}+08:00`;
const ev = (callId: string, type: string, hms: string, extra: Record<string, unknown> = {}) => ({ callId, type, at: t(hms), queue: 'hotline', ...extra });

describe('call-center events and measures', () => {
  const batch1 = () => [
    ev('c1', 'offered', '10:00:00'),
    ev('c1', 'answered', '10:00:10', { agentId }),
    ev('c1', 'ended', '10:03:10'),
    ev('c2', 'offered', '10:05:00'),
    ev('c2', 'queued', '10:05:01'),
    ev('c2', 'answered', '10:05:18', { agentId }),
    ev('c2', 'ended', '10:07:18'),
    ev('c4', 'offered', '11:00:00', { queue: 'english' }),
    ev('c4', 'abandoned', '11:00:40', { queue: 'english' }),
    ev('c5', 'offered', '11:30:00'),
  ];

  it('stores a batch once: a re-sent batch and out-of-order events change nothing twice', async () => {
    const a = await u.agent.post('/api/v1/callcenter/events', { events: batch1() });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body).toEqual({ accepted: 10, duplicates: 0 });
    const b = await u.agent.post('/api/v1/callcenter/events', { events: batch1() });
    expect(b.body).toEqual({ accepted: 0, duplicates: 10 });
    // c3 arrives end first, then its offer and answer
    await u.agent.post('/api/v1/callcenter/events', { events: [ev('c3', 'ended', '10:15:30')] });
    const c = await u.agent.post('/api/v1/callcenter/events', { events: [ev('c3', 'answered', '10:10:30', { agentId }), ev('c3', 'offered', '10:10:00')] });
    expect(c.body).toEqual({ accepted: 2, duplicates: 0 });
  });

  it('rejects bad events with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ events: [] }, 'events'],
      [{ events: [{ callId: 'x', type: 'rang', at: t('10:00:00') }] }, 'events.0.type'],
      [{ events: [ev('x', 'offered', '10:00:00'), { callId: 'x', type: 'ended', at: 'soon' }] }, 'events.1.at'],
      [{ events: [ev('x', 'answered', '10:00:00', { agentId: 999999 })] }, 'events.0.agentId'],
    ];
    for (const [body, field] of cases) {
      const r = await u.agent.post('/api/v1/callcenter/events', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.field).toBe(field);
    }
    expect((await u.handlerA.post('/api/v1/callcenter/events', { events: [ev('x', 'offered', '10:00:00')] })).status).toBe(403);
  });

  it('keeps an agent state history and refuses others changing it', async () => {
    const set = (state: string, hms: string, client = u.agent) => client.post(`/api/v1/callcenter/agents/${agentId}/state`, { state, at: t(hms) });
    for (const [s, at] of [
      ['ready', '10:00:00'],
      ['busy', '10:00:10'],
      ['wrap-up', '10:03:10'],
      ['ready', '10:04:10'],
      ['offline', '10:20:00'],
    ]) {
      const r = await set(s!, at!);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    expect((await set('ready', '10:10:00')).body.error.field).toBe('at'); // before the current state began
    expect((await set('ready', '10:30:00', u.dispatcher)).status).toBe(403);
    expect((await set('nap', '10:30:00')).status).toBe(400);
    expect((await u.supervisor.post('/api/v1/callcenter/agents/999999/state', { state: 'ready' })).status).toBe(404);
    const h = await u.supervisor.get(`/api/v1/callcenter/agents/${agentId}/states`);
    expect(h.body.items.map((x: any) => x.state)).toEqual(['ready', 'busy', 'wrap_up', 'ready', 'offline']);
    expect(h.body.items[1]).toMatchObject({ startedAt: new Date(t('10:00:10')).toISOString(), endedAt: new Date(t('10:03:10')).toISOString() });
    expect(h.body.items[4].endedAt).toBeNull();
    expect((await u.dispatcher.get(`/api/v1/callcenter/agents/${agentId}/states`)).status).toBe(403);
    const cur = await u.supervisor.get('/api/v1/callcenter/agents');
    expect(cur.body.items).toContainEqual({ agentId, state: 'offline', since: new Date(t('10:20:00')).toISOString() });
  });

  it('computes the measures per hour, per agent, per queue and in total', async () => {
    for (const [outcome, extra] of [
      ['answered', {}],
      ['answered', {}],
      ['invalid', { invalidReason: 'silent' }],
    ] as const) {
      const r = await u.agent.post('/api/v1/contacts', { channel: 'phone', startedAt: t('10:01:00'), summary: 's', outcome, ...extra });
      expect(r.status).toBe(201);
    }
    const q = `from=${encodeURIComponent(t('00:00:00'))}&to=${encodeURIComponent('2025-03-11T00:00:00+08:00')}`;
    const r = await u.supervisor.get(`/api/v1/callcenter/stats?${q}&interval=hour&contractValue=100`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.serviceLevelSeconds).toEqual([15, 20]);
    const h10 = r.body.rows.find((x: any) => x.key === '2025-03-10 10:00');
    expect(h10).toMatchObject({
      offered: 3,
      answered: 3,
      abandoned: 0,
      inProgress: 0,
      answerRate: 1,
      serviceLevel: { 15: 0.3333, 20: 0.6667 },
      asaSeconds: 19.3,
      ahtSeconds: 200,
      abandonmentRate: 0,
      contacts: 3,
      effectiveCalls: 2,
      occupancy: 0.2,
    });
    const h11 = r.body.rows.find((x: any) => x.key === '2025-03-10 11:00');
    expect(h11).toMatchObject({ offered: 2, answered: 0, abandoned: 1, inProgress: 1, answerRate: 0, abandonmentRate: 0.5, asaSeconds: null });
    expect(r.body.totals).toMatchObject({
      key: 'total',
      offered: 5,
      answered: 3,
      abandoned: 1,
      answerRate: 0.6,
      abandonmentRate: 0.2,
      effectiveCalls: 2,
      costPerEffectiveCall: 50,
    });
    const byAgent = await u.supervisor.get(`/api/v1/callcenter/stats?${q}&groupBy=agent&sl=30`);
    expect(byAgent.body.rows.find((x: any) => x.key === String(agentId))).toMatchObject({ answered: 3, serviceLevel: { 30: 1 }, occupancy: 0.2 });
    const byQueue = await u.supervisor.get(`/api/v1/callcenter/stats?${q}&groupBy=queue`);
    expect(byQueue.body.rows.filter((x: any) => x.offered > 0).map((x: any) => [x.key, x.offered])).toEqual([
      ['english', 1],
      ['hotline', 4],
    ]);
    const day = await u.supervisor.get(`/api/v1/callcenter/stats?${q}&groupBy=day`);
    expect(day.body.rows).toHaveLength(1);
    expect(day.body.rows[0]).toMatchObject({ key: '2025-03-10', offered: 5 });
    expect(
      (await u.supervisor.get(`/api/v1/callcenter/stats?from=${encodeURIComponent(t('10:00:00'))}&to=${encodeURIComponent(t('09:00:00'))}`)).body.error.field,
    ).toBe('to');
    expect((await u.agent.get(`/api/v1/callcenter/stats?${q}`)).status).toBe(403);
    expect((await u.supervisor.get(`/api/v1/callcenter/stats?${q}&groupBy=week`)).status).toBe(400);
  });

  it('shows a wallboard snapshot and streams it as server-sent events', async () => {
    const now = new Date(Date.now() - 30_000).toISOString();
    await u.agent.post('/api/v1/callcenter/events', { events: [{ callId: 'live-1', type: 'offered', at: now }] });
    await u.agent.post(`/api/v1/callcenter/agents/${agentId}/state`, { state: 'ready' });
    const w = await u.supervisor.get('/api/v1/callcenter/wallboard');
    expect(w.body).toMatchObject({ callsWaiting: 1, agentsByState: { ready: 1, busy: 0 }, today: { offered: 1, answered: 0, answerRate: 0 } });
    expect(w.body.longestWaitSeconds).toBeGreaterThanOrEqual(29);
    const res = await platform.app.inject({
      method: 'GET',
      url: '/api/v1/callcenter/wallboard/stream?count=1',
      headers: { authorization: `Bearer ${u.supervisor.token}` },
    });
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    expect(res.body).toMatch(/^event: wallboard\ndata: \{.*"callsWaiting":1/);
  });
});

describe('jiesu callcenter import-cdr', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const fixture = fileURLToPath(new URL('./fixtures/Master.csv', import.meta.url));
  const run = (args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((done) => {
      const child = spawn(process.execPath, ['bin/jiesu.js', 'callcenter', 'import-cdr', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: '' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => done({ code: code ?? -1, out, err }));
    });

  it('imports good rows, reports bad ones by line, and skips them all on re-import', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-cdr-'));
    const pgdb = await throwawayDatabase();
    const where = pgdb ? ['--database-url', pgdb.url] : ['--data', join(dir, 'data')];
    try {
      const first = await run([fixture, ...where]);
      expect(first.code, first.err).toBe(0);
      expect(first.out).toMatch(/rows 7: imported 4, skipped 1 \(already imported\), bad 2/);
      expect(first.out).toMatch(/line 4: .*expected 18 columns, got 9/);
      expect(first.out).toMatch(/line 5: .*bad start time "yesterday"/);
      const again = await run([fixture, ...where]);
      expect(again.out).toMatch(/rows 7: imported 0, skipped 5 \(already imported\), bad 2/);

      const missing = await run([join(dir, 'nope.csv'), ...where]);
      expect(missing.code).toBe(1);
      expect(missing.err.trim().split('\n')).toHaveLength(1);
      const broken = join(dir, 'broken.csv');
      writeFileSync(broken, '"a,b\n');
      const b = await run([broken, ...where]);
      expect(b.code).toBe(1);
      expect(b.err).not.toMatch(/\n\s+at /); // no stack trace

      const p = await startPlatform({ databaseUrl: pgdb?.url, dataDir: pgdb ? undefined : join(dir, 'data'), adminPassword: ADMIN_PASSWORD });
      try {
        const admin = await loginAs(p, 'admin', ADMIN_PASSWORD);
        const r = await admin.get(`/api/v1/callcenter/stats?from=${encodeURIComponent(t('00:00:00'))}&to=${encodeURIComponent(t('23:59:59'))}&groupBy=queue`);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        // answered 12 s and 30 s after start; the NO ANSWER and BUSY calls are abandoned
        expect(r.body.totals).toMatchObject({ offered: 4, answered: 2, abandoned: 2, asaSeconds: 21, ahtSeconds: 180, serviceLevel: { 15: 0.5, 20: 0.5 } });
        expect(r.body.rows.map((x: any) => [x.key, x.offered])).toEqual([
          ['from-pstn', 1],
          ['hotline', 3],
        ]);
      } finally {
        await p.close();
      }
    } finally {
      await pgdb?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the service contract', () => {
  const q = `from=${encodeURIComponent(t('00:00:00'))}&to=${encodeURIComponent('2025-03-11T00:00:00+08:00')}`;
  const contract = {
    periodFrom: '2025-03-01',
    periodTo: '2025-03-10',
    value: 1000,
    targets: { answerRate: 0.9, serviceLevel20: 0.5, abandonmentRate: 0.5 },
    deductions: [
      { measure: 'answerRate', threshold: 0.99, percent: 10, note: '接通率低于99%扣10%' },
      { measure: 'abandonmentRate', threshold: 0.001, amount: 50 },
      { measure: 'serviceLevel20', threshold: 0.01, amount: 1000 },
    ],
  };

  it('is set by an admin, read by supervisors, validated', async () => {
    expect((await u.admin.get('/api/v1/callcenter/contract')).status).toBe(404);
    expect((await u.supervisor.put('/api/v1/callcenter/contract', contract)).status).toBe(403);
    const bad = await u.admin.put('/api/v1/callcenter/contract', { ...contract, periodTo: '2025-02-01' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('periodTo');
    const bad2 = await u.admin.put('/api/v1/callcenter/contract', { ...contract, targets: { answerRate: 2 } });
    expect(bad2.status).toBe(400);
    const bad3 = await u.admin.put('/api/v1/callcenter/contract', { ...contract, deductions: [{ measure: 'answerRate', threshold: 0.9 }] });
    expect(bad3.body.error.field).toBe('deductions.0');
    const r = await u.admin.put('/api/v1/callcenter/contract', contract);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject(contract);
    expect((await u.supervisor.get('/api/v1/callcenter/contract')).body).toMatchObject(contract);
    expect((await u.agent.get('/api/v1/callcenter/contract')).status).toBe(403);
  });

  it('gives the cost per effective call from the prorated value when no contractValue is asked', async () => {
    const given = await u.supervisor.get(`/api/v1/callcenter/stats?${q}&groupBy=none&contractValue=100`);
    expect(given.body.contract).toBeUndefined();
    const effective = given.body.totals.effectiveCalls as number;
    expect(effective).toBeGreaterThan(0);
    const r = await u.supervisor.get(`/api/v1/callcenter/stats?${q}&groupBy=none`);
    expect(r.status).toBe(200);
    const { totals, contract: c } = r.body;
    // one day of a ten-day contract of 1000: 100 yuan for the day
    expect(c).toMatchObject({ share: 0.1, proratedValue: 100 });
    expect(totals.costPerEffectiveCall).toBe(Math.round((100 / effective) * 100) / 100);
    expect(totals.costPerEffectiveCall).toBe(given.body.totals.costPerEffectiveCall);
    const target = (m: string) => c.targets.find((x: any) => x.measure === m);
    expect(target('answerRate')).toMatchObject({ target: 0.9, actual: totals.answerRate, met: totals.answerRate >= 0.9 });
    expect(target('abandonmentRate').met).toBe(totals.abandonmentRate <= 0.5);
    expect(totals.answerRate).toBeLessThan(0.99);
    expect(totals.abandonmentRate).toBeGreaterThan(0.001);
    expect(c.deductions.map((d: any) => d.deducted)).toEqual([10, 5, 0]); // 10 % of 100; 50 × 0.1; SL met
    expect(c.totalDeducted).toBe(15);
    // A period outside the contract: no cost from it.
    const later = await u.supervisor.get(`/api/v1/callcenter/stats?from=2025-04-01T00:00:00%2B08:00&to=2025-04-02T00:00:00%2B08:00&groupBy=none`);
    expect(later.body.contract.share).toBe(0);
    expect(later.body.totals.costPerEffectiveCall).toBeUndefined();
  });
});
