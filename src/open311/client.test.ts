// jiesu as a client, against a second jiesu acting as a department's own system: dispatching an
// order to the unit sends it by GeoReport POST (through the outbox, retried), and the updates read
// from the department's servicerequestupdates become the unit's sign and reply on the order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { open311City } from './testkit.bench.js';

let center: Awaited<ReturnType<typeof open311City>>;
let dept: Awaited<ReturnType<typeof open311City>>;
let deptUrl: string;
beforeAll(async () => {
  center = await open311City();
  dept = await open311City();
  await dept.platform.app.listen({ port: 0, host: '127.0.0.1' });
  deptUrl = `http://127.0.0.1:${(dept.platform.app.server.address() as AddressInfo).port}/open311/v2`;
}, 60_000);
afterAll(async () => {
  await center?.platform.close();
  await dept?.platform.close();
});

/** One round of the client job, as the admin endpoint runs it; `due` first makes every retry and poll due (time passing). */
async function run(due = false) {
  if (due) {
    await center.platform.db.query(`UPDATE open311_outbound SET next_attempt_at = now() WHERE status = 'pending'`);
    await center.platform.db.query('UPDATE open311_endpoints SET poll_lease_until = NULL');
  }
  const r = await center.users.admin.post('/api/v1/open311/client/run');
  expect(r.status).toBe(200);
  return r.body;
}

describe('a unit served by its own Open311 system', () => {
  it('sends the order there with retries and turns its updates into sign and reply', async () => {
    const admin = center.users.admin;
    // A wrong key first: the department answers 403, the outbox retries later.
    const put = await admin.put(`/api/v1/open311/endpoints/${center.units.districtA}`, {
      baseUrl: deptUrl,
      apiKey: 'o311_wrong',
      jurisdictionId: 'dept.example',
    });
    expect(put.status).toBe(200);
    expect(JSON.stringify(put.body)).not.toContain('o311_wrong');
    expect((await center.users.agent.put(`/api/v1/open311/endpoints/${center.units.districtA}`, { baseUrl: deptUrl, apiKey: 'x' })).status).toBe(403);

    const created = await center.users.agent.post('/api/v1/workorders', {
      type: 'complaint',
      title: '夜间施工噪音',
      content: '东华门大街工地每晚施工到凌晨',
      categoryCode: 'noise-night',
      location: { address: '东华门大街 8 号', lat: 39.9163, lng: 116.3972 },
      citizen: { name: '张三', phone: '13912345678' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const d = await center.users.dispatcher.post(`/api/v1/workorders/${id}/actions/dispatch`, {
      version: created.body.version,
      unitId: center.units.districtA,
    });
    expect(d.status).toBe(200);

    let r = await run();
    expect(r).toMatchObject({ sent: 0, failed: 1 });
    let out = (await admin.get('/api/v1/open311/outbound')).body.items[0];
    expect(out).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 403 });
    // Not yet due: nothing happens.
    expect((await run()).failed).toBe(0);

    // The right key; the retry goes through.
    await admin.put(`/api/v1/open311/endpoints/${center.units.districtA}`, { baseUrl: deptUrl, apiKey: dept.apiKey, jurisdictionId: 'dept.example' });
    r = await run(true);
    expect(r.sent).toBe(1);
    out = (await admin.get('/api/v1/open311/outbound?status=sent')).body.items[0];
    expect(out.remoteRequestId).toMatch(/^\d{13}$/);

    // On the department's side: an order with the center's number, and no personal data.
    const there = (await dept.users.dispatcher.get(`/api/v1/workorders?q=${out.remoteRequestId}`)).body.items[0];
    const full = (await dept.users.dispatcher.get(`/api/v1/workorders/${there.id}`)).body;
    expect(full.content).toContain('东华门大街工地每晚施工到凌晨');
    expect(full.content).toContain(`jiesu_number: ${created.body.number}`);
    expect(full.citizen).toBeNull();

    // The department dispatches and signs: the center's order is signed by the unit's system.
    let o = (await dept.users.dispatcher.post(`/api/v1/workorders/${there.id}/actions/dispatch`, { version: full.version, unitId: dept.units.districtA })).body;
    o = (await dept.users.handlerA.post(`/api/v1/workorders/${there.id}/actions/sign`, { version: o.version })).body;
    r = await run(true);
    expect(r.actions).toBeGreaterThanOrEqual(1);
    let mine = (await center.users.dispatcher.get(`/api/v1/workorders/${id}`)).body;
    expect(mine.status).toBe('accepted');

    // It replies: the reply lands on the center's order, as the unit's.
    expect(
      (
        await dept.users.handlerA.post(`/api/v1/workorders/${there.id}/actions/reply`, {
          version: o.version,
          content: '已责令停工，夜间不再施工。',
          resolved: true,
        })
      ).status,
    ).toBe(200);
    r = await run(true);
    mine = (await center.users.dispatcher.get(`/api/v1/workorders/${id}`)).body;
    expect(mine.status).toBe('replied');
    expect(mine.reply).toMatchObject({ content: '已责令停工，夜间不再施工。', resolved: true });
    const events = (await center.users.dispatcher.get(`/api/v1/workorders/${id}/events`)).body;
    const list = events.items ?? events;
    const signed = list.find((e: any) => e.type === 'signed');
    expect(signed.actorUnit).toBe('东城区');
    // Read again: each update applied once.
    r = await run(true);
    expect(r.actions).toBe(0);
    expect(list.filter((e: any) => e.type === 'replied')).toHaveLength(1);
  }, 60_000);
});
