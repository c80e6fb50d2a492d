// Appeals (申诉) through the HTTP API: who may file and rule (403/404), the order's version and
// state (409), the body and the window (400), the history and notifications, and what an upheld
// appeal does to the unit's 满意率 / 解决率 in every KPI figure.
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loginAs, type Client } from '../../test/helpers.js';
import { useCity } from '../../test/fixtures.js';
import { monthOf } from '../kpi/index.js';
import type { WorkOrder } from '../workorders/index.js';

const t = useCity();
const month = monthOf(new Date(), 'Asia/Shanghai');
let managerBureau: Client;

async function act(c: Client, o: { id: number; version: number }, action: string, body: Record<string, unknown> = {}) {
  const r = await c.post(`/api/v1/workorders/${o.id}/actions/${action}`, { version: o.version, ...body });
  expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
  expect(r.body.version).toBe(o.version + 1);
  return r.body as WorkOrder & { appeal?: any; allowedActions: string[] };
}
const tryAct = (c: Client, o: { id: number; version: number }, action: string, body: Record<string, unknown> = {}) =>
  c.post(`/api/v1/workorders/${o.id}/actions/${action}`, { version: o.version, ...body });
const read = async (c: Client, id: number) => (await c.get(`/api/v1/workorders/${id}`)).body as WorkOrder & { appeal?: any; allowedActions: string[] };

/** An order of district A (district B a co-unit, so it sees the order) taken to a survey with this result. */
async function surveyed(title: string, satisfaction: string, resolved: boolean) {
  const A = t.city.units.districtA;
  const c = await t.u.agent.post('/api/v1/workorders', {
    type: 'complaint',
    title,
    content: title,
    categoryCode: '0101',
    location: { districtUnitId: A },
    citizen: { name: '赵六', phone: '13700001111' },
  });
  expect(c.status).toBe(201);
  let o = await act(t.u.dispatcher, c.body, 'dispatch', { unitId: A, coUnitIds: [t.city.units.districtB] });
  o = await act(t.u.handlerA, o, 'sign');
  o = await act(t.u.handlerA, o, 'reply', { content: '已答复', resolved: true });
  const r = await t.u.followup.post(`/api/v1/workorders/${o.id}/actions/survey`, { version: o.version, satisfaction, resolved });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return read(t.u.handlerA, o.id);
}

const unitOf = async (unitId: number) => (await t.u.supervisor.get(`/api/v1/kpi/units?month=${month}&unitId=${unitId}&includeDescendants=false`)).body.items[0];
const drill = async (unitId: number, measure: string) =>
  ((await t.u.supervisor.get(`/api/v1/kpi/orders?month=${month}&unitId=${unitId}&measure=${measure}&includeDescendants=false`)).body.items as any[]).map(
    (x) => x.id,
  );
const notificationsOf = async (c: Client, orderId: number) =>
  ((await c.get('/api/v1/notifications?limit=200')).body.items as any[]).filter((n) => n.workorderId === orderId);

beforeAll(async () => {
  const r = await t.u.admin.post('/api/v1/users', {
    username: 'manager_bureau',
    password: t.city.password,
    displayName: 'manager_bureau',
    unitId: t.city.units.bureau,
    roles: ['unit_manager'],
  });
  expect(r.status).toBe(201);
  managerBureau = await loginAs(t.platform, 'manager_bureau', t.city.password);
});

describe('an unsatisfied survey, appealed and upheld', () => {
  let good: WorkOrder;
  let bad: WorkOrder & { appeal?: any; allowedActions: string[] };

  beforeAll(async () => {
    good = await surveyed('路灯已修好', 'satisfied', true);
    bad = await surveyed('要求拆除合法建筑', 'unsatisfied', false);
    expect(bad.status).toBe('dispatched'); // reopened straight back to A
  });

  it('starts from the unit’s rates with the unsatisfied survey in them', async () => {
    const a = await unitOf(t.city.units.districtA);
    expect(a.counts).toMatchObject({ surveyed: 2, satisfied: 1, unsatisfied: 1, resolved: 1, reopened: 1, appeals_filed: 0 });
    expect(a.satisfactionRate).toBeCloseTo(0.5);
    expect(a.resolutionRate).toBeCloseTo(0.5);
    expect(await drill(t.city.units.districtA, 'unsatisfied')).toEqual([bad.id]);
    // The assessed unit's people are offered the appeal; nobody else is.
    expect(bad.allowedActions).toContain('appeal');
    expect((await read(t.u.managerA, bad.id)).allowedActions).toContain('appeal');
    for (const c of [t.u.handlerB, t.u.supervisor, t.u.dispatcher]) expect((await read(c, bad.id)).allowedActions).not.toContain('appeal');
    expect('appeal' in (await read(t.u.supervisor, bad.id))).toBe(false); // no appeal yet
  });

  it('refuses other units (403), those who cannot see the order (404) and other roles (403)', async () => {
    const body = { kind: 'unreasonable', reason: '诉求没有法律依据' };
    const co = await tryAct(t.u.handlerB, bad, 'appeal', body); // a co-unit sees the order but was not assessed
    expect(co.status).toBe(403);
    expect(co.body.error.message).toBe('只有被考核的单位（东城区）可以申诉');
    expect((await tryAct(t.u.handlerStreetA, bad, 'appeal', body)).status).toBe(404);
    for (const c of [t.u.dispatcher, t.u.supervisor, t.u.followup, t.u.agent, t.u.admin]) {
      const r = await tryAct(c, bad, 'appeal', body);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    // No survey yet: nothing to appeal.
    const fresh = (
      await t.u.agent.post('/api/v1/workorders', { type: 'request', title: '未回访', content: '未回访', location: { districtUnitId: t.city.units.districtA } })
    ).body;
    const dispatched = await act(t.u.dispatcher, fresh, 'dispatch', { unitId: t.city.units.districtA });
    const none = await tryAct(t.u.handlerA, dispatched, 'appeal', body);
    expect(none.status).toBe(409);
    expect(none.body.error.message).toBe('该工单还没有回访结果，没有可申诉的考核');
    expect((await tryAct(t.u.handlerB, dispatched, 'appeal', body)).status).toBe(404);
  });

  it('says in words what is wrong with the body, and refuses a stale version (409)', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'too_hard', reason: '理由' }, 'kind'],
      [{ kind: 'unreasonable', reason: '   ' }, 'reason'],
      [{ kind: 'unreasonable' }, 'reason'],
      [{ kind: 'unreasonable', reason: '理由', attachments: [999999] }, 'attachments'],
    ];
    for (const [body, field] of cases) {
      const r = await tryAct(t.u.handlerA, bad, 'appeal', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'validation_failed', field });
    }
    const file = await tryAct(t.u.handlerA, bad, 'appeal', { kind: 'unreasonable', reason: '理由', attachments: [999999] });
    expect(file.body.error.message).toBe('附件 999999 不是该工单的附件');
    const stale = await t.u.handlerA.post(`/api/v1/workorders/${bad.id}/actions/appeal`, { version: bad.version - 1, kind: 'unreasonable', reason: '理由' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
  });

  it('files the appeal: on the order, in its history, to the supervisors; a second one is 409', async () => {
    const photo = await t.u.handlerA.request('POST', `/api/v1/workorders/${bad.id}/attachments?name=${encodeURIComponent('规划许可.pdf')}`, '%PDF-1.4 test', {
      'content-type': 'application/pdf',
    });
    expect(photo.status, JSON.stringify(photo.body)).toBe(201);
    bad = await act(t.u.handlerA, bad, 'appeal', { kind: 'unreasonable', reason: '该建筑有规划许可，拆除诉求没有法律依据', attachments: [photo.body.id] });
    expect(bad.appeal).toMatchObject({
      status: 'pending',
      kind: 'unreasonable',
      reason: '该建筑有规划许可，拆除诉求没有法律依据',
      attachments: [{ id: photo.body.id, name: '规划许可.pdf' }],
      unitId: t.city.units.districtA,
      unitName: '东城区',
      filedByName: 'handler_a',
      survey: { month, satisfaction: 'unsatisfied', resolved: false },
      decision: null,
      note: null,
      ruledAt: null,
    });
    expect(Date.parse(bad.appeal.windowEndsAt)).toBeGreaterThan(Date.now());
    expect(bad.allowedActions).not.toContain('appeal');
    const events = (await t.u.supervisor.get(`/api/v1/workorders/${bad.id}/events`)).body.items as any[];
    expect(events.at(-1)).toMatchObject({
      type: 'appeal_filed',
      actorName: 'handler_a',
      data: { kind: 'unreasonable', assessed: { unitId: t.city.units.districtA, month } },
    });
    const [n] = await notificationsOf(t.u.supervisor, bad.id);
    expect(n).toMatchObject({ kind: 'appeal.filed', title: `申诉待裁定 ${bad.number}` });
    expect(n.body).toContain('东城区');
    expect(n.body).toContain('诉求不合理');
    expect((await read(t.u.supervisor, bad.id)).allowedActions).toContain('rule-appeal');
    const again = await tryAct(t.u.managerA, bad, 'appeal', { kind: 'survey_error', reason: '再申诉一次' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('该工单已有申诉在等待裁定');
    expect((await unitOf(t.city.units.districtA)).appeals).toEqual({ filed: 1, upheld: 0, rejected: 0, pending: 1 });
  });

  it('lets only a supervisor rule (403), with the body checked (400) and the version (409)', async () => {
    const body = { decision: 'upheld', note: '诉求确无法律依据' };
    for (const c of [t.u.handlerA, t.u.managerA, t.u.dispatcher, t.u.admin, t.u.followup]) {
      const r = await tryAct(c, bad, 'rule-appeal', body);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    expect((await tryAct(t.u.handlerStreetA, bad, 'rule-appeal', body)).status).toBe(404);
    const wrong: [Record<string, unknown>, string, string][] = [
      [{ decision: 'maybe', note: 'x' }, 'decision', ''],
      [{ decision: 'upheld', note: '' }, 'note', ''],
      [{ ...body, unitId: t.city.units.bureau }, 'unitId', '只有认定“非本单位职责”的申诉成立时才指定单位'],
    ];
    for (const [b, field, message] of wrong) {
      const r = await tryAct(t.u.supervisor, bad, 'rule-appeal', b);
      expect(r.status, JSON.stringify(b)).toBe(400);
      expect(r.body.error.field).toBe(field);
      if (message) expect(r.body.error.message).toBe(message);
    }
    const stale = await t.u.supervisor.post(`/api/v1/workorders/${bad.id}/actions/rule-appeal`, { ...body, version: bad.version - 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
  });

  it('upholds it: the survey leaves the unit’s 满意率 and 解决率 on every screen; ruling or appealing again is 409', async () => {
    bad = await act(t.u.supervisor, bad, 'rule-appeal', { decision: 'upheld', note: '诉求确无法律依据' });
    expect(bad.appeal).toMatchObject({ status: 'upheld', decision: 'upheld', note: '诉求确无法律依据', ruledByName: 'supervisor1', rightUnitId: null });
    const events = (await t.u.supervisor.get(`/api/v1/workorders/${bad.id}/events`)).body.items as any[];
    expect(events.at(-1)).toMatchObject({ type: 'appeal_ruled', actorName: 'supervisor1', data: { decision: 'upheld', unitId: null } });
    const [n] = await notificationsOf(t.u.handlerA, bad.id);
    expect(n).toMatchObject({ kind: 'appeal.ruled', title: `申诉已裁定 ${bad.number}` });
    expect(n.body).toContain('申诉成立');
    expect((await notificationsOf(t.u.managerA, bad.id)).map((x) => x.kind)).toContain('appeal.ruled');

    // The unit's figures: only the satisfied survey is left.
    const a = await unitOf(t.city.units.districtA);
    expect(a.counts).toMatchObject({ surveyed: 1, satisfied: 1, unsatisfied: 0, resolved: 1, reopened: 0, appeals_filed: 1, appeals_upheld: 1 });
    expect(a.satisfactionRate).toBe(1);
    expect(a.resolutionRate).toBe(1);
    expect(a.appeals).toEqual({ filed: 1, upheld: 1, rejected: 0, pending: 0 });
    // The drill-down no longer lists it under the survey's measures, but under the appeal's.
    expect(await drill(t.city.units.districtA, 'unsatisfied')).toEqual([]);
    expect(await drill(t.city.units.districtA, 'surveyed')).toEqual([good.id]);
    expect(await drill(t.city.units.districtA, 'appeals_upheld')).toEqual([bad.id]);
    expect(await drill(t.city.units.districtA, 'appeals_filed')).toEqual([bad.id]);
    // The rankings, the city's month and the Excel report read the same counters.
    const rank = (await t.u.supervisor.get(`/api/v1/kpi/rankings?month=${month}&kind=district`)).body.items.find(
      (x: any) => x.unitId === t.city.units.districtA,
    );
    expect(rank).toMatchObject({ satisfactionRate: 1, appeals: { filed: 1, upheld: 1, rejected: 0 } });
    const summary = (await t.u.supervisor.get(`/api/v1/kpi/summary?month=${month}`)).body;
    expect(summary).toMatchObject({ surveyed: 1, satisfactionRate: 1, resolutionRate: 1 });
    const xlsx = await t.platform.app.inject({
      url: `/api/v1/reports/monthly?month=${month}`,
      headers: { authorization: `Bearer ${t.u.supervisor.token}` },
    });
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('区县排名')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const row = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(2).value === '东城区')!;
    const cell = (name: string) => row.getCell(header.indexOf(name) + 1).value;
    expect([cell('满意率（%）'), cell('解决率（%）'), cell('申诉数'), cell('申诉成立'), cell('申诉不成立')]).toEqual([100, 100, 1, 1, 0]);

    const twice = await tryAct(t.u.supervisor, bad, 'rule-appeal', { decision: 'rejected', note: '再裁定' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe('该申诉已经裁定，不能再次裁定');
    const again = await tryAct(t.u.handlerA, bad, 'appeal', { kind: 'survey_error', reason: '再申诉' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('对这次回访的申诉已经裁定，不能再次申诉');
  });
});

describe('not our duty, and a rejected appeal', () => {
  it('moves an upheld not_our_duty survey to the unit the supervisor names, which is told', async () => {
    let o = await surveyed('燃气管道漏气（应由住建委处理）', 'unsatisfied', false);
    const before = await unitOf(t.city.units.districtA);
    o = await act(t.u.managerA, o, 'appeal', { kind: 'not_our_duty', reason: '属于市住建委职责' });
    const ruling = { decision: 'upheld', note: '属住建委职责' };
    const missing = await tryAct(t.u.supervisor, o, 'rule-appeal', ruling);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ field: 'unitId', message: '认定为“非本单位职责”时，请指定应承担的单位' });
    expect((await tryAct(t.u.supervisor, o, 'rule-appeal', { ...ruling, unitId: t.city.units.districtA })).body.error.message).toBe(
      '应承担的单位不能是申诉单位本身',
    );
    expect((await tryAct(t.u.supervisor, o, 'rule-appeal', { ...ruling, unitId: 999999 })).status).toBe(400);
    o = await act(t.u.supervisor, o, 'rule-appeal', { ...ruling, unitId: t.city.units.bureau });
    expect(o.appeal).toMatchObject({ status: 'upheld', rightUnitId: t.city.units.bureau, rightUnitName: '市住房和城乡建设委员会' });
    const after = await unitOf(t.city.units.districtA);
    expect(after.counts.surveyed).toBe(before.counts.surveyed - 1);
    expect(after.counts.unsatisfied).toBe(before.counts.unsatisfied - 1);
    const bureau = await unitOf(t.city.units.bureau);
    expect(bureau.counts).toMatchObject({ surveyed: 1, unsatisfied: 1, resolved: 0, reopened: 1 });
    expect(bureau.satisfactionRate).toBe(0);
    expect(await drill(t.city.units.bureau, 'unsatisfied')).toEqual([o.id]);
    expect(await drill(t.city.units.bureau, 'unresolved')).toEqual([o.id]);
    expect((await notificationsOf(managerBureau, o.id)).map((n) => n.kind)).toEqual(['appeal.moved']);
    // The city's figures are unchanged by a move: the survey counts once, for the other unit.
    expect((await t.u.supervisor.get(`/api/v1/kpi/summary?month=${month}`)).body.surveyed).toBe(2);
  });

  it('leaves a rejected appeal’s survey where it was, counted as rejected', async () => {
    let o = await surveyed('回访记录有误？', 'basically_satisfied', true);
    const before = await unitOf(t.city.units.districtA);
    o = await act(t.u.handlerA, o, 'appeal', { kind: 'survey_error', reason: '市民表示满意，回访记录有误' });
    o = await act(t.u.supervisor, o, 'rule-appeal', { decision: 'rejected', note: '录音显示为基本满意' });
    expect(o.appeal).toMatchObject({ status: 'rejected', decision: 'rejected', note: '录音显示为基本满意' });
    const after = await unitOf(t.city.units.districtA);
    expect(after.counts.surveyed).toBe(before.counts.surveyed);
    expect(after.satisfactionRate).toBeCloseTo(before.satisfactionRate);
    expect(after.appeals).toEqual({ filed: before.appeals.filed + 1, upheld: before.appeals.upheld, rejected: before.appeals.rejected + 1, pending: 0 });
    const [n] = await notificationsOf(t.u.handlerA, o.id);
    expect(n.body).toContain('申诉不成立');
  });

  it('gives the same figures when the assessment is rebuilt from the history', async () => {
    const snapshot = async () => ({
      facts: (await t.platform.db.query('SELECT * FROM kpi_facts ORDER BY month, unit_id, category_code, district_id')).rows,
      log: (await t.platform.db.query('SELECT month, unit_id, measures, workorder_id, at FROM kpi_fact_orders ORDER BY workorder_id, at, unit_id, measures'))
        .rows,
    });
    const live = await snapshot();
    expect(live.facts.some((f: any) => f.appeals_upheld > 0)).toBe(true);
    expect((await t.u.admin.post('/api/v1/kpi/rebuild')).status).toBe(200);
    expect(await snapshot()).toEqual(live);
  });

  it('lists the appeals: all for a supervisor, the unit’s own for its people', async () => {
    const all = (await t.u.supervisor.get('/api/v1/appeals')).body.items as any[];
    expect(all.length).toBe(3);
    expect(all.map((a) => a.status)).toEqual(['rejected', 'upheld', 'upheld']);
    expect(all[0]).toMatchObject({ unitName: '东城区', number: expect.stringMatching(/^\d{13}$/) });
    expect((await t.u.supervisor.get('/api/v1/appeals?status=rejected')).body.items).toHaveLength(1);
    expect((await t.u.handlerA.get('/api/v1/appeals')).body.items).toHaveLength(3);
    expect((await t.u.handlerB.get('/api/v1/appeals')).body.items).toHaveLength(0);
    const page = await t.u.supervisor.get('/api/v1/appeals?limit=2');
    expect(page.body.items).toHaveLength(2);
    const rest = await t.u.supervisor.get(`/api/v1/appeals?limit=2&cursor=${page.body.nextCursor}`);
    expect(rest.body).toMatchObject({ items: [{ id: all[2].id }], nextCursor: null });
  });
});

describe('the appeal window', () => {
  it('refuses an appeal past appealWindowDays working days after the survey (400), a setting only admins change', async () => {
    const o = await surveyed('过期的申诉', 'unsatisfied', false);
    // As if the survey had been three weeks ago.
    await t.platform.db.query(`UPDATE workorder_events SET at = at - interval '21 days' WHERE workorder_id = $1 AND type = 'surveyed'`, [o.id]);
    expect((await t.u.supervisor.get('/api/v1/appeals/settings')).body).toEqual({ appealWindowDays: 5 });
    const late = await tryAct(t.u.handlerA, o, 'appeal', { kind: 'unreasonable', reason: '理由' });
    expect(late.status).toBe(400);
    expect(late.body.error.message).toMatch(/^已过申诉期限：回访后 5 个工作日内可以申诉，截止到 \d{4}-\d{2}-\d{2} 18:00$/);
    const en = await t.u.handlerA.request(
      'POST',
      `/api/v1/workorders/${o.id}/actions/appeal`,
      { version: o.version, kind: 'unreasonable', reason: '理由' },
      { 'accept-language': 'en' },
    );
    expect(en.body.error.message).toMatch(/^The appeal window has passed: appeals are possible within 5 working days of the survey/);
    expect((await read(t.u.handlerA, o.id)).allowedActions).not.toContain('appeal');

    for (const c of [t.u.supervisor, t.u.managerA]) expect((await c.put('/api/v1/appeals/settings', { appealWindowDays: 30 })).status).toBe(403);
    expect((await t.u.admin.put('/api/v1/appeals/settings', { appealWindowDays: 0 })).status).toBe(400);
    expect((await t.u.admin.put('/api/v1/appeals/settings', { appealWindowDays: 30 })).body).toEqual({ appealWindowDays: 30 });
    expect((await read(t.u.handlerA, o.id)).allowedActions).toContain('appeal');
    const filed = await act(t.u.handlerA, o, 'appeal', { kind: 'unreasonable', reason: '理由' });
    expect(filed.appeal.status).toBe('pending');
    await t.u.admin.put('/api/v1/appeals/settings', { appealWindowDays: 5 });
  });
});
