import { describe, expect, it } from 'vitest';
import { type Client } from '../../test/helpers.js';
import { useCity } from '../../test/fixtures.js';
import type { WorkOrder } from '../workorders/index.js';

const t = useCity();

async function act(c: Client, o: WorkOrder, action: string, body: Record<string, unknown> = {}) {
  const r = await c.post(`/api/v1/workorders/${o.id}/actions/${action}`, { version: o.version, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as WorkOrder;
}

/** An order replied by district A, ready for follow-up. */
async function repliedOrder(title = '楼道灯坏了') {
  let o = (
    await t.u.agent.post('/api/v1/workorders', {
      type: 'request',
      title,
      content: `${title}，请尽快修理。`,
      citizen: { name: '李四', phone: '13900002222' },
    })
  ).body as WorkOrder;
  o = await act(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA });
  o = await act(t.u.handlerA, o, 'sign');
  return act(t.u.handlerA, o, 'reply', { content: '已安排电工更换灯具。', resolved: true });
}

/** Moves an order's last follow-up attempt into the past, as if time had passed. */
const backdateAttempt = (id: number, minutes: number) =>
  t.platform.db.query(`UPDATE workorders SET last_survey_attempt_at = last_survey_attempt_at - ($2::int * interval '1 minute') WHERE id = $1`, [id, minutes]);

describe('the follow-up queue', () => {
  it('lists replied orders oldest first with the script and the citizen to call', async () => {
    const a = await repliedOrder('路灯不亮');
    const b = await repliedOrder('井盖缺失');
    const r = await t.u.followup.get('/api/v1/survey/queue?limit=50');
    expect(r.status).toBe(200);
    const ids = r.body.items.map((i: any) => i.order.id);
    expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
    const item = r.body.items.find((i: any) => i.order.id === a.id);
    expect(item.order.citizen.phone).toBe('13900002222'); // the follow-up agent calls this number
    expect(item.script).toContain('路灯不亮');
    expect(item.script).toContain('已安排电工更换灯具');
    expect(item.script).toContain('东城区');
    expect(item.unitName).toBe('东城区');
    expect(r.body.rules).toMatchObject({ maxAttempts: 3, retryAfterMinutes: 120 });
    // Others may not work the queue; a supervisor sees it masked.
    expect((await t.u.agent.get('/api/v1/survey/queue')).status).toBe(403);
    expect((await t.u.handlerA.get('/api/v1/survey/queue')).status).toBe(403);
    const sup = (await t.u.supervisor.get('/api/v1/survey/queue?limit=50')).body.items.find((i: any) => i.order.id === a.id);
    expect(sup.order.citizen.phone).toBe('139****2222');
  });
});

describe('unreachable citizens', () => {
  it('retries after the wait, then closes the order as unreachable after the last attempt', async () => {
    let o = await repliedOrder('小区停水');
    o = await act(t.u.followup, o, 'survey-unreachable', { note: '无人接听' });
    expect(o).toMatchObject({ status: 'replied', surveyAttempts: 1 });
    // Too soon for another call: refused, and the order leaves the queue until its slot.
    const soon = await t.u.followup.post(`/api/v1/workorders/${o.id}/actions/survey-unreachable`, { version: o.version });
    expect(soon.status).toBe(409);
    expect(soon.body.error.code).toBe('retry_too_soon');
    let queue = (await t.u.followup.get('/api/v1/survey/queue?limit=100')).body.items.map((i: any) => i.order.id);
    expect(queue).not.toContain(o.id);
    queue = (await t.u.followup.get('/api/v1/survey/queue?limit=100&includeWaiting=true')).body.items.map((i: any) => i.order.id);
    expect(queue).toContain(o.id);

    await backdateAttempt(o.id, 121);
    expect((await t.u.followup.get('/api/v1/survey/queue?limit=100')).body.items.map((i: any) => i.order.id)).toContain(o.id);
    o = await act(t.u.followup, o, 'survey-unreachable');
    expect(o).toMatchObject({ status: 'replied', surveyAttempts: 2 });
    await backdateAttempt(o.id, 121);
    o = await act(t.u.followup, o, 'survey-unreachable');
    expect(o).toMatchObject({ status: 'closed', closeReason: 'unreachable', surveyAttempts: 3, survey: null });
    expect(o.closedAt).toBeTruthy();
  });

  it('a reached citizen after a failed attempt is surveyed normally', async () => {
    let o = await repliedOrder('噪音扰民');
    o = await act(t.u.followup, o, 'survey-unreachable');
    o = await act(t.u.followup, o, 'survey', { satisfaction: 'satisfied', resolved: true });
    expect(o).toMatchObject({ status: 'closed', closeReason: null, survey: { satisfaction: 'satisfied' } });
  });

  it('only follow-up agents record attempts, and only on replied orders', async () => {
    const o = await repliedOrder();
    expect((await t.u.dispatcher.post(`/api/v1/workorders/${o.id}/actions/survey-unreachable`, { version: o.version })).status).toBe(403);
    const fresh = (await t.u.agent.post('/api/v1/workorders', { type: 'request', title: 't', content: 'c' })).body;
    const r = await t.u.followup.post(`/api/v1/workorders/${fresh.id}/actions/survey-unreachable`, { version: 1 });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('invalid_transition');
  });
});
