// The agent's assistant brings the modules together: knowledge, similar orders, the
// caller's history (intake) and the dispatch suggestion (dispatch), in one response.
import { describe, expect, it } from 'vitest';
import { useCity } from './fixtures.js';

const t = useCity();

describe('POST /api/v1/assist', () => {
  it('answers with the caller history for the agent on the phone, and the dispatch suggestion', async () => {
    const { agent, followup } = t.city.users;
    const c = await agent.post('/api/v1/contacts', {
      channel: 'phone',
      startedAt: new Date(Date.now() - 600_000).toISOString(),
      endedAt: new Date().toISOString(),
      caller: { phone: '138 0013 8000', name: '赵六' },
      summary: '小区路灯不亮',
      outcome: 'workorder',
      workorder: { type: 'complaint', title: '小区路灯不亮', content: '幸福小区门口路灯三天不亮', citizen: { name: '赵六', phone: '13800138000' } },
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const r = await agent.post('/api/v1/assist', { text: '路灯不亮', phone: '13800138000' });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(expect.arrayContaining(['articles', 'similarOrders', 'callerHistory', 'dispatch']));
    expect(r.body.callerHistory.contacts.length).toBe(1);
    expect(r.body.callerHistory.openOrders.map((o: any) => o.title)).toEqual(['小区路灯不亮']);
    // A follow-up agent gets the rest, without anyone's history.
    const f = await followup.post('/api/v1/assist', { text: '路灯不亮', phone: '13800138000' });
    expect(f.status).toBe(200);
    expect(f.body.callerHistory).toBeUndefined();
  });
});
