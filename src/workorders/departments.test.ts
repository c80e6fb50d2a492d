// The departments' side (办得更实, issue #24) through the HTTP API: transfer down the tree and back
// up one level, the upper unit's review, co-units' parts, the named handler, suspension that moves
// the deadlines by exactly the suspended working time, return review and the final ruling, an
// unsatisfied survey appealed and upheld; and every 403/400/409 on the way.
import { beforeAll, describe, expect, it } from 'vitest';
import { loginAs, type Client } from '../../test/helpers.js';
import { useCity } from '../../test/fixtures.js';
import type { AppContext } from '../core/context.js';
import { monthOf } from '../kpi/index.js';
import { loadCalendar } from '../sla/index.js';
import type { WorkOrder } from './index.js';

const t = useCity();
const month = monthOf(new Date(), 'Asia/Shanghai');
type Shown = WorkOrder & { allowedActions: string[]; deadlines: any[]; appeal?: any };

let community: number;
let managerStreet: Client;
let handlerCommunity: Client;
let handlerA2: Client;

async function act(c: Client, o: { id: number; version: number }, action: string, body: Record<string, unknown> = {}): Promise<Shown> {
  const r = await c.post(`/api/v1/workorders/${o.id}/actions/${action}`, { version: o.version, ...body });
  expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}
const tryAct = (c: Client, o: { id: number; version: number }, action: string, body: Record<string, unknown> = {}) =>
  c.post(`/api/v1/workorders/${o.id}/actions/${action}`, { version: o.version, ...body });
const read = async (c: Client, id: number): Promise<Shown> => (await c.get(`/api/v1/workorders/${id}`)).body;
const events = async (id: number) => ((await t.u.dispatcher.get(`/api/v1/workorders/${id}/events`)).body.items as any[]).map((e) => e.type);
const kinds = async (c: Client, id: number) =>
  ((await c.get('/api/v1/notifications?limit=200')).body.items as any[]).filter((n) => n.workorderId === id).map((n) => n.kind);
const ids = async (c: Client, query: string) => ((await c.get(`/api/v1/workorders?limit=200&${query}`)).body.items as any[]).map((x) => x.id);

async function newOrder(title: string, extra: Record<string, unknown> = {}): Promise<Shown> {
  const r = await t.u.agent.post('/api/v1/workorders', {
    type: 'complaint',
    title,
    content: `${title}，请处理`,
    categoryCode: '0101',
    location: { districtUnitId: t.city.units.districtA },
    citizen: { name: '钱七', phone: '13800002222' },
    ...extra,
  });
  expect(r.status).toBe(201);
  return r.body;
}
/** Dispatched to district A and signed there. */
async function atDistrict(title: string, dispatch: Record<string, unknown> = {}) {
  const o = await act(t.u.dispatcher, await newOrder(title), 'dispatch', { unitId: t.city.units.districtA, ...dispatch });
  return act(t.u.handlerA, o, 'sign');
}

beforeAll(async () => {
  const unit = await t.u.admin.post('/api/v1/units', { name: '东华门社区', kind: 'community', parentId: t.city.units.streetA });
  expect(unit.status).toBe(201);
  community = unit.body.id;
  const user = async (username: string, unitId: number, roles: string[]) => {
    const r = await t.u.admin.post('/api/v1/users', { username, password: t.city.password, displayName: username, unitId, roles });
    expect(r.status).toBe(201);
    return loginAs(t.platform, username, t.city.password);
  };
  managerStreet = await user('manager_street_a', t.city.units.streetA, ['unit_manager']);
  handlerCommunity = await user('handler_community', community, ['handler']);
  handlerA2 = await user('handler_a2', t.city.units.districtA, ['handler']);
});

describe('transfer down (转派), back up one level, and the upper unit’s review', () => {
  let o: Shown;

  it('passes the order down the tree: the lower unit signs, the upper units still see it', async () => {
    o = await atDistrict('小区路灯不亮');
    expect(o.allowedActions).toContain('transfer-down');
    const due = new Date(Date.now() + 2 * 86_400_000).toISOString();
    o = await act(t.u.handlerA, o, 'transfer-down', { unitId: t.city.units.streetA, note: '请街道核实处理', internalDueAt: due });
    expect(o).toMatchObject({ status: 'accepted', mainUnitId: t.city.units.streetA, internalDueAt: due });
    expect(o.transferChain).toMatchObject([{ fromUnitId: t.city.units.districtA, unitId: t.city.units.streetA, note: '请街道核实处理', signedAt: null }]);
    // The district keeps seeing it and may no longer act as the holder; the street must sign first.
    const upper = await read(t.u.handlerA, o.id);
    expect(upper.mainUnitId).toBe(t.city.units.streetA);
    expect(upper.allowedActions).toEqual([]);
    const street = await read(t.u.handlerStreetA, o.id);
    expect(street.allowedActions).toEqual(['sign', 'return']);
    expect((await tryAct(t.u.handlerStreetA, o, 'reply', { content: '已修', resolved: true })).status).toBe(409);
    expect(await ids(t.u.handlerStreetA, 'pending=transfer-sign')).toContain(o.id);
    expect(await ids(t.u.handlerA, 'pending=transfer-sign')).toContain(o.id);
    expect(await kinds(t.u.handlerStreetA, o.id)).toContain('transfer.received');
    // The center's deadlines keep running, for the unit the center dispatched to.
    expect(upper.deadlines.find((d: any) => d.kind === 'reply')).toMatchObject({ state: 'running', unitId: t.city.units.districtA });
  });

  it('refuses a unit outside the holder’s subtree (400) and anyone but the holder (403)', async () => {
    const district = await atDistrict('占道经营');
    for (const unitId of [t.city.units.districtB, t.city.units.districtA, t.city.units.city]) {
      const r = await tryAct(t.u.handlerA, district, 'transfer-down', { unitId });
      expect(r.status, String(unitId)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'validation_failed', field: 'unitId' });
    }
    expect((await tryAct(t.u.handlerA, district, 'transfer-down', { unitId: 999999 })).status).toBe(400);
    expect((await tryAct(t.u.handlerA, district, 'transfer-down', {})).status).toBe(400);
    for (const c of [t.u.dispatcher, t.u.supervisor, t.u.agent])
      expect((await tryAct(c, district, 'transfer-down', { unitId: t.city.units.streetA })).status).toBe(403);
    // The district above cannot pass on an order its street holds; the street's people may (to the community).
    expect((await tryAct(t.u.handlerA, o, 'transfer-down', { unitId: community })).status).toBe(403);
    const stale = await t.u.handlerA.post(`/api/v1/workorders/${district.id}/actions/transfer-down`, {
      version: district.version - 1,
      unitId: t.city.units.streetA,
    });
    expect(stale.status).toBe(409);
    // Before it signs, the street cannot pass it further down (409).
    expect((await tryAct(t.u.handlerStreetA, o, 'transfer-down', { unitId: community })).status).toBe(409);
  });

  it('a lower unit’s return goes back up one level, to the unit that passed it down', async () => {
    o = await act(t.u.handlerStreetA, o, 'sign');
    expect(o.transferChain[0]!.signedAt).not.toBeNull();
    o = await act(t.u.handlerStreetA, o, 'return', { reason: '该路灯属区路灯所管理' });
    expect(o).toMatchObject({ status: 'accepted', mainUnitId: t.city.units.districtA, transferChain: [], returnCount: 0, internalDueAt: null });
    expect(await kinds(t.u.handlerA, o.id)).toContain('transfer.returned');
    // The center never saw it come back.
    expect((await read(t.u.dispatcher, o.id)).status).toBe('accepted');
    expect((await tryAct(t.u.handlerStreetA, o, 'sign')).status).toBe(404); // the street no longer sees it
  });

  it('re-transfers, two levels down, and each unit above reviews the reply before the center sees it', async () => {
    o = await act(t.u.handlerA, o, 'transfer-down', { unitId: t.city.units.streetA, note: '经核实属街道' });
    o = await act(t.u.handlerStreetA, o, 'sign');
    o = await act(t.u.handlerStreetA, o, 'transfer-down', { unitId: community });
    o = await act(handlerCommunity, o, 'sign');
    expect(o.transferChain.map((s) => s.unitId)).toEqual([t.city.units.streetA, community]);
    // The city-level manager of the district sees it (the subtree), and so does the street.
    expect((await read(t.u.managerA, o.id)).mainUnitId).toBe(community);
    expect((await read(t.u.handlerStreetA, o.id)).mainUnitId).toBe(community);
    expect((await t.u.handlerB.get(`/api/v1/workorders/${o.id}`)).status).toBe(404);

    o = await act(handlerCommunity, o, 'reply', { content: '路灯已更换灯泡', resolved: true });
    expect(o.status).toBe('accepted');
    expect(o.pendingReply).toMatchObject({ stage: 'upper', reviewUnitId: t.city.units.streetA });
    expect((await read(t.u.dispatcher, o.id)).status).toBe('accepted');
    expect(await ids(t.u.handlerStreetA, 'pending=transfer-review')).toContain(o.id);
    // Only the unit reviewing may rule on it: not the unit that wrote it, not the district yet.
    for (const c of [handlerCommunity, t.u.handlerA]) expect((await tryAct(c, o, 'approve-reply')).status).toBe(403);
    expect((await tryAct(t.u.handlerB, o, 'approve-reply')).status).toBe(404);
    // The street sends it back; the community writes again.
    o = await act(t.u.handlerStreetA, o, 'reject-reply', { reason: '请附照片说明' });
    expect(o.pendingReply).toBeNull();
    o = await act(handlerCommunity, o, 'reply', { content: '路灯已更换灯泡，照片已上传', resolved: true });
    // The street approves: now the district reviews.
    o = await act(t.u.handlerStreetA, o, 'approve-reply');
    expect(o).toMatchObject({ status: 'accepted', pendingReply: { stage: 'upper', reviewUnitId: t.city.units.districtA } });
    expect((await tryAct(t.u.handlerStreetA, o, 'approve-reply')).status).toBe(403);
    o = await act(t.u.handlerA, o, 'approve-reply', { content: '经街道、社区核实，路灯已更换' });
    expect(o).toMatchObject({ status: 'replied', reply: { content: '经街道、社区核实，路灯已更换', resolved: true } });
    const history = await events(o.id);
    expect(history).toEqual(
      expect.arrayContaining(['transferred_down', 'transfer_signed', 'transfer_returned', 'reply_submitted', 'reply_rejected', 'reply_forwarded', 'replied']),
    );
    // The chain is in the history in order: down, back up, down twice.
    expect(history.filter((e) => e === 'transferred_down')).toHaveLength(3);
  });

  it('counts the reply for the unit the center dispatched to', async () => {
    const units = async (unitId: number) =>
      (await t.u.supervisor.get(`/api/v1/kpi/units?month=${month}&unitId=${unitId}&includeDescendants=false`)).body.items[0]?.counts ?? {};
    expect((await units(t.city.units.districtA)).replied).toBeGreaterThanOrEqual(1);
    expect((await units(community)).replied ?? 0).toBe(0);
    expect((await units(t.city.units.streetA)).replied ?? 0).toBe(0);
  });

  it('an unsatisfied survey reopens it to the district; the district appeals, upheld, and its 满意率 is recomputed', async () => {
    const before = (await t.u.supervisor.get(`/api/v1/kpi/units?month=${month}&unitId=${t.city.units.districtA}&includeDescendants=false`)).body.items[0];
    const r = await tryAct(t.u.followup, o, 'survey', { satisfaction: 'unsatisfied', resolved: true, note: '灯又坏了' });
    expect(r.status).toBe(200);
    o = await read(t.u.handlerA, o.id);
    expect(o).toMatchObject({ status: 'dispatched', mainUnitId: t.city.units.districtA, transferChain: [] });
    const after = (await t.u.supervisor.get(`/api/v1/kpi/units?month=${month}&unitId=${t.city.units.districtA}&includeDescendants=false`)).body.items[0];
    expect(after.counts.unsatisfied).toBe(before.counts.unsatisfied + 1);
    expect(o.allowedActions).toContain('appeal');
    expect((await tryAct(handlerCommunity, o, 'appeal', { kind: 'unreasonable', reason: '灯具为新坏' })).status).toBe(404);
    o = await act(t.u.handlerA, o, 'appeal', { kind: 'survey_error', reason: '市民反映的是另一盏路灯' });
    expect(o.appeal).toMatchObject({ status: 'pending', kind: 'survey_error' });
    o = await act(t.u.supervisor, o, 'rule-appeal', { decision: 'upheld', note: '经核实回访记录有误' });
    expect(o.appeal).toMatchObject({ status: 'upheld' });
    const ruled = (await t.u.supervisor.get(`/api/v1/kpi/units?month=${month}&unitId=${t.city.units.districtA}&includeDescendants=false`)).body.items[0];
    expect(ruled.counts).toMatchObject({
      unsatisfied: before.counts.unsatisfied,
      surveyed: before.counts.surveyed,
      appeals_upheld: before.counts.appeals_upheld + 1,
    });
    expect(ruled.satisfactionRate).toEqual(before.satisfactionRate);
  });
});

describe('co-handling (协办)', () => {
  it('co-units give their parts beside the lead’s reply, timed; the center may require them first', async () => {
    let o = await atDistrict('噪音扰民', { coUnitIds: [t.city.units.districtB, t.city.units.bureau] });
    expect((await read(t.u.handlerB, o.id)).allowedActions).toEqual(['co-reply']);
    expect((await tryAct(t.u.handlerA, o, 'co-reply', { content: '主办不是协办' })).status).toBe(403);
    expect((await tryAct(t.u.handlerB, o, 'co-reply', { content: '' })).status).toBe(400);
    expect(await ids(t.u.handlerB, 'pending=co-reply')).toContain(o.id);
    o = await act(t.u.handlerB, o, 'co-reply', { content: '西城区已约谈施工方' });
    expect(o.coReplies).toMatchObject([{ unitId: t.city.units.districtB, content: '西城区已约谈施工方', onTime: true }]);
    expect((await tryAct(t.u.handlerB, o, 'co-reply', { content: '再说一次' })).status).toBe(409);
    expect(await ids(t.u.handlerB, 'pending=co-reply')).not.toContain(o.id);
    expect(await kinds(t.u.handlerA, o.id)).toContain('coreply.received');
    // The lead sees the parts beside its reply box.
    expect((await read(t.u.handlerA, o.id)).coReplies).toHaveLength(1);

    // The center requires every part first: the bureau has not answered yet.
    expect((await t.u.handlerA.patch('/api/v1/workorders/settings', { requireCoReplies: true })).status).toBe(403);
    expect((await t.u.admin.patch('/api/v1/workorders/settings', { requireCoReplies: 'yes' })).status).toBe(400);
    expect((await t.u.admin.patch('/api/v1/workorders/settings', { requireCoReplies: true })).body).toMatchObject({
      requireCoReplies: true,
      returnReview: false,
    });
    try {
      const r = await tryAct(t.u.handlerA, o, 'reply', { content: '已处理', resolved: true });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('co_replies_missing');
    } finally {
      await t.u.admin.patch('/api/v1/workorders/settings', { requireCoReplies: false });
    }
    o = await act(t.u.handlerA, o, 'reply', { content: '已处理', resolved: true });
    expect(o.status).toBe('replied');
    const b = (await t.u.supervisor.get(`/api/v1/kpi/units?month=${month}&unitId=${t.city.units.districtB}&includeDescendants=false`)).body.items[0];
    expect(b.counts).toMatchObject({ co_replied: 1, co_replied_on_time: 1 });
    expect(b.coReplyOnTimeRate).toBe(1);
    const drill = await t.u.supervisor.get(`/api/v1/kpi/orders?month=${month}&unitId=${t.city.units.districtB}&measure=co_replied&includeDescendants=false`);
    expect(drill.body.items.map((x: any) => x.id)).toEqual([o.id]);
  });
});

describe('the named handler (指定经办人)', () => {
  it('the holding unit’s manager names one of its people; “mine” lists it', async () => {
    let o = await atDistrict('井盖缺失');
    expect((await tryAct(t.u.handlerA, o, 'assign', { userId: 0 })).status).toBe(400);
    expect((await tryAct(t.u.handlerA, o, 'assign', { userId: 1 })).status).toBe(403); // a handler is no manager
    const me = async (c: Client) => (await c.get('/api/v1/auth/me')).body.id ?? (await c.get('/api/v1/auth/me')).body.user?.id;
    const a2 = await me(handlerA2);
    const b = await me(t.u.handlerB);
    const r = await tryAct(t.u.managerA, o, 'assign', { userId: b });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('userId');
    o = await act(t.u.managerA, o, 'assign', { userId: a2 });
    expect(o.assigneeId).toBe(a2);
    expect((await read(t.u.handlerA, o.id)) as unknown).toMatchObject({ assigneeId: a2, assigneeName: 'handler_a2' });
    expect(await ids(handlerA2, 'mine=true')).toEqual([o.id]);
    expect(await ids(t.u.handlerA, 'mine=true')).not.toContain(o.id);
    expect(await kinds(handlerA2, o.id)).toContain('workorder.assigned');
    // Passed down, the street's manager names its own handler; the district's manager may not (403).
    o = await act(handlerA2, o, 'transfer-down', { unitId: t.city.units.streetA });
    expect(o.assigneeId).toBeNull();
    const street = await me(t.u.handlerStreetA);
    expect((await tryAct(t.u.managerA, o, 'assign', { userId: street })).status).toBe(403);
    o = await act(managerStreet, o, 'assign', { userId: street });
    expect(o.assigneeId).toBe(street);
    // Back up one level, the district's named handler holds it again.
    o = await act(t.u.handlerStreetA, o, 'sign');
    o = await act(t.u.handlerStreetA, o, 'return', { reason: '不属街道' });
    expect(o.assigneeId).toBe(a2);
  });
});

describe('suspension (挂起)', () => {
  it('stops the clock; the deadlines move by exactly the suspended working time and say why', async () => {
    let o = await atDistrict('房屋漏水需等鉴定');
    const reply = (x: Shown) => x.deadlines.find((d: any) => d.kind === 'reply');
    const before = reply(await read(t.u.handlerA, o.id));
    expect(before.state).toBe('running');
    const body = { reason: '等待房屋安全鉴定结果', workingDays: 2 };
    for (const [bad, field] of [
      [{ ...body, workingDays: 0 }, 'workingDays'],
      [{ ...body, workingDays: 1.5 }, 'workingDays'],
      [{ workingDays: 2 }, 'reason'],
    ] as const) {
      const r = await tryAct(t.u.handlerA, o, 'request-suspension', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.field).toBe(field);
    }
    expect((await tryAct(t.u.dispatcher, o, 'request-suspension', body)).status).toBe(403);
    o = await act(t.u.handlerA, o, 'request-suspension', body);
    expect(o.pendingSuspension).toMatchObject({ reason: body.reason, workingDays: 2 });
    expect((await tryAct(t.u.handlerA, o, 'request-suspension', body)).status).toBe(409);
    expect((await tryAct(t.u.handlerA, o, 'approve-suspension')).status).toBe(403);
    expect(await ids(t.u.dispatcher, 'pending=suspension')).toContain(o.id);
    expect(await kinds(t.u.dispatcher, o.id)).toContain('suspension.review');

    o = await act(t.u.dispatcher, o, 'approve-suspension');
    expect(o.suspended).toBe(true);
    expect(o.suspension).toMatchObject({ reason: body.reason, workingDays: 2 });
    expect(reply(await read(t.u.handlerA, o.id)).state).toBe('paused');
    expect(await ids(t.u.handlerA, 'pending=suspended')).toContain(o.id);
    // While the clock stands still the unit cannot reply, extend or return.
    for (const [action, b] of [
      ['reply', { content: '已修', resolved: true }],
      ['request-extension', { days: 2, reason: '再等等' }],
      ['return', { reason: '不管' }],
    ] as const) {
      expect((await tryAct(t.u.handlerA, o, action, b)).status, action).toBe(409);
    }
    expect((await tryAct(t.u.handlerB, o, 'resume')).status).toBe(404);

    // The job ends it when its working days are over.
    const end = Date.parse(o.suspension!.endsAt);
    const tick = await t.u.admin.post('/api/v1/sla/tick', { now: new Date(end + 1000).toISOString() });
    expect(tick.status).toBe(200);
    expect(tick.body.resumed.map((x: any) => x.orderId)).toContain(o.id);
    o = await read(t.u.handlerA, o.id);
    expect(o.suspended).toBe(false);
    const after = reply(o);
    const { calendar } = await loadCalendar(t.platform.db, { config: t.platform.config } as AppContext);
    const twoDays = 2 * calendar.workingDayMs;
    expect(after).toMatchObject({ state: 'running', suspendedWorkingMs: twoDays });
    expect(after.suspensions).toMatchObject([{ workingMs: twoDays, reason: body.reason }]);
    expect(Date.parse(after.dueAt)).toBe(calendar.addWorkingMs(Date.parse(before.dueAt), twoDays));
    expect(await events(o.id)).toEqual(expect.arrayContaining(['suspension_requested', 'suspension_approved', 'suspension_ended']));
    expect(await kinds(t.u.handlerA, o.id)).toContain('suspension.ended');
  });

  it('the center may refuse it, and the unit may resume early', async () => {
    let o = await atDistrict('等待施工许可');
    o = await act(t.u.handlerA, o, 'request-suspension', { reason: '等待许可', workingDays: 5 });
    o = await act(t.u.supervisor, o, 'reject-suspension', { reason: '可先行处置' });
    expect(o).toMatchObject({ suspended: false, pendingSuspension: null });
    expect((await tryAct(t.u.dispatcher, o, 'approve-suspension')).status).toBe(409);
    expect((await tryAct(t.u.handlerA, o, 'resume')).status).toBe(409);
    o = await act(t.u.handlerA, o, 'request-suspension', { reason: '等待许可', workingDays: 5 });
    o = await act(t.u.dispatcher, o, 'approve-suspension', { workingDays: 3 });
    expect(o.suspension!.workingDays).toBe(3);
    o = await act(t.u.handlerA, o, 'resume');
    expect(o.suspended).toBe(false);
    expect((await read(t.u.handlerA, o.id)).deadlines.find((d: any) => d.kind === 'reply').state).toBe('running');
  });
});

describe('return review (退单审核) and the final ruling (终审)', () => {
  it('a dispatcher approves a return; the second goes to a supervisor, whose unit cannot return it', async () => {
    await t.u.admin.patch('/api/v1/workorders/settings', { returnReview: true });
    try {
      let o = await atDistrict('违章搭建');
      o = await act(t.u.handlerA, o, 'return', { reason: '应由城管处理' });
      expect(o).toMatchObject({ status: 'accepted', pendingReturn: { reason: '应由城管处理' } });
      expect((await tryAct(t.u.handlerA, o, 'return', { reason: '再退' })).status).toBe(409);
      expect((await tryAct(t.u.handlerA, o, 'approve-return')).status).toBe(403);
      expect(await ids(t.u.dispatcher, 'pending=return-review')).toContain(o.id);
      expect(await kinds(t.u.dispatcher, o.id)).toContain('return.review');
      o = await act(t.u.dispatcher, o, 'reject-return', { reason: '属于区级职责' });
      expect(o).toMatchObject({ status: 'accepted', pendingReturn: null });
      expect((await tryAct(t.u.dispatcher, o, 'approve-return')).status).toBe(409);
      o = await act(t.u.handlerA, o, 'return', { reason: '确属城管' });
      o = await act(t.u.dispatcher, o, 'approve-return');
      expect(o).toMatchObject({ status: 'returned', returnCount: 1, awaitingRuling: false });
      o = await act(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtB });
      o = await act(t.u.handlerB, o, 'return', { reason: '不在本区' });
      o = await act(t.u.dispatcher, o, 'approve-return');
      expect(o).toMatchObject({ status: 'returned', returnCount: 2, awaitingRuling: true });
      expect(await ids(t.u.supervisor, 'pending=final-ruling')).toContain(o.id);
      expect(await kinds(t.u.supervisor, o.id)).toContain('ruling.required');
      expect((await tryAct(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA })).status).toBe(409);
      expect((await tryAct(t.u.dispatcher, o, 'final-ruling', { unitId: t.city.units.districtA })).status).toBe(403);
      expect((await tryAct(t.u.supervisor, o, 'final-ruling', { unitId: 999999 })).status).toBe(400);
      o = await act(t.u.supervisor, o, 'final-ruling', { unitId: t.city.units.districtA, note: '违建位于东城区' });
      o = await read(t.u.handlerA, o.id);
      expect(o).toMatchObject({ status: 'dispatched', mainUnitId: t.city.units.districtA, finalUnitId: t.city.units.districtA, awaitingRuling: false });
      expect(o.allowedActions).not.toContain('return');
      const r = await tryAct(t.u.handlerA, o, 'return', { reason: '还是不管' });
      expect(r.status).toBe(409);
      expect(await kinds(t.u.handlerA, o.id)).toContain('ruling.decided');
      // It may still pass the order down; the street may return it up to the district, not past it.
      o = await act(t.u.handlerA, o, 'sign');
      o = await act(t.u.handlerA, o, 'transfer-down', { unitId: t.city.units.streetA });
      o = await act(t.u.handlerStreetA, o, 'sign');
      o = await act(t.u.handlerStreetA, o, 'return', { reason: '街道无执法权' });
      expect(o).toMatchObject({ status: 'accepted', mainUnitId: t.city.units.districtA });
      expect(await events(o.id)).toEqual(expect.arrayContaining(['return_requested', 'return_rejected', 'returned', 'final_ruling', 'dispatched']));
    } finally {
      await t.u.admin.patch('/api/v1/workorders/settings', { returnReview: false });
    }
  });

  it('without review, the second return to the center goes to the final ruling too', async () => {
    let o = await atDistrict('流浪犬');
    o = await act(t.u.handlerA, o, 'return', { reason: '不属本区' });
    expect(o).toMatchObject({ status: 'returned', awaitingRuling: false });
    o = await act(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtB });
    o = await act(t.u.handlerB, o, 'return', { reason: '也不属本区' });
    expect(o).toMatchObject({ status: 'returned', returnCount: 2, awaitingRuling: true });
    expect((await read(t.u.dispatcher, o.id)).allowedActions).not.toContain('dispatch');
    expect((await read(t.u.supervisor, o.id)).allowedActions).toContain('final-ruling');
  });
});
