import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCity, testPlatform, throwawayDatabase, type Client, type TestPlatform } from '../../test/helpers.js';
import type { WorkOrder } from '../workorders/index.js';
import { monthOf } from './facts.js';
import { shiftMonth } from './measures.js';

let platform: TestPlatform;
let city: Awaited<ReturnType<typeof seedCity>>;
let u: typeof city.users;
const month = monthOf(new Date(), 'Asia/Shanghai');
const orders: Record<string, WorkOrder> = {};

async function act(c: Client, o: WorkOrder, action: string, body: Record<string, unknown> = {}) {
  const r = await c.post(`/api/v1/workorders/${o.id}/actions/${action}`, { version: o.version, ...body });
  expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body as WorkOrder;
}
const create = async (title: string) =>
  (
    await u.agent.post('/api/v1/workorders', {
      type: 'complaint',
      title,
      content: title,
      categoryCode: '0101',
      location: { districtUnitId: city.units.districtA },
    })
  ).body as WorkOrder;
/** As if the deadline of this kind had already passed when the unit acts. */
const missDeadline = (o: WorkOrder, kind: 'sign' | 'reply') =>
  platform.db.query(`UPDATE order_deadlines SET due_at = now() - interval '1 hour' WHERE workorder_id = $1 AND kind = $2`, [o.id, kind]);

beforeAll(async () => {
  platform = await testPlatform();
  city = await seedCity(platform);
  u = city.users;
  const A = city.units.districtA;
  // o1: the model case.
  let o = await create('o1');
  o = await act(u.dispatcher, o, 'dispatch', { unitId: A });
  o = await act(u.handlerA, o, 'sign');
  o = await act(u.handlerA, o, 'reply', { content: '已处理', resolved: true });
  orders.o1 = await act(u.followup, o, 'survey', { satisfaction: 'satisfied', resolved: true });
  // o2: signed late, extension approved, basically satisfied.
  o = await create('o2');
  o = await act(u.dispatcher, o, 'dispatch', { unitId: A });
  await missDeadline(o, 'sign');
  o = await act(u.handlerA, o, 'sign');
  o = await act(u.handlerA, o, 'request-extension', { days: 2, reason: '协调中' });
  o = await act(u.dispatcher, o, 'approve-extension');
  o = await act(u.handlerA, o, 'reply', { content: '已处理', resolved: true });
  orders.o2 = await act(u.followup, o, 'survey', { satisfaction: 'basically_satisfied', resolved: true });
  // o3: misrouted to B, returned, then A; late reply, unsatisfied → reopened to A, then satisfied.
  o = await create('o3');
  o = await act(u.dispatcher, o, 'dispatch', { unitId: city.units.districtB });
  o = await act(u.handlerB, o, 'return', { reason: '非本辖区' });
  o = await act(u.dispatcher, o, 'dispatch', { unitId: A });
  o = await act(u.handlerA, o, 'sign');
  await missDeadline(o, 'reply');
  o = await act(u.handlerA, o, 'reply', { content: '已处理', resolved: true });
  o = await act(u.followup, o, 'survey', { satisfaction: 'unsatisfied', resolved: false });
  expect(o.status).toBe('dispatched'); // reopened straight back to A
  o = await act(u.handlerA, o, 'sign');
  o = await act(u.handlerA, o, 'reply', { content: '已彻底解决', resolved: true });
  orders.o3 = await act(u.followup, o, 'survey', { satisfaction: 'satisfied', resolved: true });
  // o4: signed, not replied or surveyed yet.
  o = await create('o4');
  o = await act(u.dispatcher, o, 'dispatch', { unitId: A });
  orders.o4 = await act(u.handlerA, o, 'sign');
});
afterAll(async () => platform?.close());

const unitMeasures = async (unitId: number, extra = '') => (await u.supervisor.get(`/api/v1/kpi/units?month=${month}&unitId=${unitId}${extra}`)).body.items[0];

describe('unit measures', () => {
  it('counts each event in the right unit, month and counter', async () => {
    const a = await unitMeasures(city.units.districtA);
    expect(a.counts).toMatchObject({
      received: 5,
      signed: 5,
      signed_on_time: 4,
      returned: 0,
      extended: 1,
      replied: 4,
      replied_on_time: 3,
      surveyed: 4,
      resolved: 3,
      satisfied: 2,
      basically_satisfied: 1,
      unsatisfied: 1,
      reopened: 1,
      // The late ones, as the dashboard shows beside the on-time rates (the same orders the drill-down opens).
      signed_late: 1,
      replied_late: 1,
    });
    expect(a.responseRate).toBeCloseTo(0.8);
    expect(a.resolutionRate).toBeCloseTo(0.75);
    expect(a.satisfactionRate).toBeCloseTo(0.625); // (2 + 0.5 × 1) / 4
    expect(a.onTimeReplyRate).toBeCloseTo(0.75);
    expect(a.reopenRate).toBeCloseTo(0.25);
    expect(a.extensionRate).toBeCloseTo(0.2);
    expect(a.returnRate).toBe(0);
    expect(a.avgHandlingHours).toBeGreaterThanOrEqual(0);
    expect(a.score).toBeCloseTo(72.25); // 100 × (0.2·0.8 + 0.3·0.75 + 0.3·0.625 + 0.2·0.75)
    const b = await unitMeasures(city.units.districtB);
    expect(b.counts).toMatchObject({ received: 1, returned: 1, signed: 0, surveyed: 0 });
    expect(b.returnRate).toBe(1);
    expect(b.resolutionRate).toBeNull(); // no survey: empty, not 0 %
    expect(b.score).toBe(0); // only the response rate exists, and it is 0
  });

  it('filters by category and district, and sums descendants or not', async () => {
    expect((await unitMeasures(city.units.districtA, '&categoryCode=01')).counts.received).toBe(5);
    expect((await unitMeasures(city.units.districtA, '&categoryCode=02')).counts.received).toBe(0);
    expect((await unitMeasures(city.units.districtA, `&districtId=${city.units.districtB}`)).counts.received).toBe(0);
    const cityAll = await unitMeasures(city.units.city);
    expect(cityAll.counts.received).toBe(6);
    expect((await unitMeasures(city.units.city, '&includeDescendants=false')).counts.received).toBe(0);
  });

  it('ranks the units of one kind, with the change from the previous month', async () => {
    const r = await u.supervisor.get(`/api/v1/kpi/rankings?month=${month}&kind=district`);
    expect(r.status).toBe(200);
    expect(r.body.items.map((x: any) => [x.unitName, x.rank, x.score])).toEqual([
      ['东城区', 1, 72.25],
      ['西城区', 2, 0],
    ]);
    expect(r.body.items[0]).toMatchObject({ previousRank: null, rankChange: null });
    const before = await u.supervisor.get(`/api/v1/kpi/rankings?month=${shiftMonth(month, -1)}&kind=district`);
    expect(before.body.items.every((x: any) => x.rank === null && x.score === null)).toBe(true);
  });

  it('opens every figure into exactly the orders behind it', async () => {
    const drill = async (unitId: number, measure: string) => {
      const r = await u.supervisor.get(`/api/v1/kpi/orders?month=${month}&unitId=${unitId}&measure=${measure}`);
      expect(r.status).toBe(200);
      return r.body.items.map((x: any) => x.title).sort();
    };
    expect(await drill(city.units.districtA, 'signed_late')).toEqual(['o2']);
    expect(await drill(city.units.districtA, 'replied_late')).toEqual(['o3']);
    expect(await drill(city.units.districtA, 'received')).toEqual(['o1', 'o2', 'o3', 'o3', 'o4']);
    expect(await drill(city.units.districtA, 'unresolved')).toEqual(['o3']);
    expect(await drill(city.units.districtB, 'returned')).toEqual(['o3']);
    const a = await unitMeasures(city.units.districtA);
    for (const m of ['received', 'signed', 'replied', 'surveyed', 'satisfied', 'reopened', 'extended']) {
      expect((await drill(city.units.districtA, m)).length, m).toBe(a.counts[m]);
    }
  });

  it('lets an admin set the weights; the score follows', async () => {
    const bad = await u.admin.put('/api/v1/kpi/settings', {
      basicallySatisfiedWeight: 1,
      weights: { responseRate: 0.5, resolutionRate: 0.5, satisfactionRate: 0.5, onTimeReplyRate: 0 },
      penalties: { returnRate: 0, reopenRate: 0 },
    });
    expect(bad.status).toBe(400);
    const settings = {
      basicallySatisfiedWeight: 1,
      weights: { responseRate: 0, resolutionRate: 0, satisfactionRate: 1, onTimeReplyRate: 0 },
      penalties: { returnRate: 0, reopenRate: 20 },
    };
    expect((await u.supervisor.put('/api/v1/kpi/settings', settings)).status).toBe(403);
    expect((await u.admin.put('/api/v1/kpi/settings', settings)).status).toBe(200);
    const a = await unitMeasures(city.units.districtA);
    expect(a.satisfactionRate).toBeCloseTo(0.75);
    expect(a.score).toBeCloseTo(75 - 0.25 * 20);
    await u.admin.put('/api/v1/kpi/settings', {
      basicallySatisfiedWeight: 0.5,
      weights: { responseRate: 0.2, resolutionRate: 0.3, satisfactionRate: 0.3, onTimeReplyRate: 0.2 },
      penalties: { returnRate: 0, reopenRate: 0 },
    });
  });

  it('keeps units to their own figures', async () => {
    expect((await u.handlerA.get(`/api/v1/kpi/units?month=${month}`)).status).toBe(403);
    const own = await u.managerA.get(`/api/v1/kpi/units?month=${month}`);
    expect(own.body.items.map((x: any) => x.unitId)).toEqual([city.units.districtA]);
    expect((await u.managerA.get(`/api/v1/kpi/units?month=${month}&unitId=${city.units.districtB}`)).status).toBe(403);
    expect((await u.managerA.get(`/api/v1/kpi/orders?month=${month}&unitId=${city.units.districtB}&measure=received`)).status).toBe(403);
    expect((await u.supervisor.get('/api/v1/kpi/units?month=2026-13')).status).toBe(400);
    expect((await u.supervisor.get('/api/v1/kpi/units?from=2026-10&to=2026-09')).status).toBe(400);
  });
});

describe('rebuild and report', () => {
  it('rebuilds the same aggregates from the event history', async () => {
    const before = await unitMeasures(city.units.districtA);
    const r = await u.admin.post('/api/v1/kpi/rebuild');
    expect(r.status).toBe(200);
    const after = await unitMeasures(city.units.districtA);
    // Deadlines we moved by hand are recomputed from the policies, so only on-time counts may differ.
    const { signed_on_time: _a, replied_on_time: _b, signed_late: _e, replied_late: _f, handling_hours: h1, ...rest } = before.counts;
    const { signed_on_time: _c, replied_on_time: _d, signed_late: _g, replied_late: _h, handling_hours: h2, ...restAfter } = after.counts;
    expect(restAfter).toEqual(rest);
    expect(h2).toBeCloseTo(h1, 1);
    const n = (
      await platform.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kpi_fact_orders WHERE (measures & 1) <> 0 AND unit_id = $1`, [
        city.units.districtA,
      ])
    ).rows[0]!.n;
    expect(n).toBe(after.counts.received);
  });

  it('exports the monthly report whose numbers equal the API', async () => {
    const res = await platform.app.inject({
      method: 'GET',
      url: `/api/v1/reports/monthly?month=${month}`,
      headers: { authorization: `Bearer ${u.supervisor.token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(expect.arrayContaining(['概要', '区县排名', '话务外包考核', '每日工单量', '热点分类', '超期工单']));
    const api = (await u.supervisor.get(`/api/v1/kpi/rankings?month=${month}&kind=district`)).body.items;
    const sheet = wb.getWorksheet('区县排名')!;
    const rows = sheet.getSheetValues().slice(2).filter(Boolean) as unknown[][];
    expect(rows.map((r) => [r[1], r[2], r[3], r[5]])).toEqual(api.map((x: any) => [x.rank, x.unitName, x.score, x.counts.received]));
    const summary = wb.getWorksheet('概要')!;
    expect(summary.getCell('B3').value).toBe(4 + 0); // four orders created this month
    expect((await u.handlerA.get(`/api/v1/reports/monthly?month=${month}`)).status).toBe(403);
  });

  it('writes the report from the command line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-report-'));
    const db = await throwawayDatabase();
    try {
      const out = join(dir, 'r.xlsx');
      const env = { ...process.env, DATABASE_URL: db?.url ?? '' };
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['bin/jiesu.js', 'report', 'monthly', '--month', month, '--out', out, '--data', join(dir, 'data')],
        { env },
      );
      expect(stdout).toMatch(/wrote/);
      expect(existsSync(out)).toBe(true);
      const bad = await promisify(execFile)(
        process.execPath,
        ['bin/jiesu.js', 'report', 'monthly', '--month', '2026-1', '--out', out, '--data', join(dir, 'data')],
        { env },
      ).catch((e) => e);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/YYYY-MM/);
    } finally {
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
