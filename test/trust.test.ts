// Trust (issue #21): the assistant and search show a unit only what GET /workorders/{id}
// lets it read, and a retried order create makes no second order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCity, testPlatform, type TestPlatform } from './helpers.js';

let platform: TestPlatform;
let city: Awaited<ReturnType<typeof seedCity>>;
beforeAll(async () => {
  platform = await testPlatform();
  city = await seedCity(platform);
});
afterAll(() => platform?.close());

async function inject(token: string, method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...headers },
    ...(body ? { payload: body } : {}),
  });
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body) };
}

describe('one visibility rule', () => {
  it('the assistant and search show a unit only the orders it may open', async () => {
    const { agent, dispatcher, handlerA, handlerB, managerA } = city.users;
    const o = await agent.post('/api/v1/workorders', { type: 'complaint', title: '小区电梯经常停运', content: '幸福小区3号楼电梯经常停运，老人上下楼困难。' });
    expect(o.status).toBe(201);
    const d = await dispatcher.post(`/api/v1/workorders/${o.body.id}/actions/dispatch`, { version: o.body.version, unitId: city.units.districtA });
    expect(d.status).toBe(200);
    const similar = async (c: typeof agent) => {
      const r = await c.post('/api/v1/assist', { text: '电梯经常停运，上下楼困难' });
      expect(r.status).toBe(200);
      return (r.body.similarOrders as { id: number }[]).map((s) => s.id);
    };
    expect(await similar(agent)).toContain(o.body.id);
    expect(await similar(handlerA)).toContain(o.body.id);
    expect(await similar(managerA)).toContain(o.body.id);
    // District B's handler may not open it, so the assistant does not offer it either.
    expect((await handlerB.get(`/api/v1/workorders/${o.body.id}`)).status).toBe(404);
    expect(await similar(handlerB)).not.toContain(o.body.id);
    // The list's search: the same rule.
    const search = async (c: typeof agent) =>
      ((await c.get(`/api/v1/workorders?q=${encodeURIComponent('电梯')}`)).body.items as { id: number }[]).map((x) => x.id);
    expect(await search(handlerA)).toContain(o.body.id);
    expect(await search(handlerB)).not.toContain(o.body.id);
  });
});

describe('Idempotency-Key on order creation', () => {
  const body = { type: 'request', title: '井盖缺失', content: '幸福路与人民路路口井盖缺失，夜间危险。', citizen: { name: '王五', phone: '13912345678' } };

  it('a retry with the same key and body answers the first order', async () => {
    const token = city.users.agent.token!;
    const first = await inject(token, 'POST', '/api/v1/workorders', body, { 'idempotency-key': 'order-retry-1' });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await inject(token, 'POST', '/api/v1/workorders', body, { 'idempotency-key': 'order-retry-1' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.number).toBe(first.body.number);
    // Another body under the same key is refused, and nothing is created.
    const other = await inject(token, 'POST', '/api/v1/workorders', { ...body, title: '井盖丢失' }, { 'idempotency-key': 'order-retry-1' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    const list = await inject(token, 'GET', `/api/v1/workorders?q=${encodeURIComponent('井盖')}&limit=50`);
    expect(list.body.items.filter((o: { title: string }) => o.title.startsWith('井盖'))).toHaveLength(1);
    // Keys belong to the user: another agent's same key is its own request.
    const dispatcherTry = await inject(city.users.dispatcher.token!, 'POST', '/api/v1/workorders', body, { 'idempotency-key': 'order-retry-1' });
    expect(dispatcherTry.status).toBe(201);
    expect(dispatcherTry.body.id).not.toBe(first.body.id);
  });

  it('concurrent retries make exactly one order', async () => {
    const token = city.users.agent.token!;
    const b = { ...body, title: '路灯不亮', content: '建设路路灯整排不亮。' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => inject(token, 'POST', '/api/v1/workorders', b, { 'idempotency-key': 'order-burst-7' })));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
  });

  it('refuses a malformed key', async () => {
    const r = await inject(city.users.agent.token!, 'POST', '/api/v1/workorders', body, { 'idempotency-key': 'has space' });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('Idempotency-Key');
  });
});
