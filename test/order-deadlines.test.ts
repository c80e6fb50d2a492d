// The time-limit module's parts of the work-order API: deadlines in every order read,
// list filters for overdue and warned orders, and the unit's reply to a supervision notice.
import { describe, expect, it } from 'vitest';
import { useCity } from './fixtures.js';
import type { WorkOrder } from '../src/workorders/index.js';

const t = useCity();

async function dispatched(title: string): Promise<WorkOrder> {
  const { agent, dispatcher } = t.city.users;
  const o = (await agent.post('/api/v1/workorders', { type: 'complaint', title, content: title })).body;
  return (await dispatcher.post(`/api/v1/workorders/${o.id}/actions/dispatch`, { version: o.version, unitId: t.city.units.districtA })).body;
}

describe('deadlines in the work-order API', () => {
  it('shows the deadlines and the working time left in the order', async () => {
    const o = await dispatched('井盖缺失');
    const r = await t.city.users.handlerA.get(`/api/v1/workorders/${o.id}`);
    expect(r.status).toBe(200);
    expect(r.body.deadlines.map((d: any) => d.kind).sort()).toEqual(['reply', 'sign']);
    expect(r.body.deadlines[0]).toMatchObject({ state: 'running', level: 'green' });
    expect(r.body.deadlines[0].remainingWorkingMs).toBeGreaterThan(0);
    // The default working day, 09:00–12:00 and 13:30–18:00, for reading hours left as working days.
    expect(r.body.deadlines[0].workingDayHours).toBe(7.5);
  });

  it('filters the list by overdue and by warning level', async () => {
    const late = await dispatched('超期工单');
    const warned = await dispatched('预警工单');
    const fine = await dispatched('正常工单');
    await t.platform.db.query(
      `UPDATE order_deadlines SET warn_at = now() - interval '2 hour', due_at = now() - interval '1 hour' WHERE workorder_id = $1 AND kind = 'sign'`,
      [late.id],
    );
    await t.platform.db.query(`UPDATE order_deadlines SET warn_at = now() - interval '1 hour' WHERE workorder_id = $1 AND kind = 'sign'`, [warned.id]);
    const ids = async (q: string) => ((await t.city.users.supervisor.get(`/api/v1/workorders?limit=200&${q}`)).body.items as WorkOrder[]).map((x) => x.id);
    expect(await ids('overdue=true')).toEqual([late.id]);
    expect(await ids('warning=red')).toEqual([late.id]);
    expect(await ids('warning=yellow')).toEqual([warned.id]);
    expect(await ids('warning=yellow')).not.toContain(fine.id);
    expect((await t.city.users.supervisor.get('/api/v1/workorders?warning=green')).status).toBe(400);
  });

  it('lets the unit reply to a supervision notice, and only then', async () => {
    let o = await dispatched('督办工单');
    const { handlerA, handlerB, supervisor } = t.city.users;
    let r = await handlerA.post(`/api/v1/workorders/${o.id}/actions/reply-supervision`, { version: o.version, note: '正在处理' });
    expect(r.status).toBe(409);
    o = (await supervisor.post(`/api/v1/workorders/${o.id}/actions/supervise`, { version: o.version, note: '请于明日前办结' })).body;
    r = await handlerB.post(`/api/v1/workorders/${o.id}/actions/reply-supervision`, { version: o.version, note: 'x' });
    expect(r.status).toBe(404); // another unit's order: as if it did not exist
    r = await handlerA.post(`/api/v1/workorders/${o.id}/actions/reply-supervision`, { version: o.version, note: '已安排人员，明日办结' });
    expect(r.status).toBe(200);
    const events = (await supervisor.get(`/api/v1/workorders/${o.id}/events`)).body.items.map((e: any) => [e.type, e.data.note]);
    expect(events.slice(-2)).toEqual([
      ['supervised', '请于明日前办结'],
      ['supervision_replied', '已安排人员，明日办结'],
    ]);
  });
});
