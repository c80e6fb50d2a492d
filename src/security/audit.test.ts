// The personal-data audit log (append-only, queryable, with reasons) and retention.
import { describe, expect, it } from 'vitest';
import { useCity } from '../../test/fixtures.js';

const t = useCity();

const newOrder = async () => {
  const r = await t.city.users.agent.post('/api/v1/workorders', {
    type: 'consultation',
    title: '咨询公积金提取',
    content: '请问公积金提取需要什么材料？',
    location: { address: '东华门街道1号', districtUnitId: t.city.units.districtA },
    citizen: { name: '李四', phone: '13900001111' },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: number; version: number };
};

describe('pii_access_log', () => {
  it('records reasons, is queryable by admins only, pages by cursor', async () => {
    const o = await newOrder();
    const agent = t.city.users.agent;
    expect((await agent.get(`/api/v1/workorders/${o.id}`)).body.citizen.phone).toBe('13900001111');
    expect((await agent.get(`/api/v1/workorders/${o.id}?reason=${encodeURIComponent('回访核实')}`)).status).toBe(200);
    const viaHeader = await agent.request('GET', `/api/v1/workorders/${o.id}`, undefined, { 'x-access-reason': encodeURIComponent('市民来电催办') });
    expect(viaHeader.status).toBe(200);
    // A masked reader leaves no trace.
    await t.city.users.handlerA.get(`/api/v1/workorders/${o.id}`);

    expect((await agent.get(`/api/v1/audit/pii?workorderId=${o.id}`)).status).toBe(403);
    const admin = t.city.users.admin;
    const log = await admin.get(`/api/v1/audit/pii?workorderId=${o.id}`);
    expect(log.status).toBe(200);
    expect(log.body.items.map((i: any) => i.purpose)).toEqual(['workorder.view: 市民来电催办', 'workorder.view: 回访核实', 'workorder.view']);
    expect(log.body.items[0]).toMatchObject({ username: 'agent1', workorderId: o.id, fields: ['citizen.name', 'citizen.phone'] });

    const page1 = await admin.get(`/api/v1/audit/pii?workorderId=${o.id}&limit=2`);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await admin.get(`/api/v1/audit/pii?workorderId=${o.id}&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();

    const me = (await agent.get('/api/v1/auth/me')).body;
    const byUser = await admin.get(`/api/v1/audit/pii?userId=${me.id}&from=2000-01-01T00:00:00Z&to=2999-01-01`);
    expect(byUser.body.items.length).toBeGreaterThanOrEqual(3);
    expect((await admin.get(`/api/v1/audit/pii?from=2999-01-01`)).body.items).toEqual([]);
    expect((await admin.get(`/api/v1/audit/pii?from=2020-13-45T99`)).status).toBe(400);
    expect((await admin.get(`/api/v1/audit/pii?limit=0`)).status).toBe(400);
    expect((await agent.get(`/api/v1/workorders/${o.id}?reason=${'x'.repeat(201)}`)).status).toBe(400);
  });

  it('cannot be updated, deleted or truncated, even with direct SQL', async () => {
    const n = (await t.platform.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pii_access_log')).rows[0]!.n;
    expect(n).toBeGreaterThan(0);
    await expect(t.platform.db.query("UPDATE pii_access_log SET purpose = 'x'")).rejects.toThrow(/append-only/);
    await expect(t.platform.db.query('DELETE FROM pii_access_log')).rejects.toThrow(/append-only/);
    await expect(t.platform.db.exec('TRUNCATE pii_access_log')).rejects.toThrow(/append-only/);
    await t.platform.db.query("INSERT INTO audit_events (action) VALUES ('test')");
    await expect(t.platform.db.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    expect((await t.platform.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pii_access_log')).rows[0]!.n).toBe(n);
  });
});
