import { describe, expect, it } from 'vitest';
import { Client } from '../../test/helpers.js';
import { useCity } from '../../test/fixtures.js';
import { applyEvent, type OrderEvent } from './lifecycle.js';
import type { WorkOrder } from './model.js';

const t = useCity();

const newOrder = async (extra: Record<string, unknown> = {}) => {
  const r = await t.u.agent.post('/api/v1/workorders', {
    type: 'complaint',
    title: '小区门口路灯不亮',
    content: '东华门街道某小区门口的路灯连续三天晚上不亮，老人出行不便。',
    urgency: 'normal',
    location: { address: '东华门街道1号', districtUnitId: t.city.units.districtA },
    citizen: { name: '张三', phone: '13812341234' },
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as WorkOrder;
};

/** Performs an action with the order's current version and expects success. */
async function step(client: Client, order: WorkOrder, action: string, body: Record<string, unknown> = {}): Promise<WorkOrder> {
  const r = await client.post(`/api/v1/workorders/${order.id}/actions/${action}`, { version: order.version, ...body });
  expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
  expect(r.body.version).toBe(order.version + 1);
  return r.body;
}

const tryAction = (client: Client, order: WorkOrder, action: string, body: Record<string, unknown> = {}) =>
  client.post(`/api/v1/workorders/${order.id}/actions/${action}`, { version: order.version, ...body });

describe('creating orders', () => {
  it('returns a new order with a human-friendly unique number', async () => {
    const a = await newOrder();
    const b = await newOrder();
    expect(a).toMatchObject({ status: 'new', version: 1, type: 'complaint', urgency: 'normal', mainUnitId: null });
    expect(a.number).toMatch(/^20\d{6}\d{5}$/);
    expect(b.number).not.toBe(a.number);
    expect(Number(b.number.slice(-5))).toBe(Number(a.number.slice(-5)) + 1);
    expect(a.citizen).toEqual({ name: '张三', phone: '13812341234' }); // the agent needs them
  });

  it('rejects bad input with 400 naming the field, never a 500', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'complaint', content: 'x' }, 'title'],
      [{ type: 'gossip', title: 't', content: 'c' }, 'type'],
      [{ type: 'complaint', title: '   ', content: 'c' }, 'title'],
      [{ type: 'complaint', title: 't', content: 'c', urgency: 'now' }, 'urgency'],
      [{ type: 'complaint', title: 't', content: 'c', location: { districtUnitId: 99999 } }, 'location.districtUnitId'],
      [{ type: 'complaint', title: 't', content: 'c', citizen: { phone: "1'; DROP TABLE" } }, 'citizen.phone'],
      [{ type: 'complaint', title: 't', content: 'c', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const r = await t.u.agent.post('/api/v1/workorders', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'validation_failed', field });
    }
    const raw = await t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/workorders',
      payload: '{"type":',
      headers: { authorization: `Bearer ${t.u.agent.token}`, 'content-type': 'application/json' },
    });
    expect(raw.statusCode).toBe(400);
    expect(JSON.parse(raw.body).error.code).toBeTruthy();
  });

  it('only agents and dispatchers create orders', async () => {
    for (const c of [t.u.handlerA, t.u.followup, t.u.supervisor, t.u.admin]) {
      const r = await c.post('/api/v1/workorders', { type: 'request', title: 't', content: 'c' });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    expect((await t.u.dispatcher.post('/api/v1/workorders', { type: 'request', title: 't', content: 'c' })).status).toBe(201);
    expect((await new Client(t.platform).post('/api/v1/workorders', { type: 'request', title: 't', content: 'c' })).status).toBe(401);
  });
});

describe('the lifecycle', () => {
  it('walks new → dispatched → accepted → replied → closed, with the full history', async () => {
    let o = await newOrder();
    o = await step(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA, coUnitIds: [t.city.units.bureau], note: '请尽快处理' });
    expect(o).toMatchObject({ status: 'dispatched', mainUnitId: t.city.units.districtA, coUnitIds: [t.city.units.bureau], dispatchCount: 1 });
    o = await step(t.u.handlerA, o, 'sign');
    expect(o.status).toBe('accepted');
    expect(o.signedAt).toBeTruthy();
    o = await step(t.u.supervisor, o, 'supervise', { note: '群众反映强烈，请加快' });
    expect(o).toMatchObject({ status: 'accepted', supervisionCount: 1 });
    o = await step(t.u.handlerA, o, 'reply', { content: '已更换灯泡，路灯恢复照明。', resolved: true });
    expect(o.status).toBe('replied');
    expect(o.reply).toMatchObject({ content: '已更换灯泡，路灯恢复照明。', resolved: true });
    o = await step(t.u.followup, o, 'survey', { satisfaction: 'satisfied', resolved: true });
    expect(o).toMatchObject({ status: 'closed', survey: { satisfaction: 'satisfied', resolved: true } });
    expect(o.closedAt).toBeTruthy();

    const ev = await t.u.dispatcher.get(`/api/v1/workorders/${o.id}/events`);
    expect(ev.status).toBe(200);
    expect(ev.body.items.map((e: any) => e.type)).toEqual(['created', 'dispatched', 'signed', 'supervised', 'replied', 'surveyed']);
    expect(ev.body.items.map((e: any) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    // The history names who did each step and for which unit.
    expect(ev.body.items.map((e: any) => [e.actorName, e.actorUnit])).toEqual([
      ['agent1', '12345热线中心'],
      ['dispatcher1', '12345热线中心'],
      ['handler_a', '东城区'],
      ['supervisor1', '12345热线中心'],
      ['handler_a', '东城区'],
      ['followup1', '12345热线中心'],
    ]);
    expect(ev.body.items[1]).toMatchObject({ data: { unitId: t.city.units.districtA, note: '请尽快处理' } });

    // The stored order is exactly the fold of its events.
    // (Other modules' parts of the view, such as deadlines, are not part of the projection.)
    const { deadlines: _d, allowedActions: _a, areas: _r, ...stored } = (await t.u.dispatcher.get(`/api/v1/workorders/${o.id}`)).body;
    const rebuilt = (ev.body.items as (OrderEvent & { seq: number })[]).reduce<WorkOrder | null>((s, e) => applyEvent(s, e, o.id), null);
    expect(rebuilt).toEqual(stored);
  });

  it('a return sends the order back to the center, which re-dispatches it', async () => {
    let o = await newOrder();
    o = await step(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtB });
    o = await step(t.u.handlerB, o, 'return', { reason: '不属于本区管辖，应由东城区处理' });
    expect(o).toMatchObject({ status: 'returned', returnCount: 1 });
    // The center still sees it; re-dispatch to the right unit.
    o = await step(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA });
    expect(o).toMatchObject({ status: 'dispatched', mainUnitId: t.city.units.districtA, dispatchCount: 2 });
    o = await step(t.u.handlerA, o, 'sign');
    // A signed order can still be returned.
    o = await step(t.u.handlerA, o, 'return', { reason: '需市级部门协调' });
    expect(o).toMatchObject({ status: 'returned', returnCount: 2 });
    const r = await tryAction(t.u.handlerA, o, 'return', { reason: 'again' });
    expect(r.status).toBe(409); // a returned order is the center's again
    expect(r.body.error.code).toBe('invalid_transition');
  });

  it('an unsatisfied or unresolved survey reopens the order to the same unit', async () => {
    for (const survey of [
      { satisfaction: 'unsatisfied', resolved: true },
      { satisfaction: 'satisfied', resolved: false },
    ]) {
      let o = await newOrder();
      o = await step(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA });
      o = await step(t.u.handlerA, o, 'sign');
      o = await step(t.u.handlerA, o, 'reply', { content: '已处理', resolved: true });
      const r = await tryAction(t.u.followup, o, 'survey', { ...survey, note: '问题依旧' });
      expect(r.status).toBe(200);
      // 重办: reopened, then dispatched straight back to the unit that replied.
      o = r.body;
      expect(o).toMatchObject({ status: 'dispatched', mainUnitId: t.city.units.districtA, reopenCount: 1, closedAt: null, reply: null });
      const types = (await t.u.dispatcher.get(`/api/v1/workorders/${o.id}/events`)).body.items.slice(-2);
      expect(types.map((e: any) => [e.type, e.actorId])).toEqual([
        ['surveyed', expect.any(Number)],
        ['dispatched', null],
      ]);
      o = await step(t.u.handlerA, o, 'sign');
      o = await step(t.u.managerA, o, 'reply', { content: '已彻底解决', resolved: true });
      o = await step(t.u.followup, o, 'survey', { satisfaction: 'basically_satisfied', resolved: true });
      expect(o.status).toBe('closed');
    }
  });

  it('extensions are requested by the unit and approved or rejected by the center', async () => {
    let o = await newOrder();
    o = await step(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA });
    o = await step(t.u.handlerA, o, 'sign');
    o = await step(t.u.handlerA, o, 'request-extension', { days: 5, reason: '需协调多个部门' });
    expect(o.pendingExtension).toMatchObject({ days: 5, reason: '需协调多个部门' });
    let r = await tryAction(t.u.handlerA, o, 'request-extension', { days: 2, reason: 'again' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('invalid_transition');
    r = await tryAction(t.u.handlerA, o, 'approve-extension');
    expect(r.status).toBe(403);
    o = await step(t.u.dispatcher, o, 'approve-extension', { days: 3 });
    expect(o).toMatchObject({ pendingExtension: null, extensionDays: 3 });
    r = await tryAction(t.u.supervisor, o, 'approve-extension');
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('invalid_transition');
    o = await step(t.u.handlerA, o, 'request-extension', { days: 10, reason: '施工周期长' });
    o = await step(t.u.supervisor, o, 'reject-extension', { reason: '时限内可完成' });
    expect(o).toMatchObject({ pendingExtension: null, extensionDays: 3 });
    r = await tryAction(t.u.dispatcher, o, 'reject-extension');
    expect(r.status).toBe(409);
  });

  it('the center closes what it answered directly, invalid contacts and duplicates', async () => {
    const first = await newOrder();
    let o = await step(t.u.agent, await newOrder(), 'close', { reason: 'answered' });
    expect(o).toMatchObject({ status: 'closed', closeReason: 'answered' });
    o = await step(t.u.dispatcher, await newOrder(), 'close', { reason: 'duplicate', duplicateOf: first.id });
    expect(o).toMatchObject({ closeReason: 'duplicate', duplicateOf: first.id });
    const fresh = await newOrder();
    for (const [body, field] of [
      [{ reason: 'duplicate' }, 'duplicateOf'],
      [{ reason: 'duplicate', duplicateOf: fresh.id }, 'duplicateOf'],
      [{ reason: 'duplicate', duplicateOf: 999999 }, 'duplicateOf'],
      [{ reason: 'invalid', duplicateOf: first.id }, 'duplicateOf'],
      [{ reason: 'spam' }, 'reason'],
    ] as const) {
      const r = await tryAction(t.u.agent, fresh, 'close', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.field).toBe(field);
    }
  });
});

describe('forbidden and conflicting actions', () => {
  it('every action refuses the wrong roles with 403', async () => {
    const o = await newOrder();
    const wrong: Record<string, Client[]> = {
      dispatch: [t.u.agent, t.u.handlerA, t.u.followup, t.u.supervisor, t.u.admin],
      close: [t.u.handlerA, t.u.followup, t.u.supervisor, t.u.admin],
      supervise: [t.u.agent, t.u.dispatcher, t.u.handlerA, t.u.admin],
      survey: [t.u.agent, t.u.dispatcher, t.u.handlerA, t.u.supervisor],
      sign: [t.u.agent, t.u.dispatcher, t.u.followup, t.u.supervisor, t.u.admin],
      return: [t.u.agent, t.u.dispatcher, t.u.followup, t.u.supervisor],
      reply: [t.u.agent, t.u.dispatcher, t.u.followup, t.u.supervisor],
      'request-extension': [t.u.agent, t.u.dispatcher, t.u.followup, t.u.supervisor],
      'approve-extension': [t.u.agent, t.u.followup, t.u.admin],
      'reject-extension': [t.u.agent, t.u.followup, t.u.admin],
    };
    const bodies: Record<string, Record<string, unknown>> = {
      dispatch: { unitId: t.city.units.districtA },
      close: { reason: 'invalid' },
      supervise: { note: 'n' },
      survey: { satisfaction: 'satisfied', resolved: true },
      return: { reason: 'r' },
      reply: { content: 'c', resolved: true },
      'request-extension': { days: 1, reason: 'r' },
    };
    for (const [action, clients] of Object.entries(wrong)) {
      for (const c of clients) {
        // The center's roles see the order and are refused; a unit user does not see an
        // undispatched order at all, so it is told what it would be told of a missing one.
        const r = await tryAction(c, o, action, bodies[action] ?? {});
        const unseen = c === t.u.handlerA;
        expect(r.status, `${action} by ${c.token?.slice(0, 4)}`).toBe(unseen ? 404 : 403);
        expect(r.body.error.code).toBe(unseen ? 'not_found' : 'forbidden');
      }
    }
    const after = (await t.u.dispatcher.get(`/api/v1/workorders/${o.id}`)).body;
    expect(after.version).toBe(1); // nothing changed
  });

  it('a unit cannot read or act on another unit’s order', async () => {
    let o = await newOrder();
    o = await step(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA });
    // Another unit's order answers exactly as a missing one does, so ids cannot be probed.
    const missing = await t.u.handlerB.get(`/api/v1/workorders/987654321`);
    expect(missing.status).toBe(404);
    for (const [action, body] of [
      ['sign', {}],
      ['return', { reason: 'x' }],
    ] as const) {
      const r = await tryAction(t.u.handlerB, o, action, body);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
    const other = await t.u.handlerB.get(`/api/v1/workorders/${o.id}`);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe(missing.body.error.code);
    expect(other.body.error.message.replace(String(o.id), 'ID')).toBe(missing.body.error.message.replace('987654321', 'ID'));
    expect((await t.u.handlerB.get(`/api/v1/workorders/${o.id}/events`)).status).toBe(404);
    // A sub-district below the main unit sees nothing either; the district's manager does.
    expect((await t.u.handlerStreetA.get(`/api/v1/workorders/${o.id}`)).status).toBe(404);
    expect((await t.u.handlerA.get(`/api/v1/workorders/${o.id}`)).status).toBe(200);
    // A co-unit sees the order but cannot sign it.
    let co = await newOrder();
    co = await step(t.u.dispatcher, co, 'dispatch', { unitId: t.city.units.districtA, coUnitIds: [t.city.units.districtB] });
    expect((await t.u.handlerB.get(`/api/v1/workorders/${co.id}`)).status).toBe(200);
    expect((await tryAction(t.u.handlerB, co, 'sign')).status).toBe(403);
    // An order below the manager's subtree is visible to the manager.
    let street = await newOrder();
    street = await step(t.u.dispatcher, street, 'dispatch', { unitId: t.city.units.streetA });
    expect((await t.u.managerA.get(`/api/v1/workorders/${street.id}`)).status).toBe(200);
    expect((await t.u.handlerA.get(`/api/v1/workorders/${street.id}`)).status).toBe(404);
  });

  it('a stale version is a 409 version_conflict and changes nothing', async () => {
    let o = await newOrder();
    const stale = o;
    o = await step(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA });
    const r = await tryAction(t.u.dispatcher, stale, 'close', { reason: 'invalid' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('version_conflict');
    expect((await t.u.dispatcher.get(`/api/v1/workorders/${o.id}`)).body).toMatchObject({ status: 'dispatched', version: 2 });
  });

  it('two handlers signing at once: one wins, the other gets 409', async () => {
    let o = await newOrder();
    o = await step(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA });
    const [a, b] = await Promise.all([tryAction(t.u.handlerA, o, 'sign'), tryAction(t.u.managerA, o, 'sign')]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const events = (await t.u.dispatcher.get(`/api/v1/workorders/${o.id}/events`)).body.items;
    expect(events.filter((e: any) => e.type === 'signed')).toHaveLength(1);
  });

  it('each action out of its states is a 409 invalid_transition', async () => {
    const fresh = await newOrder();
    let dispatched = await newOrder();
    dispatched = await step(t.u.dispatcher, dispatched, 'dispatch', { unitId: t.city.units.districtA });
    let closed = await newOrder();
    closed = await step(t.u.agent, closed, 'close', { reason: 'invalid' });
    const cases: [Client, WorkOrder, string, Record<string, unknown>][] = [
      [t.u.handlerA, dispatched, 'reply', { content: 'c', resolved: true }],
      [t.u.handlerA, dispatched, 'request-extension', { days: 1, reason: 'r' }],
      [t.u.dispatcher, dispatched, 'dispatch', { unitId: t.city.units.districtB }],
      [t.u.dispatcher, dispatched, 'close', { reason: 'invalid' }],
      [t.u.followup, dispatched, 'survey', { satisfaction: 'satisfied', resolved: true }],
      [t.u.dispatcher, dispatched, 'approve-extension', {}],
      [t.u.agent, closed, 'close', { reason: 'invalid' }],
      [t.u.supervisor, closed, 'supervise', { note: 'n' }],
      [t.u.dispatcher, closed, 'dispatch', { unitId: t.city.units.districtA }],
      [t.u.followup, fresh, 'survey', { satisfaction: 'satisfied', resolved: true }],
    ];
    for (const [c, o, action, body] of cases) {
      const r = await tryAction(c, o, action, body);
      expect(r.status, `${action} on ${o.status}`).toBe(409);
      expect(r.body.error.code).toBe('invalid_transition');
    }
  });

  it('unknown orders are 404 and bad ids are 400', async () => {
    expect((await t.u.dispatcher.get('/api/v1/workorders/999999')).status).toBe(404);
    expect((await t.u.dispatcher.post('/api/v1/workorders/999999/actions/sign', { version: 1 })).status).toBe(404);
    expect((await t.u.dispatcher.get('/api/v1/workorders/abc')).status).toBe(400);
    expect((await t.u.dispatcher.post('/api/v1/workorders/1/actions/teleport', { version: 1 })).status).toBe(404);
    const o = await newOrder();
    const r = await t.u.dispatcher.post(`/api/v1/workorders/${o.id}/actions/dispatch`, { unitId: 99999, version: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('unitId');
    expect((await t.u.dispatcher.post(`/api/v1/workorders/${o.id}/actions/dispatch`, { unitId: t.city.units.districtA })).body.error.field).toBe('version');
  });
});

describe('reading orders', () => {
  it('masks citizen data for units and logs every full read', async () => {
    let o = await newOrder();
    o = await step(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA });
    const unitView = (await t.u.handlerA.get(`/api/v1/workorders/${o.id}`)).body;
    expect(unitView.citizen).toEqual({ name: '张*', phone: '138****1234' });
    const created = (await t.u.handlerA.get(`/api/v1/workorders/${o.id}/events`)).body.items[0];
    expect(created.data.citizen).toEqual({ name: '张*', phone: '138****1234' });
    const before = (await t.platform.db.query<{ n: number }>('SELECT count(*)::int n FROM pii_access_log WHERE workorder_id = $1', [o.id])).rows[0]!.n;
    const full = (await t.u.followup.get(`/api/v1/workorders/${o.id}`)).body;
    expect(full.citizen.phone).toBe('13812341234');
    const after = (await t.platform.db.query<{ n: number }>('SELECT count(*)::int n FROM pii_access_log WHERE workorder_id = $1', [o.id])).rows[0]!.n;
    expect(after).toBe(before + 1);
    // Lists never carry full personal data.
    const list = (await t.u.agent.get(`/api/v1/workorders?q=${o.number}`)).body;
    expect(list.items[0].citizen.phone).toBe('138****1234');
  });

  it('filters and pages through the list with a cursor', async () => {
    const tag = `分页测试${Date.now()}`;
    const made: WorkOrder[] = [];
    for (let i = 0; i < 5; i++)
      made.push(await newOrder({ title: `${tag} ${i}`, type: i % 2 ? 'consultation' : 'report', categoryCode: i < 3 ? '0101' : '0202' }));
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await t.u.dispatcher.get(`/api/v1/workorders?q=${encodeURIComponent(tag)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((o: WorkOrder) => o.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(made.map((o) => o.id).reverse());
    const reports = (await t.u.dispatcher.get(`/api/v1/workorders?q=${encodeURIComponent(tag)}&type=report`)).body.items;
    expect(reports).toHaveLength(3);
    const cat = (await t.u.dispatcher.get(`/api/v1/workorders?q=${encodeURIComponent(tag)}&categoryCode=01`)).body.items;
    expect(cat).toHaveLength(3);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await t.u.dispatcher.get(`/api/v1/workorders?q=${encodeURIComponent(tag)}&createdFrom=${future}`)).body.items).toHaveLength(0);
    await step(t.u.dispatcher, made[0]!, 'dispatch', { unitId: t.city.units.districtB });
    const byStatus = (await t.u.dispatcher.get(`/api/v1/workorders?q=${encodeURIComponent(tag)}&status=dispatched&unitId=${t.city.units.districtB}`)).body
      .items;
    expect(byStatus.map((o: WorkOrder) => o.id)).toEqual([made[0]!.id]);
    // A unit's list holds its own orders only.
    const mine = (await t.u.handlerB.get('/api/v1/workorders?limit=200')).body.items as WorkOrder[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((o) => o.mainUnitId === t.city.units.districtB || o.coUnitIds.includes(t.city.units.districtB))).toBe(true);
    // …and those it helps with as a co-unit (found through the partial index of orders with co-units).
    expect(mine.some((o) => o.mainUnitId !== t.city.units.districtB && o.coUnitIds.includes(t.city.units.districtB))).toBe(true);
    expect((await t.u.dispatcher.get('/api/v1/workorders?cursor=bogus')).status).toBe(400);
    expect((await t.u.dispatcher.get('/api/v1/workorders?status=lost')).status).toBe(400);
    expect((await t.u.dispatcher.get('/api/v1/workorders?limit=100000')).status).toBe(400);
  });
});

describe('manager review (答复审核, extension requests)', () => {
  it("in a unit that reviews replies, a handler's reply waits for the manager, who sends it out, amended or not, or sends it back", async () => {
    const { u, city } = t;
    expect((await u.managerA.patch(`/api/v1/units/${city.units.districtA}`, { managerReview: true })).status).toBe(403);
    const nobody = await u.admin.patch(`/api/v1/units/${city.units.city}`, { managerReview: true });
    expect(nobody.body.error).toMatchObject({ code: 'validation_failed', field: 'managerReview' });
    const unit = await u.admin.patch(`/api/v1/units/${city.units.districtA}`, { managerReview: true });
    expect(unit.body).toMatchObject({ id: city.units.districtA, managerReview: true });
    try {
      let o = await newOrder();
      o = await step(u.dispatcher, o, 'dispatch', { unitId: city.units.districtA });
      o = await step(u.handlerA, o, 'sign');

      // The handler's reply waits; the order stays with the unit and the center sees no reply yet.
      o = await step(u.handlerA, o, 'reply', { content: '已修复路灯。', resolved: true });
      expect(o).toMatchObject({ status: 'accepted', reply: null, pendingReply: { content: '已修复路灯。', resolved: true } });
      expect((await tryAction(u.handlerA, o, 'reply', { content: '再答一次', resolved: true })).status).toBe(409);
      expect((await tryAction(u.handlerA, o, 'approve-reply')).status).toBe(403);
      const inbox = (await u.managerA.get('/api/v1/notifications')).body.items;
      expect(inbox.find((n: any) => n.workorderId === o.id)).toMatchObject({ kind: 'reply.review' });

      // Sent back with what to change; the handler is told.
      o = await step(u.managerA, o, 'reject-reply', { reason: '请写明修复时间' });
      expect(o).toMatchObject({ status: 'accepted', pendingReply: null });
      const told = (await u.handlerA.get('/api/v1/notifications')).body.items;
      expect(told.find((n: any) => n.workorderId === o.id)).toMatchObject({ kind: 'reply.rejected', body: expect.stringContaining('请写明修复时间') });
      expect((await tryAction(u.managerA, o, 'approve-reply')).status).toBe(409);

      // Written again, then approved with an amendment: the reply goes out under the manager's name.
      o = await step(u.handlerA, o, 'reply', { content: '已于今日修复路灯。', resolved: true });
      o = await step(u.managerA, o, 'approve-reply', { content: '已于今日上午修复路灯，感谢反映。' });
      expect(o).toMatchObject({ status: 'replied', pendingReply: null, reply: { content: '已于今日上午修复路灯，感谢反映。', resolved: true } });
      const history = (await u.agent.get(`/api/v1/workorders/${o.id}/events`)).body.items as (OrderEvent & { seq: number })[];
      expect(history.map((e) => e.type).filter((e) => e.startsWith('repl'))).toEqual(['reply_submitted', 'reply_rejected', 'reply_submitted', 'replied']);
      expect(history.at(-1)).toMatchObject({ data: { amended: true, submittedBy: expect.any(Number) } });
      const { deadlines: _d, allowedActions: _a, areas: _r, ...stored } = (await u.agent.get(`/api/v1/workorders/${o.id}`)).body;
      expect(history.reduce<WorkOrder | null>((s, e) => applyEvent(s, e, o.id), null)).toEqual(stored);

      // The manager's own reply goes out at once.
      let m = await newOrder();
      m = await step(u.dispatcher, m, 'dispatch', { unitId: city.units.districtA });
      m = await step(u.managerA, m, 'sign');
      m = await step(u.managerA, m, 'reply', { content: '已处理。', resolved: true });
      expect(m.status).toBe('replied');
    } finally {
      await u.admin.patch(`/api/v1/units/${city.units.districtA}`, { managerReview: false });
    }
  });

  it("in such a unit, a handler's extension request goes to the manager before the center", async () => {
    const { u, city } = t;
    await u.admin.patch(`/api/v1/units/${city.units.districtA}`, { managerReview: true });
    try {
      let o = await newOrder();
      o = await step(u.dispatcher, o, 'dispatch', { unitId: city.units.districtA });
      o = await step(u.handlerA, o, 'sign');
      o = await step(u.handlerA, o, 'request-extension', { days: 5, reason: '需协调燃气公司' });
      expect(o.pendingExtension).toMatchObject({ days: 5, endorsed: false });
      const inbox = (await u.managerA.get('/api/v1/notifications')).body.items;
      expect(inbox.find((n: any) => n.workorderId === o.id)).toMatchObject({ kind: 'extension.review' });
      // The center cannot decide before the unit has.
      expect((await tryAction(u.dispatcher, o, 'approve-extension')).status).toBe(409);
      expect((await tryAction(u.dispatcher, o, 'reject-extension')).status).toBe(409);
      expect((await tryAction(u.handlerA, o, 'endorse-extension')).status).toBe(403);

      // Declined by the manager: the request is gone and the handler is told.
      o = await step(u.managerA, o, 'decline-extension', { reason: '本周内可以办结' });
      expect(o.pendingExtension).toBeNull();
      const told = (await u.handlerA.get('/api/v1/notifications')).body.items;
      expect(told.find((n: any) => n.workorderId === o.id && n.kind === 'extension.declined')).toBeTruthy();

      // Asked again and backed: now the center decides.
      o = await step(u.handlerA, o, 'request-extension', { days: 3, reason: '需协调燃气公司' });
      expect((await tryAction(u.managerA, o, 'approve-extension')).status).toBe(403);
      o = await step(u.managerA, o, 'endorse-extension');
      expect(o.pendingExtension).toMatchObject({ days: 3, endorsed: true });
      expect((await tryAction(u.managerA, o, 'endorse-extension')).status).toBe(409);
      o = await step(u.dispatcher, o, 'approve-extension');
      expect(o).toMatchObject({ pendingExtension: null, extensionDays: 3 });
      const history = (await u.agent.get(`/api/v1/workorders/${o.id}/events`)).body.items as (OrderEvent & { seq: number })[];
      const { deadlines: _d, allowedActions: _a, areas: _r, ...stored } = (await u.agent.get(`/api/v1/workorders/${o.id}`)).body;
      expect(history.reduce<WorkOrder | null>((s, e) => applyEvent(s, e, o.id), null)).toEqual(stored);

      // A manager's own request goes straight to the center.
      let m = await newOrder();
      m = await step(u.dispatcher, m, 'dispatch', { unitId: city.units.districtA });
      m = await step(u.managerA, m, 'sign');
      m = await step(u.managerA, m, 'request-extension', { days: 2, reason: '材料待补' });
      expect(m.pendingExtension).toMatchObject({ endorsed: true });
    } finally {
      await u.admin.patch(`/api/v1/units/${city.units.districtA}`, { managerReview: false });
    }
  });
});

describe('allowedActions', () => {
  it('each reader is told what it may do now, on the order, in lists and after an action', async () => {
    const o = await newOrder();
    expect(o.allowedActions).toEqual(['close']); // the agent may close it (answered, invalid); dispatching is the dispatcher's
    expect((await t.u.dispatcher.get(`/api/v1/workorders/${o.id}`)).body.allowedActions).toEqual(['dispatch', 'close']);
    const d = await step(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA });
    expect(d.allowedActions).toEqual([]);
    expect((await t.u.handlerA.get(`/api/v1/workorders/${o.id}`)).body.allowedActions).toEqual(['sign', 'return']);
    expect((await t.u.supervisor.get(`/api/v1/workorders/${o.id}`)).body.allowedActions).toEqual(['supervise']);
    const row = (await t.u.handlerA.get('/api/v1/workorders?status=dispatched&limit=200')).body.items.find((x: WorkOrder) => x.id === o.id);
    expect(row.allowedActions).toEqual(['sign', 'return']);
    const signed = await step(t.u.handlerA, d, 'sign');
    expect(signed.allowedActions).toEqual(['return', 'request-extension', 'reply', 'transfer-down', 'request-suspension']);
  });
});
