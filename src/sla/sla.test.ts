// Time limits through the API: policies, deadlines on the official calendar, the
// escalation job (exactly once), the inbox, supervision notices and the webhook.
import { describe, expect, it } from 'vitest';
import { type Client } from '../../test/helpers.js';
import { useCity } from '../../test/fixtures.js';
import type { WorkOrder } from '../workorders/index.js';
import { calendarGaps } from './settings.js';

const t = useCity();

async function newOrder(extra: Record<string, unknown> = {}): Promise<WorkOrder> {
  const r = await t.u.agent.post('/api/v1/workorders', { type: 'complaint', title: '噪音扰民', content: '夜间施工噪音严重影响休息。', ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}
async function step(c: Client, o: WorkOrder, action: string, body: Record<string, unknown> = {}): Promise<WorkOrder> {
  const r = await c.post(`/api/v1/workorders/${o.id}/actions/${action}`, { version: o.version, ...body });
  expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}
const dispatched = async (unitId = t.city.units.districtA, extra: Record<string, unknown> = {}) =>
  step(t.u.dispatcher, await newOrder(extra), 'dispatch', { unitId });
const deadlines = async (c: Client, id: number, at?: string) => {
  const r = await c.get(`/api/v1/workorders/${id}/deadlines${at ? `?at=${encodeURIComponent(at)}` : ''}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return Object.fromEntries(r.body.items.map((d: any) => [d.kind, d])) as Record<'sign' | 'reply', any>;
};
/** Moves the start of an order's deadlines to a fixed instant (as if dispatched then) and recomputes them. */
async function dispatchedAt(id: number, at: string) {
  await t.platform.db.query('UPDATE order_deadlines SET started_at = $2 WHERE workorder_id = $1', [id, at]);
  const r = await t.u.admin.post('/api/v1/sla/recompute', { orderId: id });
  expect(r.status).toBe(200);
}
const cst = (iso: string) => new Date(Date.parse(iso)).toISOString(); // normalise "+08:00" to Z

describe('policies', () => {
  it('are seeded with defaults and managed by admins only', async () => {
    const list = await t.u.supervisor.get('/api/v1/sla/policies');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ orderType: null, urgency: 'urgent', sign: { amount: 2, unit: 'hours' }, reply: { amount: 1, unit: 'days' } }),
        expect.objectContaining({ orderType: null, urgency: 'normal', sign: { amount: 1, unit: 'days' }, reply: { amount: 5, unit: 'days' } }),
      ]),
    );
    const body = { categoryPrefix: 'A01', urgency: 'normal', sign: { amount: 4, unit: 'hours' }, reply: { amount: 2, unit: 'days' }, maxExtensionDays: 3 };
    expect((await t.u.supervisor.post('/api/v1/sla/policies', body)).status).toBe(403);
    const created = await t.u.admin.post('/api/v1/sla/policies', body);
    expect(created.status).toBe(201);
    expect((await t.u.admin.post('/api/v1/sla/policies', body)).status).toBe(409);
    const bad = await t.u.admin.post('/api/v1/sla/policies', { ...body, sign: { amount: 0, unit: 'weeks' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const patched = await t.u.admin.patch(`/api/v1/sla/policies/${created.body.id}`, { reply: { amount: 3, unit: 'days' } });
    expect(patched.body).toMatchObject({ categoryPrefix: 'A01', reply: { amount: 3, unit: 'days' }, sign: { amount: 4, unit: 'hours' } });
    expect((await t.u.admin.patch('/api/v1/sla/policies/99999', { maxExtensionDays: 1 })).status).toBe(404);

    // An order in category A0102 takes the category policy: 4 working hours to sign.
    const o = await dispatched(t.city.units.districtA, { categoryCode: 'A0102' });
    await dispatchedAt(o.id, '2025-09-30T15:00:00+08:00');
    const d = await deadlines(t.u.dispatcher, o.id);
    expect(d.sign.dueAt).toBe(cst('2025-10-09T10:00:00+08:00')); // 15:00-18:00, then 1 h after the holiday
    expect(d.reply.dueAt).toBe(cst('2025-10-11T18:00:00+08:00')); // 3 days: 10-09, 10-10, Sat 10-11 (调休)
  });
});

describe('deadlines on the official calendar', () => {
  it('walks a normal order across National Day 2025 and its swapped working day, with an extension', async () => {
    let o = await dispatched();
    await dispatchedAt(o.id, '2025-09-30T15:00:00+08:00'); // Tuesday before the holiday (10-01..10-08)
    let d = await deadlines(t.u.handlerA, o.id, '2025-10-09T16:00:00+08:00'); // 8.5 of 10.5 working hours used
    expect(d.sign).toMatchObject({ state: 'running', dueAt: cst('2025-10-09T18:00:00+08:00'), level: 'yellow', remainingWorkingHours: 2 });
    // 5 working days: 10-09, 10-10, Sat 10-11 (调休 working day), 10-13, 10-14.
    expect(d.reply.dueAt).toBe(cst('2025-10-14T18:00:00+08:00'));
    expect(d.reply.level).toBe('green');
    expect((await deadlines(t.u.handlerA, o.id, '2025-10-15T10:00:00+08:00')).reply).toMatchObject({ level: 'red', remainingWorkingHours: -1 });

    o = await step(t.u.handlerA, o, 'sign');
    d = await deadlines(t.u.handlerA, o.id);
    expect(d.sign.state).toBe('met');
    // Extensions are counted in working days and capped by the policy (10 days for normal orders).
    o = await step(t.u.handlerA, o, 'request-extension', { days: 11, reason: '需协调多个部门' });
    const tooLong = await t.u.supervisor.post(`/api/v1/workorders/${o.id}/actions/approve-extension`, { version: o.version });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatchObject({ code: 'validation_failed', field: 'days' });
    o = await step(t.u.supervisor, o, 'approve-extension', { days: 3 });
    d = await deadlines(t.u.handlerA, o.id);
    expect(d.reply).toMatchObject({ extensionDays: 3, dueAt: cst('2025-10-17T18:00:00+08:00') });
    o = await step(t.u.handlerA, o, 'reply', { content: '已处理', resolved: true });
    d = await deadlines(t.u.handlerA, o.id);
    expect(d.reply).toMatchObject({ state: 'met', remainingWorkingMs: null });
  });

  it('walks an urgent order across the 2026 Spring Festival (Sat 02-14 and Sat 02-28 are working days)', async () => {
    const o = await dispatched(t.city.units.districtA, { urgency: 'urgent' });
    await dispatchedAt(o.id, '2026-02-14T17:00:00+08:00');
    const d = await deadlines(t.u.dispatcher, o.id);
    // 2 working hours: 1 h on the swapped Saturday, then the holiday 02-15..02-23, 1 h on Tuesday 02-24.
    expect(d.sign.dueAt).toBe(cst('2026-02-24T10:00:00+08:00'));
    expect(d.reply.dueAt).toBe(cst('2026-02-24T18:00:00+08:00'));
    const n = await dispatched();
    await dispatchedAt(n.id, '2026-02-24T09:30:00+08:00');
    expect((await deadlines(t.u.dispatcher, n.id)).reply.dueAt).toBe(cst('2026-03-02T18:00:00+08:00')); // 02-25, 26, 27, Sat 28 (调休), Mon 03-02
  });

  it('shows deadlines with the order visibility rules', async () => {
    const o = await dispatched();
    expect((await t.u.handlerB.get(`/api/v1/workorders/${o.id}/deadlines`)).status).toBe(404); // another unit's order: as if it did not exist
    expect((await t.u.managerA.get(`/api/v1/workorders/${o.id}/deadlines`)).status).toBe(200);
    expect((await t.u.handlerA.get('/api/v1/workorders/999999/deadlines')).status).toBe(404);
    const fresh = await newOrder();
    expect((await t.u.agent.get(`/api/v1/workorders/${fresh.id}/deadlines`)).body.items).toEqual([]);
  });
});

describe('the calendar API', () => {
  it('lists the official days of a year and lets admins add local days', async () => {
    const y = await t.u.handlerA.get('/api/v1/sla/calendar/2025');
    expect(y.status).toBe(200);
    expect(y.body.officialCovered).toBe(true);
    expect(y.body.days).toEqual(
      expect.arrayContaining([
        { date: '2025-10-01', kind: 'holiday', name: '国庆节', source: 'official' },
        { date: '2025-09-28', kind: 'workday', name: expect.stringContaining('调休'), source: 'official' },
      ]),
    );
    expect(y.body.workingDays).toBe(248); // 365 − 104 weekend days − 18 weekday holidays + 5 swapped working days

    const put = (year: number, days: unknown) => t.u.admin.request('PUT', `/api/v1/sla/calendar/${year}`, { days });
    expect((await t.u.supervisor.request('PUT', '/api/v1/sla/calendar/2027', { days: [] })).status).toBe(403);
    expect((await put(2027, [{ date: '2027-02-30', kind: 'holiday' }])).body.error).toMatchObject({ code: 'validation_failed', field: 'days.0.date' });
    expect((await put(2027, [{ date: '2028-01-03', kind: 'holiday' }])).status).toBe(400);
    expect((await put(2027, [{ date: '2027-01-04', kind: 'party' }])).status).toBe(400);
    const ok = await put(2027, [
      { date: '2027-03-01', kind: 'holiday', name: '本市纪念日' },
      { date: '2027-03-06', kind: 'workday' },
    ]);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const y27 = await t.u.handlerA.get('/api/v1/sla/calendar/2027');
    expect(y27.body.officialCovered).toBe(false);
    expect(y27.body.days).toEqual([
      { date: '2027-03-01', kind: 'holiday', name: '本市纪念日', source: 'local' },
      { date: '2027-03-06', kind: 'workday', name: null, source: 'local' },
    ]);
    // Fri 2027-02-26 + 1 working day skips the weekend and the local holiday on Monday 03-01.
    const add = await t.u.handlerA.get(`/api/v1/sla/calendar/add?from=${encodeURIComponent('2027-02-26T10:00:00+08:00')}&amount=1&unit=days`);
    expect(add.body.due).toBe(cst('2027-03-02T18:00:00+08:00'));
  });

  it('names the coming years that have no holiday calendar at all (the server warns at start)', async () => {
    // 2040 stands for a year the built-in national data does not reach yet.
    const gaps = (iso: string) => calendarGaps(t.platform.db, new Date(iso), 'Asia/Shanghai');
    expect(await gaps('2040-06-15T12:00:00Z')).toEqual([2040]);
    expect(await gaps('2040-09-30T15:59:00Z')).toEqual([2040]); // still September in Beijing
    expect(await gaps('2040-09-30T16:00:00Z')).toEqual([2040, 2041]); // 1 October: next year's schedule is due soon
    expect((await t.u.admin.request('PUT', '/api/v1/sla/calendar/2041', { days: [{ date: '2041-01-01', kind: 'holiday', name: '元旦' }] })).status).toBe(200);
    expect(await gaps('2040-12-01T00:00:00Z')).toEqual([2040]);
    expect(await gaps('2025-12-01T00:00:00Z')).toEqual([]); // 2025 and 2026 are published
  });

  it('has configurable working hours (admins only) that apply to deadlines', async () => {
    expect((await t.u.supervisor.patch('/api/v1/sla/settings', { warnShare: 0.5 })).status).toBe(403);
    expect((await t.u.admin.patch('/api/v1/sla/settings', { periods: [{ start: '14:00', end: '13:00' }] })).status).toBe(400);
    expect((await t.u.admin.patch('/api/v1/sla/settings', { periods: [{ start: '9:00', end: '13:00' }] })).status).toBe(400);
    expect((await t.u.admin.patch('/api/v1/sla/settings', { warnShare: 1.5 })).status).toBe(400);
    const o = await dispatched(t.city.units.districtA, { urgency: 'urgent' });
    await dispatchedAt(o.id, '2025-09-30T17:45:00+08:00');
    expect((await deadlines(t.u.dispatcher, o.id)).sign.dueAt).toBe(cst('2025-10-09T10:45:00+08:00')); // 15 min, then 1 h 45 from 09:00
    const s = await t.u.admin.patch('/api/v1/sla/settings', {
      periods: [
        { start: '08:30', end: '12:00' },
        { start: '14:00', end: '17:30' },
      ],
    });
    expect(s.status).toBe(200);
    expect((await deadlines(t.u.dispatcher, o.id)).sign.dueAt).toBe(cst('2025-10-09T10:30:00+08:00')); // recomputed: the day ended at 17:30, 2 h from 08:30
    await t.u.admin.patch('/api/v1/sla/settings', {
      periods: [
        { start: '09:00', end: '12:00' },
        { start: '13:30', end: '18:00' },
      ],
    });
  });
});
