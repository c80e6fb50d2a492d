// The API answers in the reader's language: zh-CN unless Accept-Language prefers English,
// with stable codes, the field's dotted path, and validation errors that name the field in words.
import { describe, expect, it } from 'vitest';
import { useCity } from './fixtures.js';
import { Client } from './helpers.js';

const t = useCity();
const EN = { 'accept-language': 'en-US,en;q=0.9' };

const order = { type: 'complaint', title: '噪音扰民', content: '夜间施工噪音' };

async function inject(method: string, url: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await t.platform.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
    ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
  });
  return { status: res.statusCode, body: JSON.parse(res.body), language: res.headers['content-language'] };
}

describe('messages in the reader’s language', () => {
  it('a bad caller phone names the field in words, in Chinese by default and in English on request', async () => {
    const body = { ...order, citizen: { name: '张三', phone: 'abc' } };
    const zh = await inject('POST', '/api/v1/workorders', { token: t.u.agent.token, body });
    expect(zh.status).toBe(400);
    expect(zh.body.error).toMatchObject({ code: 'validation_failed', field: 'citizen.phone', message: '来电号码格式不正确' });
    expect(zh.language).toBe('zh-CN');
    const en = await inject('POST', '/api/v1/workorders', { token: t.u.agent.token, body, headers: EN });
    expect(en.body.error).toMatchObject({ code: 'validation_failed', field: 'citizen.phone', message: "The caller's phone number is not in a valid format" });
    expect(en.language).toBe('en');
  });

  it('the same inside a contact’s new order and on the portal', async () => {
    const contact = {
      channel: 'phone',
      startedAt: new Date(Date.now() - 60_000).toISOString(),
      summary: '来电反映噪音',
      outcome: 'workorder',
      workorder: { ...order, citizen: { phone: '12x' } },
    };
    const r = await inject('POST', '/api/v1/contacts', { token: t.u.agent.token, body: contact });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ field: 'workorder.citizen.phone', message: '来电号码格式不正确' });
    const caller = await inject('POST', '/api/v1/contacts', { token: t.u.agent.token, body: { ...contact, caller: { phone: 'x' }, workorder: order } });
    expect(caller.body.error).toMatchObject({ field: 'caller.phone', message: '来电号码格式不正确' });

    const portal = await inject('POST', '/api/v1/portal/requests', {
      body: { categoryCode: 'x', address: '东城区', content: '噪音', phone: 'not a phone', name: '赵六', challengeToken: 'x', challengeAnswer: '1' },
    });
    expect(portal.status).toBe(400);
    expect(portal.body.error).toMatchObject({ field: 'phone', message: '联系电话格式不正确' });
  });

  it('an empty title asks for the 标题; a blank one too', async () => {
    const empty = await inject('POST', '/api/v1/workorders', { token: t.u.agent.token, body: { ...order, title: '' } });
    expect(empty.body.error).toMatchObject({ code: 'validation_failed', field: 'title', message: '请填写标题' });
    const blank = await inject('POST', '/api/v1/workorders', { token: t.u.agent.token, body: { ...order, title: '   ' }, headers: EN });
    expect(blank.body.error).toMatchObject({ field: 'title', message: 'Please fill in the title' });
    const missing = await inject('POST', '/api/v1/workorders', { token: t.u.agent.token, body: { type: 'complaint', content: 'x' } });
    expect(missing.body.error).toMatchObject({ field: 'title', message: '请填写标题' });
    const enumBad = await inject('POST', '/api/v1/workorders', { token: t.u.agent.token, body: { ...order, urgency: 'very' } });
    expect(enumBad.body.error.field).toBe('urgency');
    expect(enumBad.body.error.message).toMatch(/^紧急程度只能是：/);
    const extra = await inject('POST', '/api/v1/workorders', { token: t.u.agent.token, body: { ...order, colour: 'red' } });
    expect(extra.body.error).toMatchObject({ field: 'colour', message: '不认识的字段 colour' });
  });

  it('an unknown order answers 404 in words', async () => {
    const zh = await inject('GET', '/api/v1/workorders/987654321', { token: t.u.dispatcher.token });
    expect(zh.status).toBe(404);
    expect(zh.body.error).toMatchObject({ code: 'not_found', message: '找不到工单 987654321', params: { id: 987654321 } });
    const en = await inject('GET', '/api/v1/workorders/987654321', { token: t.u.dispatcher.token, headers: EN });
    expect(en.body.error.message).toBe('Work order 987654321 not found');
  });

  it('401, 403 and an unknown route in both languages', async () => {
    const zh = await inject('GET', '/api/v1/workorders');
    expect(zh).toMatchObject({ status: 401, body: { error: { code: 'unauthorized', message: '未登录或登录已过期' } } });
    const en = await inject('GET', '/api/v1/workorders', { headers: { 'accept-language': 'en' } });
    expect(en.body.error.message).toBe('Please sign in (not signed in, or the session has expired)');
    const zhHans = await inject('GET', '/api/v1/workorders', { headers: { 'accept-language': 'zh-Hans;q=0.9, en;q=0.5' } });
    expect(zhHans.body.error.message).toBe('未登录或登录已过期');

    const forbidden = await inject('GET', '/api/v1/users', { token: t.u.agent.token });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toBe('此操作需要以下角色之一：管理员');
    const forbiddenEn = await inject('GET', '/api/v1/users', { token: t.u.agent.token, headers: EN });
    expect(forbiddenEn.body.error.message).toBe('This needs one of these roles: administrator');

    const route = await inject('GET', '/api/v1/no-such-thing');
    expect(route).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: '没有这个接口：GET /api/v1/no-such-thing' } } });
    const routeEn = await inject('GET', '/api/v1/no-such-thing', { headers: EN });
    expect(routeEn.body.error.message).toBe('There is no GET /api/v1/no-such-thing in this API');
  });

  it('no Chinese message carries English words or an (English) gloss', async () => {
    const agent = t.u.agent.token!;
    const admin = t.u.admin.token!;
    const created = await new Client(t.platform, agent).post('/api/v1/workorders', order);
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const tries: [string, string, string | undefined, unknown?][] = [
      ['GET', '/api/v1/workorders', undefined],
      ['GET', '/api/v1/nope', undefined],
      ['GET', '/api/v1/workorders/987654321', agent],
      ['GET', '/api/v1/users', agent],
      ['POST', '/api/v1/workorders', agent, { ...order, citizen: { phone: 'abc' } }],
      ['POST', '/api/v1/workorders', agent, { ...order, title: '' }],
      ['POST', '/api/v1/workorders', agent, { ...order, type: 'party' }],
      ['POST', '/api/v1/workorders', agent, { ...order, unknown: 1 }],
      ['POST', `/api/v1/workorders/${id}/actions/dispatch`, agent, { version: 1, unitId: 1 }],
      ['POST', `/api/v1/workorders/${id}/actions/dispatch`, t.u.dispatcher.token, { version: 99, unitId: t.city.units.districtA }],
      ['POST', `/api/v1/workorders/${id}/actions/reply`, t.u.dispatcher.token, { version: 1, content: 'x', resolved: true }],
      ['POST', `/api/v1/workorders/${id}/actions/dispatch`, t.u.dispatcher.token, { version: 1, unitId: 987654 }],
      ['POST', '/api/v1/users', admin, { username: 'agent1', password: 'password-123', displayName: 'x', roles: ['agent'] }],
      ['POST', '/api/v1/units', admin, { name: '', kind: 'city' }],
      ['POST', '/api/v1/auth/login', undefined, { username: 'nobody', password: 'wrong-password' }],
      ['GET', '/api/v1/contacts/987654321', agent],
      ['GET', '/api/v1/workorders?limit=100000', agent],
    ];
    const seen = new Set<string>();
    for (const [method, url, token, body] of tries) {
      const r = await inject(method, url, { token, body });
      expect(r.status, url).toBeGreaterThanOrEqual(400);
      const message = r.body.error.message as string;
      seen.add(r.body.error.code as string);
      expect(message, url).toMatch(/[\u4e00-\u9fff]/);
      expect(message, url).not.toMatch(/\([A-Za-z][^()]*\)/);
      expect(message, url).not.toMatch(/[A-Za-z]+[ ,:]+[A-Za-z]+[ ,:]+[A-Za-z]+/);
      expect(message, url).not.toMatch(/must|should|required/);
      const en = await inject(method, url, { token, body, headers: EN });
      expect(en.body.error.code).toBe(r.body.error.code);
      expect(en.body.error.message, url).not.toMatch(/[\u4e00-\u9fff]/);
    }
    expect([...seen].sort()).toEqual(
      expect.arrayContaining(['forbidden', 'not_found', 'unauthorized', 'validation_failed', 'version_conflict', 'username_taken']),
    );
  });
});
