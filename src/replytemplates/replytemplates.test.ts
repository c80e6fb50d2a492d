import { beforeAll, describe, expect, it } from 'vitest';
import { loginAs, type Client } from '../../test/helpers.js';
import { useCity } from '../../test/fixtures.js';
import type { WorkOrder } from '../workorders/index.js';
import { salutationOf } from './render.js';

const t = useCity();
let managerB: Client;

beforeAll(async () => {
  const r = await t.u.admin.post('/api/v1/users', {
    username: 'manager_b',
    password: t.city.password,
    displayName: 'manager_b',
    unitId: t.city.units.districtB,
    roles: ['unit_manager'],
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  managerB = await loginAs(t.platform, 'manager_b', t.city.password);
});

const base = { title: '答复开头', body: '{{称呼}}您好！您反映的问题（工单编号 {{工单编号}}）已收悉。', kinds: ['reply', 'followup'] };

async function dispatchedOrder(name: string | null): Promise<WorkOrder> {
  const c = await t.u.agent.post('/api/v1/workorders', {
    type: 'complaint',
    title: '楼道灯不亮',
    content: '小区3号楼楼道灯坏了一周',
    location: { districtUnitId: t.city.units.districtA },
    citizen: name ? { name, phone: '13912345678' } : null,
  });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const d = await t.u.dispatcher.post(`/api/v1/workorders/${c.body.id}/actions/dispatch`, { version: c.body.version, unitId: t.city.units.districtA });
  expect(d.status, JSON.stringify(d.body)).toBe(200);
  return d.body;
}

describe('keeping reply templates', () => {
  it('lets the center keep center-wide templates and a unit manager keep its unit’s', async () => {
    for (const c of [t.u.admin, t.u.dispatcher, t.u.supervisor]) {
      const r = await c.post('/api/v1/reply-templates', { scope: 'center', ...base, title: `通用-${c.token!.slice(0, 6)}` });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({ scope: 'center', unitId: null, kinds: ['reply', 'followup'], editable: true });
    }
    for (const c of [t.u.handlerA, t.u.managerA, t.u.agent, t.u.followup]) {
      const r = await c.post('/api/v1/reply-templates', { scope: 'center', ...base });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    // Without a unit id, a manager's template is the manager's unit's.
    const own = await t.u.managerA.post('/api/v1/reply-templates', { scope: 'unit', ...base, title: '东城区答复', kinds: ['reply', 'return'] });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect(own.body).toMatchObject({ scope: 'unit', unitId: t.city.units.districtA, unitName: '东城区', editable: true });
    // A handler does not keep the unit's templates; nobody keeps another unit's.
    expect((await t.u.handlerA.post('/api/v1/reply-templates', { scope: 'unit', ...base })).status).toBe(403);
    const foreign = await managerB.post('/api/v1/reply-templates', { scope: 'unit', unitId: t.city.units.districtA, ...base });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toBe('单位常用语只能由本单位负责人维护');
  });

  it('refuses another unit’s manager (403) when changing or deleting a unit’s template, and the center for it too', async () => {
    const made = (await t.u.managerA.post('/api/v1/reply-templates', { scope: 'unit', ...base, title: '东城区退回' })).body;
    const body = { title: '改过的', body: '改过的正文', kinds: ['return'] };
    for (const c of [managerB, t.u.handlerA, t.u.dispatcher]) {
      expect((await c.put(`/api/v1/reply-templates/${made.id}`, body)).status).toBe(403);
      expect((await c.delete(`/api/v1/reply-templates/${made.id}`)).status).toBe(403);
    }
    const center = (await t.u.dispatcher.post('/api/v1/reply-templates', { scope: 'center', ...base, title: '通用退回' })).body;
    expect((await t.u.managerA.put(`/api/v1/reply-templates/${center.id}`, body)).status).toBe(403);
    expect((await t.u.managerA.delete(`/api/v1/reply-templates/${center.id}`)).status).toBe(403);

    const put = await t.u.managerA.put(`/api/v1/reply-templates/${made.id}`, body);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ id: made.id, title: '改过的', body: '改过的正文', kinds: ['return'], scope: 'unit' });
    expect((await t.u.managerA.delete(`/api/v1/reply-templates/${made.id}`)).status).toBe(204);
    expect((await t.u.managerA.get(`/api/v1/reply-templates/${made.id}`)).status).toBe(404);
    expect((await t.u.supervisor.delete(`/api/v1/reply-templates/${center.id}`)).status).toBe(204);
    expect((await t.u.supervisor.delete(`/api/v1/reply-templates/${center.id}`)).status).toBe(404);
  });

  it('says in words what is wrong with a template', async () => {
    const cases: [Record<string, unknown>, string, RegExp, RegExp][] = [
      [{ scope: 'center', ...base, body: '{{称呼}}您好，{{姓名}}' }, 'body', /占位符「姓名」无法识别.*称呼/, /placeholder "姓名".*not known/],
      [{ scope: 'center', ...base, title: '  ' }, 'title', /标题/, /title/],
      [{ scope: 'center', ...base, kinds: [] }, 'kinds', /适用场景/, /boxes/],
      [{ scope: 'center', ...base, kinds: ['reply', 'reply'] }, 'kinds', /适用场景/, /boxes/],
      [{ scope: 'center', unitId: t.city.units.districtA, ...base }, 'unitId', /不属于某个单位/, /belongs to no unit/],
      [{ scope: 'everywhere', ...base }, 'scope', /适用范围/, /scope/],
      [{ scope: 'unit', unitId: 999999, ...base }, 'unitId', /单位 999999 不存在/, /999999/],
    ];
    for (const [body, field, zh, en] of cases) {
      const r = await t.u.dispatcher.post('/api/v1/reply-templates', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error, JSON.stringify(body)).toMatchObject({ code: 'validation_failed', field });
      expect(r.body.error.message).toMatch(zh);
      const e = await t.u.dispatcher.request('POST', '/api/v1/reply-templates', body, { 'accept-language': 'en' });
      expect(e.body.error.message).toMatch(en);
    }
  });

  it('lists the center-wide templates and the reader’s unit’s, by box', async () => {
    const a = (await t.u.managerA.post('/api/v1/reply-templates', { scope: 'unit', ...base, title: '东城区回访', kinds: ['followup'] })).body;
    const b = (await managerB.post('/api/v1/reply-templates', { scope: 'unit', ...base, title: '西城区回访', kinds: ['followup'] })).body;
    const idsOf = async (c: Client, q = '') => ((await c.get(`/api/v1/reply-templates${q}`)).body.items as { id: number; scope: string }[]).map((x) => x.id);
    const centerIds = ((await t.u.agent.get('/api/v1/reply-templates')).body.items as { id: number; scope: string }[]).map((x) => x.id);
    expect(centerIds.length).toBeGreaterThan(0);
    expect(centerIds).not.toContain(a.id);
    expect(centerIds).not.toContain(b.id);
    const forA = await idsOf(t.u.handlerA);
    expect(forA).toContain(a.id);
    expect(forA).not.toContain(b.id);
    for (const id of centerIds) expect(forA).toContain(id);
    expect(await idsOf(managerB)).toContain(b.id);
    expect(await idsOf(managerB)).not.toContain(a.id);
    // Only those offered in the return box: none of the follow-up ones.
    const returns = (await t.u.handlerA.get('/api/v1/reply-templates?kind=return')).body.items as { kinds: string[] }[];
    expect(returns.length).toBeGreaterThan(0);
    for (const x of returns) expect(x.kinds).toContain('return');
    expect(await idsOf(t.u.handlerA, '?kind=return')).not.toContain(a.id);
    // The unit's own templates come first, and the reader can tell which ones they may change.
    const items = (await t.u.handlerA.get('/api/v1/reply-templates')).body.items as { scope: string; editable: boolean }[];
    expect(items[0]!.scope).toBe('unit');
    expect(items.every((x) => !x.editable)).toBe(true);
    // Another unit's template is not there for this reader.
    expect((await t.u.handlerA.get(`/api/v1/reply-templates/${b.id}`)).status).toBe(404);
  });
});

describe('rendering a template for an order', () => {
  let template: { id: number };
  beforeAll(async () => {
    template = (
      await t.u.dispatcher.post('/api/v1/reply-templates', {
        scope: 'center',
        title: '答复全文',
        body: '{{ 称呼 }}您好！您于{{受理日期}}反映的“{{诉求标题}}”（工单编号 {{number}}），{{承办单位}}已办理。{{salutation}}，感谢您的监督。',
        kinds: ['reply'],
      })
    ).body;
  });
  const render = (c: Client, id: number, order: WorkOrder, lang?: string) =>
    c.request('GET', `/api/v1/reply-templates/${id}/render?workorderId=${order.id}`, undefined, lang ? { 'accept-language': lang } : {});

  it('fills the salutation from the surname (never the full name), the number, the title, the unit and the day', async () => {
    const o = await dispatchedOrder('张三丰');
    const r = await render(t.u.handlerA, template.id, o);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const day = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(o.createdAt));
    expect(r.body).toEqual({
      templateId: template.id,
      workorderId: o.id,
      text: `张先生/女士您好！您于${day}反映的“楼道灯不亮”（工单编号 ${o.number}），东城区已办理。张先生/女士，感谢您的监督。`,
    });
    expect(r.body.text).not.toMatch(/三|丰/);
    // The follow-up agent, who may see the whole name, gets the same salutation.
    expect((await render(t.u.followup, template.id, o)).body.text).toBe(r.body.text);
  });

  it('shows no more of the name than the reader may see, and logs the read of those who see it whole', async () => {
    const o = await dispatchedOrder('欧阳明');
    // The handler sees 欧** : the two-character surname is more than that.
    expect((await render(t.u.handlerA, template.id, o)).body.text).toMatch(/^市民朋友您好！/);
    const before = await t.platform.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pii_access_log WHERE workorder_id = $1', [o.id]);
    expect((await render(t.u.followup, template.id, o)).body.text).toMatch(/^欧阳先生\/女士您好！/);
    const log = await t.platform.db.query<{ fields: string[]; purpose: string }>(
      'SELECT fields, purpose FROM pii_access_log WHERE workorder_id = $1 ORDER BY id DESC LIMIT 1',
      [o.id],
    );
    expect(log.rows[0]).toEqual({ fields: ['citizen.name'], purpose: 'reply-templates.render' });
    const after = await t.platform.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pii_access_log WHERE workorder_id = $1', [o.id]);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n + 1);
    // A name given as 王女士 keeps its title; no name, or none in Chinese, reads as the fallback.
    expect((await render(t.u.handlerA, template.id, await dispatchedOrder('王女士'))).body.text).toMatch(/^王女士您好！/);
    expect((await render(t.u.handlerA, template.id, await dispatchedOrder(null))).body.text).toMatch(/^市民朋友您好！/);
  });

  it('answers 404 for an order the reader may not see and for another unit’s template', async () => {
    const o = await dispatchedOrder('李四');
    expect((await render(t.u.handlerB, template.id, o)).status).toBe(404);
    expect((await render(t.u.handlerA, 999999, o)).status).toBe(404);
    const own = (await t.u.managerA.post('/api/v1/reply-templates', { scope: 'unit', ...base, title: '东城区专用' })).body;
    expect((await render(t.u.handlerA, own.id, o)).status).toBe(200);
    expect((await render(t.u.dispatcher, own.id, o)).status).toBe(404);
    const bad = await t.u.handlerA.get(`/api/v1/reply-templates/${template.id}/render`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('workorderId');
  });
});

describe('the salutation rule', () => {
  it('takes one- and two-character surnames and titles, and never more than the mask shows', () => {
    expect(salutationOf('张三', '张*')).toBe('张先生/女士');
    expect(salutationOf('诸葛亮', '诸葛亮')).toBe('诸葛先生/女士');
    expect(salutationOf('诸葛亮', '诸**')).toBe('市民朋友');
    expect(salutationOf('李小姐', '李**')).toBe('李小姐');
    expect(salutationOf('John Smith', 'J***')).toBe('市民朋友');
    expect(salutationOf('', '')).toBe('市民朋友');
    expect(salutationOf('张三', null)).toBe('市民朋友');
  });
});
