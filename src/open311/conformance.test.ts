// Conformance of /open311/v2 to GeoReport v2 (wiki.open311.org/GeoReport_v2): every
// endpoint and error case, in JSON and XML, against the spec's field lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open311City, parseXml, raw } from './testkit.bench.js';

const SERVICE_FIELDS = ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'];
const ATTRIBUTE_FIELDS = ['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description', 'values'];
const REQUEST_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
];
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
const V2 = '/open311/v2';

let t: Awaited<ReturnType<typeof open311City>>;
beforeAll(async () => {
  t = await open311City();
});
afterAll(async () => t?.platform.close());

const post = (suffix: string, form: Record<string, string | string[]>) => raw(t.platform, 'POST', `${V2}/requests${suffix}`, { form });
const base = () => ({ api_key: t.apiKey, service_code: 'noise-night', lat: '39.9163', long: '116.3972', description: '工地每晚十二点后还在施工' });

/** Asserts a JSON error answer and the same error as XML. */
async function expectError(method: string, path: string, status: number, opts: Parameters<typeof raw>[3] = {}, match?: RegExp, query = '') {
  const j = await raw(t.platform, method, `${V2}/${path}.json${query}`, opts);
  expect(j.status).toBe(status);
  expect(Array.isArray(j.json)).toBe(true);
  expect(Object.keys(j.json[0]).sort()).toEqual(['code', 'description']);
  expect(j.json[0].code).toBe(status);
  if (match) expect(j.json[0].description).toMatch(match);
  const x = await raw(t.platform, method, `${V2}/${path}.xml${query}`, opts);
  expect(x.status).toBe(status);
  expect(x.type).toContain('text/xml');
  expect(x.text.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
  const doc = parseXml(x.text, ['error']);
  expect(doc.errors.error[0].code).toBe(String(status));
  expect(doc.errors.error[0].description).toBeTruthy();
}

describe('GET services', () => {
  it('lists the services with exactly the spec fields, in JSON and XML', async () => {
    const j = await raw(t.platform, 'GET', `${V2}/services.json`);
    expect(j.status).toBe(200);
    expect(j.type).toContain('application/json');
    expect(j.json).toHaveLength(2);
    for (const s of j.json) expect(Object.keys(s).sort()).toEqual([...SERVICE_FIELDS].sort());
    const pothole = j.json.find((s: any) => s.service_code === 'road-pothole');
    expect(pothole).toMatchObject({ service_name: '道路坑洼', metadata: true, type: 'realtime', keywords: '道路,坑洼', group: '城市管理' });
    expect(j.json.find((s: any) => s.service_code === 'noise-night').metadata).toBe(false);

    const x = await raw(t.platform, 'GET', `${V2}/services.xml`);
    expect(x.status).toBe(200);
    const doc = parseXml(x.text, ['service']);
    expect(doc.services.service).toHaveLength(2);
    for (const s of doc.services.service) expect(Object.keys(s).sort()).toEqual([...SERVICE_FIELDS].sort());
    expect(doc.services.service.find((s: any) => s.service_code === 'road-pothole').metadata).toBe('true');
    // No suffix answers JSON.
    expect((await raw(t.platform, 'GET', `${V2}/services`)).json).toEqual(j.json);
  });

  it('hides inactive services', async () => {
    await t.users.admin.post('/api/v1/open311/services', { serviceCode: 'hidden-svc', serviceName: '停用', active: false });
    const j = await raw(t.platform, 'GET', `${V2}/services.json`);
    expect(j.json.map((s: any) => s.service_code)).not.toContain('hidden-svc');
    await expectError('GET', 'services/hidden-svc', 404);
  });
});

describe('GET services/{service_code}', () => {
  it('gives the service definition with attributes in JSON and XML', async () => {
    const j = await raw(t.platform, 'GET', `${V2}/services/road-pothole.json`);
    expect(j.status).toBe(200);
    expect(Object.keys(j.json).sort()).toEqual(['attributes', 'service_code']);
    expect(j.json.attributes).toHaveLength(3);
    for (const a of j.json.attributes) expect(Object.keys(a).sort()).toEqual([...ATTRIBUTE_FIELDS].sort());
    expect(j.json.attributes.map((a: any) => a.order)).toEqual([1, 2, 3]);
    expect(j.json.attributes[0]).toMatchObject({ code: 'size', datatype: 'singlevaluelist', required: true, variable: true });
    expect(j.json.attributes[0].values).toEqual([
      { key: 'small', name: '小于30厘米' },
      { key: 'large', name: '大于30厘米' },
    ]);

    const x = await raw(t.platform, 'GET', `${V2}/services/road-pothole.xml`);
    const doc = parseXml(x.text, ['attribute', 'value']);
    expect(doc.service_definition.service_code).toBe('road-pothole');
    const attrs = doc.service_definition.attributes.attribute;
    expect(attrs).toHaveLength(3);
    for (const a of attrs) expect(Object.keys(a).sort()).toEqual([...ATTRIBUTE_FIELDS].sort());
    expect(attrs[0].values.value.map((v: any) => v.key)).toEqual(['small', 'large']);
    expect(attrs[0].required).toBe('true');
  });

  it('answers 404 for an unknown service_code and 400 for an unknown format', async () => {
    await expectError('GET', 'services/no-such', 404, {}, /no-such/);
    const y = await raw(t.platform, 'GET', `${V2}/services/road-pothole.yaml`);
    expect(y.status).toBe(400);
    expect(y.json[0].code).toBe(400);
  });
});

describe('POST requests', () => {
  it('creates a request from a form body and answers its service_request_id, not also a token (JSON)', async () => {
    const r = await post('.json', {
      ...base(),
      jurisdiction_id: 'demo.gov.cn',
      first_name: '小明',
      last_name: '王',
      phone: '13912345678',
      email: 'wang@example.com',
    });
    expect(r.status).toBe(201);
    expect(r.json).toHaveLength(1);
    expect(r.json[0].service_request_id).toMatch(/^\d{13}$/);
    expect(r.json[0].token).toBeUndefined();
    expect(Object.keys(r.json[0]).sort()).toEqual(['account_id', 'service_notice', 'service_request_id']);
  });

  it('takes a JSON body and answers XML', async () => {
    const r = await raw(t.platform, 'POST', `${V2}/requests.xml`, {
      json: {
        api_key: t.apiKey,
        service_code: 'road-pothole',
        address_string: '东城区东华门大街12号',
        attribute: { size: 'large', lanes: ['l1', 'l2'], depth: '12' },
      },
    });
    expect(r.status).toBe(201);
    const doc = parseXml(r.text, ['request']);
    expect(doc.service_requests.request[0].service_request_id).toMatch(/^\d{13}$/);
    expect(doc.service_requests.request[0].token).toBeUndefined();
  });

  it('takes attribute[code] and attribute[code][] form fields and checks them', async () => {
    const ok = await post('.json', {
      api_key: t.apiKey,
      service_code: 'road-pothole',
      address_id: 'A-1001',
      'attribute[size]': 'small',
      'attribute[lanes][]': ['l1', 'l2'],
    });
    expect(ok.status).toBe(201);
    const order = await t.users.dispatcher.get(`/api/v1/workorders?q=${ok.json[0].service_request_id}`);
    expect(order.body.items[0].content).toContain('一车道、二车道');
    expect(order.body.items[0].categoryCode).toBe('road-pothole');

    const f = { api_key: t.apiKey, service_code: 'road-pothole', address_string: '东华门' };
    await expectError('POST', 'requests', 400, { form: f }, /size/); // required attribute missing
    await expectError('POST', 'requests', 400, { form: { ...f, 'attribute[size]': 'huge' } }, /size/);
    await expectError('POST', 'requests', 400, { form: { ...f, 'attribute[size]': 'small', 'attribute[depth]': 'deep' } }, /depth/);
    // An attribute the service does not declare is kept, not refused, and shown to staff.
    const extra = await post('.json', { ...f, 'attribute[size]': 'small', 'attribute[color]': 'red' });
    expect(extra.status).toBe(201);
    const o = await t.users.dispatcher.get(`/api/v1/workorders?q=${extra.json[0].service_request_id}`);
    expect(o.body.items[0].content).toContain('color: red');
  });

  it('rejects a missing or wrong api_key', async () => {
    const { api_key: _k, ...noKey } = base();
    await expectError('POST', 'requests', 403, { form: noKey }, /api_key/);
    await expectError('POST', 'requests', 403, { form: { ...base(), api_key: 'o311_wrong' } }, /api_key/);
    const k = await t.users.admin.post('/api/v1/open311/keys', { name: '将停用' });
    expect((await post('.json', { ...base(), api_key: k.body.apiKey })).status).toBe(201);
    expect((await t.users.admin.post(`/api/v1/open311/keys/${k.body.id}/revoke`)).status).toBe(204);
    await expectError('POST', 'requests', 403, { form: { ...base(), api_key: k.body.apiKey } });
  });

  it('rejects missing or invalid fields with 400', async () => {
    const { service_code: _s, ...noService } = base();
    await expectError('POST', 'requests', 400, { form: noService }, /service_code/);
    await expectError('POST', 'requests', 404, { form: { ...base(), service_code: 'no-such' } }, /service_code/);
    const { lat: _a, long: _b, ...noPlace } = base();
    await expectError('POST', 'requests', 400, { form: noPlace }, /lat/);
    await expectError('POST', 'requests', 400, { form: { ...noPlace, lat: '39.9' } }, /long/);
    await expectError('POST', 'requests', 400, { form: { ...base(), lat: '99' } }, /lat/);
    await expectError('POST', 'requests', 400, { form: { ...base(), email: 'not-an-email' } }, /email/);
    await expectError('POST', 'requests', 400, { form: { ...base(), phone: 'abc' } }, /phone/);
    await expectError('POST', 'requests', 400, { form: { ...base(), media_url: 'javascript:alert(1)' } }, /media_url/);
    await expectError('POST', 'requests', 400, { form: { ...base(), description: 'x'.repeat(4001) } }, /description/);
    // A malformed JSON body is a 400 in the spec's error format too.
    const bad = await raw(t.platform, 'POST', `${V2}/requests.json`, { headers: { 'content-type': 'application/json' }, body: '{"api_key":' });
    expect(bad.status).toBe(400);
    expect(bad.json[0].code).toBe(400);
  });
});

describe('GET tokens/{token}', () => {
  it('maps a token to its service_request_id in JSON and XML', async () => {
    const r = await post('.json', base());
    const { service_request_id } = r.json[0];
    // POST answers the number itself; the token of each request is still kept and looked up.
    const { rows } = await t.platform.db.query<{ token: string }>(
      'SELECT token FROM open311_requests r JOIN workorders w ON w.id = r.workorder_id WHERE w.number = $1',
      [service_request_id],
    );
    const token = rows[0]!.token;
    const j = await raw(t.platform, 'GET', `${V2}/tokens/${token}.json`);
    expect(j.status).toBe(200);
    expect(j.json).toEqual([{ service_request_id, token }]);
    const x = parseXml((await raw(t.platform, 'GET', `${V2}/tokens/${token}.xml`)).text, ['request']);
    expect(x.service_requests.request[0]).toEqual({ service_request_id, token });
    await expectError('GET', 'tokens/no-such-token', 404);
  });
});

describe('GET requests and GET requests/{id}', () => {
  it('returns every spec field, W3C datetimes, and no personal data', async () => {
    const r = await post('.json', {
      ...base(),
      first_name: '秘密',
      last_name: '张',
      phone: '13700001111',
      email: 'zhang@example.com',
      description: '请回电13800138000，身份证110101199003074578',
      media_url: 'https://img.example.com/p.jpg',
    });
    const id = r.json[0].service_request_id;
    const j = await raw(t.platform, 'GET', `${V2}/requests/${id}.json`);
    expect(j.status).toBe(200);
    expect(j.json).toHaveLength(1);
    const sr = j.json[0];
    expect(Object.keys(sr).sort()).toEqual([...REQUEST_FIELDS].sort());
    expect(sr).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: 'noise-night',
      service_name: '夜间施工噪音',
      lat: 39.9163,
      long: 116.3972,
      media_url: 'https://img.example.com/p.jpg',
    });
    expect(sr.requested_datetime).toMatch(W3C);
    expect(sr.updated_datetime).toMatch(W3C);
    for (const secret of ['秘密', '13700001111', 'zhang@example.com', '13800138000', '110101199003074578']) {
      expect(j.text).not.toContain(secret);
    }
    expect(sr.description).toContain('138****8000');

    const x = await raw(t.platform, 'GET', `${V2}/requests/${id}.xml`);
    const doc = parseXml(x.text, ['request']);
    expect(Object.keys(doc.service_requests.request[0]).sort()).toEqual([...REQUEST_FIELDS].sort());
    expect(doc.service_requests.request[0].status).toBe('open');
    expect(x.text).not.toContain('13700001111');

    await expectError('GET', 'requests/20000101099999', 404);
  });

  it('filters by ids, service_code, status and dates, and pages', async () => {
    const a = (await post('.json', base())).json[0].service_request_id;
    const b = (await post('.json', base())).json[0].service_request_id;
    const ids = await raw(t.platform, 'GET', `${V2}/requests.json?service_request_id=${a},${b}`);
    expect(ids.json.map((x: any) => x.service_request_id).sort()).toEqual([a, b].sort());

    const all = await raw(t.platform, 'GET', `${V2}/requests.json`);
    expect(all.json.length).toBeGreaterThanOrEqual(4);
    const byCode = await raw(t.platform, 'GET', `${V2}/requests.json?service_code=road-pothole`);
    expect(byCode.json.length).toBeGreaterThan(0);
    expect(byCode.json.every((x: any) => x.service_code === 'road-pothole')).toBe(true);
    const both = await raw(t.platform, 'GET', `${V2}/requests.json?service_code=road-pothole,noise-night`);
    expect(both.json.length).toBe(all.json.length);

    expect((await raw(t.platform, 'GET', `${V2}/requests.json?status=closed`)).json).toEqual([]);
    expect((await raw(t.platform, 'GET', `${V2}/requests.json?status=open`)).json.length).toBe(all.json.length);

    const future = new Date(Date.now() + 86400_000).toISOString();
    expect((await raw(t.platform, 'GET', `${V2}/requests.json?start_date=${future}`)).json).toEqual([]);
    const past = new Date(Date.now() - 86400_000).toISOString();
    expect((await raw(t.platform, 'GET', `${V2}/requests.json?start_date=${past}&end_date=${future}`)).json.length).toBe(all.json.length);

    const p1 = await raw(t.platform, 'GET', `${V2}/requests.json?page_size=2&page=1`);
    const p2 = await raw(t.platform, 'GET', `${V2}/requests.json?page_size=2&page=2`);
    expect(p1.json).toHaveLength(2);
    expect(p2.json.length).toBeGreaterThan(0);
    expect(p1.json.map((x: any) => x.service_request_id)).not.toContain(p2.json[0].service_request_id);

    const x = parseXml((await raw(t.platform, 'GET', `${V2}/requests.xml?page_size=2`)).text, ['request']);
    expect(x.service_requests.request).toHaveLength(2);
    for (const r of x.service_requests.request) expect(Object.keys(r).sort()).toEqual([...REQUEST_FIELDS].sort());
  });

  it('rejects invalid filters with 400', async () => {
    await expectError('GET', 'requests', 400, {}, /start_date/, '?start_date=yesterday');
    await expectError('GET', 'requests', 400, {}, /end_date/, '?end_date=2024-13-45');
    await expectError('GET', 'requests', 400, {}, /90/, '?start_date=2024-01-01T00:00:00Z&end_date=2024-06-01T00:00:00Z');
    await expectError('GET', 'requests', 400, {}, /start_date/, '?start_date=2024-02-01T00:00:00Z&end_date=2024-01-01T00:00:00Z');
    await expectError('GET', 'requests', 400, {}, /status/, '?status=pending');
    await expectError('GET', 'requests', 400, {}, /page/, '?page=0');
  });
});

describe('a request posted through Open311 walks the work-order lifecycle', () => {
  it('appears as a work order, is dispatched, signed, replied and surveyed, and reads back through Open311', async () => {
    const posted = await post('.json', { ...base(), first_name: '芳', last_name: '李', phone: '13611112222', description: '东华门大街工地夜间施工' });
    const id = posted.json[0].service_request_id as string;
    const read = async () => (await raw(t.platform, 'GET', `${V2}/requests/${id}.json`)).json[0];

    // The work order, created by the open311 system user, with the citizen's data for staff.
    const list = await t.users.dispatcher.get(`/api/v1/workorders?q=${id}`);
    expect(list.body.items).toHaveLength(1);
    const orderId = list.body.items[0].id;
    const order = (await t.users.dispatcher.get(`/api/v1/workorders/${orderId}`)).body;
    expect(order).toMatchObject({ number: id, type: 'complaint', categoryCode: 'noise-night', status: 'new', citizen: { name: '李芳', phone: '13611112222' } });
    expect(order.location).toMatchObject({ lat: 39.9163, lng: 116.3972 });
    const users = (await t.users.admin.get('/api/v1/users')).body;
    const creator = (users.items ?? users).find((u: any) => u.id === order.createdBy);
    expect(creator.username).toBe('open311');
    expect((await t.anon.post('/api/v1/auth/login', { username: 'open311', password: 'anything-at-all' })).status).toBe(401);

    let sr = await read();
    expect(sr).toMatchObject({ status: 'open', agency_responsible: null });
    expect(sr.status_notes).toBe('已受理，等待派单');
    const en = (await raw(t.platform, 'GET', `${V2}/requests/${id}.json`, { headers: { 'accept-language': 'en' } })).json[0];
    expect(en.status_notes).toBe('Received, waiting to be assigned');

    let o = (await t.users.dispatcher.post(`/api/v1/workorders/${orderId}/actions/dispatch`, { version: order.version, unitId: t.units.districtA })).body;
    sr = await read();
    expect(sr).toMatchObject({ status: 'open', agency_responsible: '东城区' });
    expect(sr.status_notes).toBe('已派至东城区办理');

    o = (await t.users.handlerA.post(`/api/v1/workorders/${orderId}/actions/sign`, { version: o.version })).body;
    expect((await read()).status_notes).toBe('东城区正在办理');

    o = (
      await t.users.handlerA.post(`/api/v1/workorders/${orderId}/actions/reply`, {
        version: o.version,
        content: '经核查，已责令施工单位夜间22点后停止施工。',
        resolved: true,
      })
    ).body;
    sr = await read();
    expect(sr).toMatchObject({ status: 'open', status_notes: '经核查，已责令施工单位夜间22点后停止施工。' });

    const before = sr.updated_datetime;
    o = (await t.users.followup.post(`/api/v1/workorders/${orderId}/actions/survey`, { version: o.version, satisfaction: 'satisfied', resolved: true })).body;
    expect(o.status).toBe('closed');
    sr = await read();
    expect(sr).toMatchObject({ status: 'closed', agency_responsible: '东城区', status_notes: '经核查，已责令施工单位夜间22点后停止施工。' });
    expect(Date.parse(sr.updated_datetime)).toBeGreaterThanOrEqual(Date.parse(before));

    const closed = parseXml((await raw(t.platform, 'GET', `${V2}/requests.xml?status=closed`)).text, ['request']);
    expect(closed.service_requests.request.map((r: any) => r.service_request_id)).toContain(id);
    const open = (await raw(t.platform, 'GET', `${V2}/requests.json?status=open`)).json;
    expect(open.map((r: any) => r.service_request_id)).not.toContain(id);
  });

  it('never publishes reports of wrongdoing; an Open311 request closed as invalid or duplicate reads closed with its reason', async () => {
    await t.users.admin.post('/api/v1/open311/services', { serviceCode: 'tip-off', serviceName: '举报', orderType: 'report' });
    const r = await post('.json', { ...base(), service_code: 'tip-off' });
    expect(r.status).toBe(201);
    await expectError('GET', `requests/${r.json[0].service_request_id}`, 404);
    const inv = (await post('.json', base())).json[0].service_request_id;
    const o = (await t.users.dispatcher.get(`/api/v1/workorders?q=${inv}`)).body.items[0];
    expect((await t.users.agent.post(`/api/v1/workorders/${o.id}/actions/close`, { version: o.version, reason: 'invalid' })).status).toBe(200);
    const closed = (await raw(t.platform, 'GET', `${V2}/requests/${inv}.json`)).json[0];
    expect(closed).toMatchObject({ status: 'closed', status_notes: '经核实不属于可受理的诉求，已办结' });
    const first = (await post('.json', base())).json[0].service_request_id;
    const dup = (await post('.json', base())).json[0].service_request_id;
    const d = (await t.users.dispatcher.get(`/api/v1/workorders?q=${dup}`)).body.items[0];
    const c = await t.users.agent.post(`/api/v1/workorders/${d.id}/actions/close`, { version: d.version, reason: 'duplicate', duplicateOf: first });
    expect(c.status).toBe(200);
    expect((await raw(t.platform, 'GET', `${V2}/requests.json?service_request_id=${dup}&status=closed`)).json[0]).toMatchObject({
      status: 'closed',
      status_notes: `与诉求 ${first} 合并办理，已办结`,
    });
  });
});

describe('staff API', () => {
  it('lets only admins manage services and keys, and validates services', async () => {
    expect((await t.users.agent.post('/api/v1/open311/keys', { name: 'x' })).status).toBe(403);
    expect((await t.users.agent.post('/api/v1/open311/services', { serviceCode: 'x', serviceName: 'x' })).status).toBe(403);
    expect((await t.anon.get('/api/v1/open311/services')).status).toBe(401);
    expect((await t.users.admin.post('/api/v1/open311/services', { serviceCode: 'road-pothole', serviceName: 'dup' })).status).toBe(409);
    const noValues = await t.users.admin.post('/api/v1/open311/services', {
      serviceCode: 'bad-list',
      serviceName: '列表',
      attributes: [{ code: 'a', datatype: 'singlevaluelist' }],
    });
    expect(noValues.status).toBe(400);
    const patched = await t.users.admin.patch('/api/v1/open311/services/noise-night', { serviceName: '夜间施工噪音扰民', keywords: ['噪音', '施工'] });
    expect(patched.status).toBe(200);
    const s = (await raw(t.platform, 'GET', `${V2}/services.json`)).json.find((x: any) => x.service_code === 'noise-night');
    expect(s).toMatchObject({ service_name: '夜间施工噪音扰民', keywords: '噪音,施工' });
    expect((await t.users.admin.patch('/api/v1/open311/services/nope', { serviceName: 'x' })).status).toBe(404);
    const keys = await t.users.admin.get('/api/v1/open311/keys');
    expect(keys.body.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(keys.body)).not.toContain(t.apiKey);
  });
});
