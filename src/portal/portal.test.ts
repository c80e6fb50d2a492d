// The citizen portal and open data, through the public HTTP API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open311City, raw } from '../open311/testkit.bench.js';
import { defaultConfig } from '../core/context.js';

let t: Awaited<ReturnType<typeof open311City>>;
beforeAll(async () => {
  t = await open311City();
});
afterAll(async () => t?.platform.close());

const PNG = 'data:image/png;base64,' + Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]).toString('base64');

async function challenge(ip = '10.0.0.1') {
  const r = await raw(t.platform, 'GET', '/api/v1/portal/challenge', { ip });
  expect(r.status).toBe(200);
  const m = /^(\d+) ([+-]) (\d+) = \?$/.exec(r.json.question)!;
  const answer = m[2] === '+' ? Number(m[1]) + Number(m[3]) : Number(m[1]) - Number(m[3]);
  return { challengeToken: r.json.token as string, challengeAnswer: String(answer) };
}

let ipSeq = 0;
async function submit(body: Record<string, unknown> = {}, ip = `10.1.0.${++ipSeq}`) {
  return raw(t.platform, 'POST', '/api/v1/portal/requests', {
    ip,
    json: {
      categoryCode: 'noise-night',
      address: '东城区东华门大街8号',
      content: '工地夜里施工，联系我13855556666',
      phone: '139 0000 1111',
      name: '赵六',
      ...(await challenge(ip)),
      ...body,
    },
  });
}

describe('portal: submit and track', () => {
  it('creates an order and tracks it by number and query code without personal data or staff names', async () => {
    const r = await submit({ photos: [PNG], lat: 39.91, lng: 116.39 });
    expect(r.status).toBe(201);
    expect(r.json.number).toMatch(/^\d{13}$/);
    expect(r.json.queryCode).toMatch(/^[A-Z2-9]{10}$/);
    const { number, queryCode } = r.json;

    const o = (await t.users.dispatcher.get(`/api/v1/workorders?q=${number}`)).body.items[0];
    expect(o).toMatchObject({ categoryCode: 'noise-night', type: 'complaint', status: 'new' });
    const full = (await t.users.dispatcher.get(`/api/v1/workorders/${o.id}`)).body;
    expect(full.citizen).toEqual({ name: '赵六', phone: '13900001111' });

    // Staff see the photo among the order's files; handlers of another district may not.
    const photos = await t.users.dispatcher.get(`/api/v1/workorders/${o.id}/attachments`);
    expect(photos.body.items).toMatchObject([{ name: '市民照片-1.png', contentType: 'image/png', uploadedBy: null }]);
    const photoUrl = `/api/v1/workorders/${o.id}/attachments/${photos.body.items[0].id}`;
    const img = await t.platform.app.inject({ method: 'GET', url: photoUrl, headers: { authorization: `Bearer ${t.users.dispatcher.token}` } });
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.rawPayload.equals(Buffer.from(PNG.split(',')[1]!, 'base64'))).toBe(true);
    expect((await t.anon.get(photoUrl)).status).toBe(401);

    const d = (await t.users.dispatcher.post(`/api/v1/workorders/${o.id}/actions/dispatch`, { version: o.version, unitId: t.units.districtA })).body;
    expect((await t.users.handlerB.get(`/api/v1/workorders/${o.id}/attachments`)).status).toBe(404); // another unit’s order: as if missing
    await t.users.handlerA.post(`/api/v1/workorders/${o.id}/actions/sign`, { version: d.version });

    const tr = await raw(t.platform, 'GET', `/api/v1/portal/requests/${number}?code=${queryCode}`, { ip: '10.2.0.1' });
    expect(tr.status).toBe(200);
    expect(tr.json).toMatchObject({ number, status: 'accepted', category: '夜间施工噪音', canRate: false, replies: [] });
    expect(tr.json.timeline.map((e: any) => e.text)).toEqual([
      expect.stringContaining('受理'),
      expect.stringContaining('东城区'),
      expect.stringContaining('签收'),
    ]);
    for (const secret of ['赵六', '13900001111', '13855556666', 'dispatcher1', 'handler_a', 'portal']) expect(tr.text).not.toContain(secret);
    // Lower-case code works; a wrong code looks like an unknown number.
    expect((await raw(t.platform, 'GET', `/api/v1/portal/requests/${number}?code=${queryCode.toLowerCase()}`, { ip: '10.2.0.1' })).status).toBe(200);
    expect((await raw(t.platform, 'GET', `/api/v1/portal/requests/${number}?code=WRONGCODE1`, { ip: '10.2.0.1' })).status).toBe(404);
    expect((await raw(t.platform, 'GET', `/api/v1/portal/requests/20000101000001?code=${queryCode}`, { ip: '10.2.0.1' })).status).toBe(404);
  });

  it('checks the challenge, the category and the photos', async () => {
    const wrong = await submit({ challengeAnswer: '999' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.field).toBe('challengeAnswer');
    const c = await challenge();
    expect((await submit(c)).status).toBe(201);
    expect((await submit(c)).json.error.field).toBe('challengeAnswer'); // used once only
    expect((await submit({ challengeToken: c.challengeToken.slice(0, -2) + 'xx' })).status).toBe(400);
    expect((await submit({ categoryCode: 'no-such' })).status).toBe(400);
    expect((await submit({ photos: ['data:image/png;base64,' + Buffer.from('not a png').toString('base64')] })).json.error.field).toBe('photos.0');
    expect((await submit({ photos: ['data:image/gif;base64,R0lGOD'] })).status).toBe(400);
    expect((await submit({ photos: [PNG, PNG, PNG, PNG] })).status).toBe(400);
    expect((await submit({ lat: 39.9 })).status).toBe(400);
    // A number the center cannot call back: 7 digits with no area code, or too short for a mobile.
    for (const phone of ['6512345', '138001380', '23456789012']) {
      const bad = await submit({ phone });
      expect(bad.status).toBe(400);
      expect(bad.json.error.field).toBe('phone');
    }
    for (const phone of ['010-6512-3456', '+86 139 0000 2222', '0771 5512345'])
      expect((await submit({ phone, content: `固话也可以 ${phone}` })).status).toBe(201);
  });

  it('rate-limits per IP and per phone', async () => {
    // Every submission from one IP counts, even a failed one: the 11th in an hour is refused.
    for (let i = 0; i < 10; i++) expect((await submit({ challengeAnswer: '999' }, '10.9.9.9')).status).toBe(400);
    expect((await submit({}, '10.9.9.9')).status).toBe(429);
    // Five a day per phone number, whatever the IP or formatting.
    for (let i = 0; i < 5; i++) expect((await submit({ phone: i % 2 ? '137-0000-2222' : '13700002222' })).status).toBe(201);
    const sixth = await submit({ phone: '13700002222' });
    expect(sixth.status).toBe(429);
    expect(sixth.json.error.code).toBe('rate_limited');
  });
});

describe('portal: rating', () => {
  async function replied(content = '已协调施工单位整改。') {
    const { number, queryCode } = (await submit()).json;
    let o = (await t.users.dispatcher.get(`/api/v1/workorders?q=${number}`)).body.items[0];
    o = (await t.users.dispatcher.post(`/api/v1/workorders/${o.id}/actions/dispatch`, { version: o.version, unitId: t.units.districtA })).body;
    o = (await t.users.handlerA.post(`/api/v1/workorders/${o.id}/actions/sign`, { version: o.version })).body;
    return {
      number,
      queryCode,
      o,
      reply: () => t.users.handlerA.post(`/api/v1/workorders/${o.id}/actions/reply`, { version: o.version, content, resolved: true }),
    };
  }
  const rateIt = (number: string, body: object) => raw(t.platform, 'POST', `/api/v1/portal/requests/${number}/rating`, { json: body, ip: '10.3.0.1' });

  it('is allowed once after a reply, and closes the order as its survey', async () => {
    const x = await replied();
    const early = await rateIt(x.number, { code: x.queryCode, satisfaction: 'satisfied', resolved: true });
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe('not_replied');
    expect((await x.reply()).status).toBe(200);
    const tr = await raw(t.platform, 'GET', `/api/v1/portal/requests/${x.number}?code=${x.queryCode}`, { ip: '10.3.0.1' });
    expect(tr.json).toMatchObject({ status: 'replied', canRate: true, replies: [{ content: '已协调施工单位整改。', resolved: true }] });

    expect((await rateIt(x.number, { code: 'WRONGCODE1', satisfaction: 'satisfied', resolved: true })).status).toBe(404);
    const ok = await rateIt(x.number, { code: x.queryCode, satisfaction: 'basically_satisfied', resolved: true });
    expect(ok.status).toBe(200);
    const order = (await t.users.dispatcher.get(`/api/v1/workorders/${x.o.id}`)).body;
    expect(order).toMatchObject({ status: 'closed', survey: { satisfaction: 'basically_satisfied', resolved: true } });
    const again = await rateIt(x.number, { code: x.queryCode, satisfaction: 'unsatisfied', resolved: false });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('already_rated');
    const after = await raw(t.platform, 'GET', `/api/v1/portal/requests/${x.number}?code=${x.queryCode}`, { ip: '10.3.0.1' });
    expect(after.json).toMatchObject({ status: 'closed', canRate: false, rating: { satisfaction: 'basically_satisfied' } });
  });

  it('reopens the order when the citizen is not satisfied', async () => {
    const x = await replied();
    await x.reply();
    expect((await rateIt(x.number, { code: x.queryCode, satisfaction: 'unsatisfied', resolved: false })).status).toBe(200);
    // With the survey's default (JIESU_REOPEN_TO_SAME_UNIT) the reopened order goes straight back to its unit.
    const status = defaultConfig.survey.reopenToSameUnit ? 'dispatched' : 'reopened';
    expect((await t.users.dispatcher.get(`/api/v1/workorders/${x.o.id}`)).body).toMatchObject({ status, reopenCount: 1 });
  });
});

describe('open data', () => {
  it('publishes monthly counts by category, district and unit with small counts suppressed, as JSON and CSV', async () => {
    // Five pothole orders through the whole lifecycle in district A, two noise orders left open.
    const orders: any[] = [];
    for (let i = 0; i < 5; i++) {
      let o = (
        await t.users.agent.post('/api/v1/workorders', {
          type: 'request',
          title: `坑洼 ${i}`,
          content: '路面坑洼',
          categoryCode: 'road-pothole',
          location: { districtUnitId: t.units.districtA },
        })
      ).body;
      o = (await t.users.dispatcher.post(`/api/v1/workorders/${o.id}/actions/dispatch`, { version: o.version, unitId: t.units.bureau })).body;
      orders.push(o);
    }
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
      .format(new Date(orders[0].createdAt))
      .slice(0, 7);
    const r = await raw(t.platform, 'GET', `/api/v1/opendata/monthly?month=${month}`);
    expect(r.status).toBe(200);
    const pothole = r.json.byCategory.find((c: any) => c.key === 'road-pothole');
    expect(pothole).toMatchObject({ name: '道路坑洼', received: 5, closed: 0, avgHandlingHours: null, satisfactionRate: null });
    const bureau = r.json.byUnit.find((u: any) => u.name === '市住房和城乡建设委员会');
    expect(bureau.received).toBe(5);
    expect(r.json.byDistrict.find((d: any) => d.name === '东城区').received).toBe(5);
    // The portal and Open311 requests of the other tests: fewer than five without a district.
    const unitA = r.json.byUnit.find((u: any) => u.name === '东城区');
    expect(unitA.received).toBe('<5');
    expect(r.json.totals.received).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(r.json)).not.toMatch(/赵六|1390000|dispatcher1/);

    expect((await raw(t.platform, 'GET', '/api/v1/opendata/monthly?month=2024-13')).status).toBe(400);
    expect((await raw(t.platform, 'GET', '/api/v1/opendata/monthly')).status).toBe(400);

    const past = await raw(t.platform, 'GET', '/api/v1/opendata/monthly?month=2020-01&format=csv');
    expect(past.status).toBe(200);
    expect(past.type).toContain('text/csv');
    const lines = past.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('month,dimension,key,name,received,closed,avg_handling_hours,satisfaction_rate');
    expect(lines[1]).toMatch(/^2020-01,total,all,/);
    const csv = await raw(t.platform, 'GET', `/api/v1/opendata/monthly?month=${month}&format=csv`);
    expect(csv.text).toContain(`${month},category,road-pothole,道路坑洼,5,0,,`);
  });

  it('gives rates and averages once five orders are closed and surveyed', async () => {
    // A month computed in a fresh cache window: walk five orders to closed.
    for (let i = 0; i < 5; i++) {
      let o = (await t.users.agent.post('/api/v1/workorders', { type: 'request', title: `井盖 ${i}`, content: '井盖缺失', categoryCode: 'manhole' })).body;
      o = (await t.users.dispatcher.post(`/api/v1/workorders/${o.id}/actions/dispatch`, { version: o.version, unitId: t.units.districtB })).body;
      o = (await t.users.handlerB.post(`/api/v1/workorders/${o.id}/actions/sign`, { version: o.version })).body;
      o = (await t.users.handlerB.post(`/api/v1/workorders/${o.id}/actions/reply`, { version: o.version, content: '已补装', resolved: true })).body;
      await t.users.followup.post(`/api/v1/workorders/${o.id}/actions/survey`, {
        version: o.version,
        satisfaction: i < 4 ? 'satisfied' : 'unsatisfied',
        resolved: i < 4,
      });
    }
    await t.platform.db.query('DELETE FROM opendata_monthly'); // the cache of the previous test
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
    const r = await raw(t.platform, 'GET', `/api/v1/opendata/monthly?month=${month}`);
    const manhole = r.json.byCategory.find((c: any) => c.key === 'manhole');
    // Four closed (the unsatisfied one is reopened); five surveyed, four satisfied.
    expect(manhole).toMatchObject({ received: 5, closed: '<5', avgHandlingHours: null, satisfactionRate: 0.8 });
    const west = r.json.byUnit.find((u: any) => u.name === '西城区');
    expect(west.satisfactionRate).toBe(0.8);
  });
});
