// Replays what a FixMyStreet install sends to an Open311 endpoint (perllib/Open311.pm: every call
// with .xml, jurisdiction_id on each, api_key on POSTs and on the updates list), and the updates
// extension both ways: what happened to a request, and a citizen's comment onto the order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open311City, parseXml, raw } from './testkit.bench.js';

const V2 = '/open311/v2';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);

let t: Awaited<ReturnType<typeof open311City>>;
beforeAll(async () => {
  t = await open311City();
  // The pothole service marks an attribute FixMyStreet fills from its own data.
  const def = (await t.users.admin.get('/api/v1/open311/services')).body.items.find((s: any) => s.serviceCode === 'road-pothole');
  const r = await t.users.admin.patch('/api/v1/open311/services/road-pothole', {
    attributes: [...def.attributes, { code: 'asset_id', datatype: 'string', required: true, automated: 'server_set', description: '设施编号', order: 4 }],
  });
  expect(r.status).toBe(200);
});
afterAll(async () => t?.platform.close());

/** A multipart/form-data body as LWP builds it: fields (repeated for lists) then files. */
function multipart(fields: [string, string][], files: { field: string; name: string; type: string; data: Buffer }[]) {
  const boundary = 'xYzZY' + Date.now();
  const parts: Buffer[] = [];
  for (const [k, v] of fields) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`));
    parts.push(f.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

async function postMultipart(path: string, fields: [string, string][], files: Parameters<typeof multipart>[1]) {
  const m = multipart(fields, files);
  const res = await t.platform.app.inject({ method: 'POST', url: `${V2}/${path}`, headers: { 'content-type': m.type }, payload: m.payload });
  return { status: res.statusCode, text: res.body };
}

const orderOf = async (number: string) => (await t.users.dispatcher.get(`/api/v1/workorders?q=${number}`)).body.items[0];

describe('a FixMyStreet install, call by call', () => {
  it('reads the services, a definition, sends a request with its extras, reads it back and exchanges updates', async () => {
    const j = 'jurisdiction_id=fixmystreet.example';
    // 1. Service list and definitions (populate-service-list).
    const list = parseXml((await raw(t.platform, 'GET', `${V2}/services.xml?${j}`)).text, ['service']);
    const names = list.services.service.map((s: any) => s.service_name);
    expect(new Set(names).size).toBe(names.length);
    const def = parseXml((await raw(t.platform, 'GET', `${V2}/services/road-pothole.xml?${j}`)).text, ['attribute', 'value']);
    const asset = def.service_definition.attributes.attribute.find((a: any) => a.code === 'asset_id');
    expect(asset).toMatchObject({ automated: 'server_set', required: 'true' });

    // 2. The request, with what FixMyStreet adds: its own id, easting/northing, UPRN, two photos, a UK phone.
    const form: Record<string, string | string[]> = {
      api_key: t.apiKey,
      jurisdiction_id: 'fixmystreet.example',
      service_code: 'road-pothole',
      description: 'title: Pothole on Main St\n\ndetail: Deep hole\n\nurl: https://fms.example/report/77\n\nSubmitted via FixMyStreet\n',
      first_name: 'Jane',
      last_name: 'Citizen',
      email: 'jane@example.org',
      phone: '(01632) 960123',
      lat: '39.9163',
      long: '116.3972',
      media_url: ['https://fms.example/photo/77.0.full.jpeg', 'https://fms.example/photo/77.1.full.jpeg'],
      'attribute[size]': 'large',
      'attribute[fixmystreet_id]': '77',
      'attribute[easting]': '530000',
      'attribute[northing]': '180000',
      'attribute[uprn]': '10001234567',
    };
    const posted = await raw(t.platform, 'POST', `${V2}/requests.xml`, { form });
    expect(posted.status).toBe(201);
    const created = parseXml(posted.text, ['request']).service_requests.request[0];
    expect(created.service_request_id).toMatch(/^\d{13}$/);
    expect(created.token).toBeUndefined();
    const id = created.service_request_id as string;

    // Staff see the citizen as written, the phone as given, and every extra attribute.
    const summary = await orderOf(id);
    const order = (await t.users.dispatcher.get(`/api/v1/workorders/${summary.id}`)).body;
    expect(order.citizen).toEqual({ name: 'Jane Citizen', phone: '(01632) 960123' });
    for (const x of ['fixmystreet_id: 77', 'easting: 530000', 'northing: 180000', 'uprn: 10001234567']) expect(order.content).toContain(x);
    const { rows } = await t.platform.db.query<{ media_urls: string[]; jurisdiction_id: string }>(
      'SELECT media_urls, jurisdiction_id FROM open311_requests WHERE workorder_id = $1',
      [summary.id],
    );
    expect(rows[0]).toEqual({ media_urls: form.media_url, jurisdiction_id: 'fixmystreet.example' });

    // 3. Requests by id (FixMyStreet's fetch of its reports' states).
    const byId = parseXml((await raw(t.platform, 'GET', `${V2}/requests.xml?${j}&service_request_id=${id}`)).text, ['request']);
    expect(byId.service_requests.request[0]).toMatchObject({ service_request_id: id, status: 'open', media_url: (form.media_url as string[])[0] });

    // 4. The center and the unit act; FixMyStreet reads the updates.
    let o = (await t.users.dispatcher.post(`/api/v1/workorders/${summary.id}/actions/dispatch`, { version: summary.version, unitId: t.units.districtA })).body;
    o = (await t.users.handlerA.post(`/api/v1/workorders/${summary.id}/actions/sign`, { version: o.version })).body;
    expect(
      (await t.users.handlerA.post(`/api/v1/workorders/${summary.id}/actions/reply`, { version: o.version, content: '坑已填平。', resolved: true })).status,
    ).toBe(200);
    const start = new Date(Date.now() - 3600_000).toISOString();
    const end = new Date(Date.now() + 60_000).toISOString();
    const upd = await raw(t.platform, 'GET', `${V2}/servicerequestupdates.xml?api_key=${t.apiKey}&${j}&start_date=${start}&end_date=${end}`);
    expect(upd.status).toBe(200);
    const doc = parseXml(upd.text, ['request_update']);
    const mine = doc.service_requests_updates.request_update.filter((u: any) => u.service_request_id === id);
    expect(mine.map((u: any) => u.status)).toEqual(['ACTION_SCHEDULED', 'IN_PROGRESS', 'FIXED']);
    expect(mine[2].description).toBe('坑已填平。');
    for (const u of mine) {
      expect(Object.keys(u).sort()).toEqual(['description', 'media_url', 'service_request_id', 'status', 'update_id', 'updated_datetime']);
      expect(u.updated_datetime).toMatch(/\+08:00$/);
    }
    expect(new Set(mine.map((u: any) => u.update_id)).size).toBe(3);

    // 5. A citizen's comment from FixMyStreet onto the order (post_service_request_update).
    const comment = {
      api_key: t.apiKey,
      jurisdiction_id: 'fixmystreet.example',
      updated_datetime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      service_request_id: id,
      status: 'OPEN',
      description: 'Still a hole on the north side',
      last_name: 'Citizen',
      first_name: 'Jane',
      email: 'jane@example.org',
      update_id: '9001',
      media_url: 'https://fms.example/photo/c9001.full.jpeg',
    };
    const c1 = await raw(t.platform, 'POST', `${V2}/servicerequestupdates.xml`, { form: comment });
    expect(c1.status).toBe(201);
    const ans = parseXml(c1.text, ['request_update']);
    const updateId = ans.service_request_updates.request_update[0].update_id;
    expect(updateId).toMatch(new RegExp(`^${id}-\\d+$`));
    // The same comment again (a retry) answers the same update.
    const c2 = await raw(t.platform, 'POST', `${V2}/servicerequestupdates.json`, { form: comment });
    expect(c2.json).toEqual([{ update_id: updateId }]);
    // The unit reads it in the order's history; no personal data of the commenter is kept.
    const history = (await t.users.handlerA.get(`/api/v1/workorders/${summary.id}/events`)).body;
    const events = history.items ?? history;
    const commented = events.filter((e: any) => e.type === 'citizen_commented');
    expect(commented).toHaveLength(1);
    expect(commented[0].data).toMatchObject({ content: 'Still a hole on the north side', status: 'OPEN', mediaUrls: [comment.media_url] });
    expect(JSON.stringify(commented[0])).not.toContain('jane@example.org');
    // Comments are the client's own: they are no update in the list.
    const after = await raw(t.platform, 'GET', `${V2}/servicerequestupdates.json?api_key=${t.apiKey}&service_request_id=${id}`);
    expect(after.json.map((u: any) => u.update_id)).not.toContain(updateId);
  });

  it('takes a multipart request with photos, checked like any file on an order', async () => {
    const fields: [string, string][] = [
      ['api_key', t.apiKey],
      ['service_code', 'noise-night'],
      ['description', 'Noise at night'],
      ['address_string', '东华门大街 1 号'],
      ['first_name', '小红'],
      ['last_name', '李'],
    ];
    const ok = await postMultipart('requests.xml', fields, [{ field: 'photo1', name: '1.0.full.jpeg', type: 'image/jpeg', data: JPEG }]);
    expect(ok.status).toBe(201);
    const id = parseXml(ok.text, ['request']).service_requests.request[0].service_request_id;
    const o = await orderOf(id);
    const files = (await t.users.dispatcher.get(`/api/v1/workorders/${o.id}/attachments`)).body;
    expect((files.items ?? files).map((f: any) => f.contentType)).toEqual(['image/jpeg']);
    const full = (await t.users.dispatcher.get(`/api/v1/workorders/${o.id}`)).body;
    expect(full.citizen.name).toBe('李小红');
    // A file that is not what it claims is refused, in the spec's error shape.
    const bad = await postMultipart('requests.xml', fields, [{ field: 'photo1', name: 'x.jpeg', type: 'image/jpeg', data: Buffer.from('not a jpeg') }]);
    expect(bad.status).toBe(400);
    expect(parseXml(bad.text, ['error']).errors.error[0].code).toBe('400');
    // A comment with a photo, multipart too.
    const c = await postMultipart(
      'servicerequestupdates.json',
      [
        ['api_key', t.apiKey],
        ['service_request_id', id],
        ['description', '又吵了'],
      ],
      [{ field: 'photo1', name: 'c.jpeg', type: 'image/jpeg', data: JPEG }],
    );
    expect(c.status).toBe(201);
    expect(JSON.parse(c.text)[0].update_id).toMatch(/^\d{13}-\d+$/);
  });
});

describe('servicerequestupdates rules', () => {
  it('asks for an api_key (403), a known request (404) and a window of at most 90 days', async () => {
    expect((await raw(t.platform, 'GET', `${V2}/servicerequestupdates.json`)).status).toBe(403);
    expect((await raw(t.platform, 'GET', `${V2}/servicerequestupdates.xml?api_key=o311_wrong`)).status).toBe(403);
    const long = await raw(
      t.platform,
      'GET',
      `${V2}/servicerequestupdates.json?api_key=${t.apiKey}&start_date=2024-01-01T00:00:00Z&end_date=2024-06-01T00:00:00Z`,
    );
    expect(long.status).toBe(400);
    const none = await raw(t.platform, 'POST', `${V2}/servicerequestupdates.json`, {
      form: { api_key: t.apiKey, service_request_id: '20000101099999', description: 'x' },
    });
    expect(none.status).toBe(404);
    const noKey = await raw(t.platform, 'POST', `${V2}/servicerequestupdates.json`, { form: { service_request_id: '1', description: 'x' } });
    expect(noKey.status).toBe(403);
  });

  it('maps closing reasons and returns to the extended statuses', async () => {
    const base = { api_key: t.apiKey, service_code: 'noise-night', lat: '39.9', long: '116.4', description: '施工' };
    const a = (await raw(t.platform, 'POST', `${V2}/requests.json`, { form: base })).json[0].service_request_id;
    const b = (await raw(t.platform, 'POST', `${V2}/requests.json`, { form: base })).json[0].service_request_id;
    const oa = await orderOf(a);
    expect((await t.users.agent.post(`/api/v1/workorders/${oa.id}/actions/close`, { version: oa.version, reason: 'invalid' })).status).toBe(200);
    const ob = await orderOf(b);
    const o = (await t.users.dispatcher.post(`/api/v1/workorders/${ob.id}/actions/dispatch`, { version: ob.version, unitId: t.units.districtA })).body;
    expect((await t.users.handlerA.post(`/api/v1/workorders/${ob.id}/actions/return`, { version: o.version, reason: '不属本区' })).status).toBe(200);
    const ups = (await raw(t.platform, 'GET', `${V2}/servicerequestupdates.json?api_key=${t.apiKey}&service_request_id=${a},${b}`)).json;
    expect(ups.filter((u: any) => u.service_request_id === a).map((u: any) => u.status)).toEqual(['NO_FURTHER_ACTION']);
    expect(ups.filter((u: any) => u.service_request_id === b).map((u: any) => u.status)).toEqual(['ACTION_SCHEDULED', 'NOT_COUNCILS_RESPONSIBILITY']);
  });
});

describe('jurisdictions', () => {
  it('serves several centers: an unknown jurisdiction_id is a 404, a known one shows its own requests', async () => {
    expect((await t.users.admin.put('/api/v1/open311/jurisdictions/east.example', { name: '东城中心', unitId: t.units.districtA })).status).toBe(200);
    expect((await t.users.admin.put('/api/v1/open311/jurisdictions/west.example', { name: '西城中心', unitId: t.units.districtB })).status).toBe(200);
    try {
      expect((await raw(t.platform, 'GET', `${V2}/services.json?jurisdiction_id=nowhere`)).status).toBe(404);
      expect((await raw(t.platform, 'GET', `${V2}/requests.json`)).status).toBe(400);
      const form = { api_key: t.apiKey, service_code: 'noise-night', lat: '39.9', long: '116.4', description: '西城的诉求' };
      const west = (await raw(t.platform, 'POST', `${V2}/requests.json`, { form: { ...form, jurisdiction_id: 'west.example' } })).json[0].service_request_id;
      const inWest = (await raw(t.platform, 'GET', `${V2}/requests.json?jurisdiction_id=west.example`)).json.map((r: any) => r.service_request_id);
      const inEast = (await raw(t.platform, 'GET', `${V2}/requests.json?jurisdiction_id=east.example`)).json.map((r: any) => r.service_request_id);
      expect(inWest).toContain(west);
      expect(inEast).not.toContain(west);
      expect((await raw(t.platform, 'GET', `${V2}/requests/${west}.json?jurisdiction_id=east.example`)).status).toBe(404);
    } finally {
      await t.users.admin.delete('/api/v1/open311/jurisdictions/east.example');
      await t.users.admin.delete('/api/v1/open311/jurisdictions/west.example');
    }
  });
});

describe('the catalogue', () => {
  it('keeps service names unique and keywords empty unless an admin sets them', async () => {
    const a = await t.users.admin.post('/api/v1/open311/services', { serviceCode: 'other-a', serviceName: '其他' });
    expect(a.status).toBe(201);
    const b = await t.users.admin.post('/api/v1/open311/services', { serviceCode: 'other-b', serviceName: '其他' });
    expect(b.status).toBe(409);
    expect(b.body.error.code).toBe('service_name_taken');
    const s = (await raw(t.platform, 'GET', `${V2}/services.json`)).json.find((x: any) => x.service_code === 'other-a');
    expect(s.keywords).toBe('');
  });
});
