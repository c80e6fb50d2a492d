import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent } from '../workorders/index.js';
import type { WorkOrder } from '../workorders/index.js';
import { startPlatform } from '../server.js';
import { loginAs, seedCity, testPlatform, throwawayDatabase, type Client, type TestPlatform } from '../../test/helpers.js';

let platform: TestPlatform;
let city: Awaited<ReturnType<typeof seedCity>>;
let agent: Client;
let dispatcher: Client;

// 东华门 area, about 100 m apart; a point 8 km away.
const P1 = { lat: 39.9145, lng: 116.4035 };
const P2 = { lat: 39.9152, lng: 116.4042 };
const FAR = { lat: 39.98, lng: 116.45 };

async function create(title: string, content: string, district: number, point?: { lat: number; lng: number }, citizen?: { name: string; phone: string }) {
  const r = await agent.post('/api/v1/workorders', {
    type: 'complaint',
    title,
    content,
    location: { districtUnitId: district, ...(point ?? {}) },
    ...(citizen ? { citizen } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as WorkOrder;
}

beforeAll(async () => {
  platform = await testPlatform();
  city = await seedCity(platform);
  agent = city.users.agent;
  dispatcher = city.users.dispatcher;
});
afterAll(async () => platform?.close());

describe('near-duplicate check', () => {
  let lamp: WorkOrder;
  beforeAll(async () => {
    lamp = await create('路灯不亮', '东华门街道银杏小区南门口的路灯坏了好几天，晚上一片漆黑，老人孩子出行很不安全。', city.units.districtA, P1, {
      name: '张三',
      phone: '13800001111',
    });
    await create('施工噪音扰民', '东华门街道某工地夜间施工，电钻噪音很大，严重影响居民休息。', city.units.districtA, P1);
    await create('路灯不亮', '西城区金融街小区南门口的路灯坏了好几天，晚上一片漆黑。', city.units.districtB);
  });

  it('finds the earlier order about the same problem with shared words and distance', async () => {
    const r = await agent.post('/api/v1/duplicates/check', {
      title: '小区门口路灯坏了',
      content: '银杏小区南门口路灯坏了，晚上漆黑一片，出行不安全，请尽快维修。',
      districtUnitId: city.units.districtA,
      ...P2,
    });
    expect(r.status).toBe(200);
    expect(r.body.candidates.length).toBeGreaterThanOrEqual(1);
    const top = r.body.candidates[0];
    expect(top.workorderId).toBe(lamp.id);
    expect(top.number).toBe(lamp.number);
    // The words say what, the estate says where: each in its own part of the reason.
    expect(top.reason.sharedWords).toEqual(expect.arrayContaining(['路灯']));
    expect(top.reason.sharedWords).not.toContain('银杏');
    expect([top.reason.samePlace, top.reason.sharedPlaces, top.reason.sameCaller]).toEqual([true, ['银杏小区'], false]);
    expect(top.reason.distanceM).toBeGreaterThan(50);
    expect(top.reason.distanceM).toBeLessThan(150);
    expect(top.score).toBeGreaterThan(0.4);
    // The noise complaint is about another problem; the lamp in the other district is another lamp.
    expect(r.body.candidates.map((c: any) => c.workorderId)).toEqual([lamp.id]);
  });

  it('leaves out orders far away, outside the window, or the order itself', async () => {
    const text = { title: '小区门口路灯坏了', content: '银杏小区南门口路灯坏了，晚上漆黑一片，出行不安全。', districtUnitId: city.units.districtA };
    expect((await agent.post('/api/v1/duplicates/check', { ...text, ...FAR })).body.candidates).toEqual([]);
    const before = new Date(Date.now() - 86400_000).toISOString();
    expect((await agent.post('/api/v1/duplicates/check', { ...text, at: before })).body.candidates).toEqual([]);
    expect((await agent.post('/api/v1/duplicates/check', { ...text, excludeId: lamp.id })).body.candidates).toEqual([]);
    // Without a district, every area is searched.
    const all = await agent.post('/api/v1/duplicates/check', { title: '路灯坏了', content: '小区南门口的路灯坏了好几天，晚上一片漆黑。' });
    expect(all.body.candidates.length).toBe(2);
  });

  it('is for agents and dispatchers, and rejects bad input', async () => {
    expect((await city.users.handlerA.post('/api/v1/duplicates/check', { title: 'x', content: '路灯' })).status).toBe(403);
    const half = await dispatcher.post('/api/v1/duplicates/check', { title: '', content: '路灯坏了', lat: 39.9 });
    expect(half.status).toBe(400);
    expect(half.body.error.field).toBe('lng');
    expect((await dispatcher.post('/api/v1/duplicates/check', { title: '', content: '' })).status).toBe(400);
    expect((await dispatcher.post('/api/v1/duplicates/check', { title: '', content: '。。。' })).body.candidates).toEqual([]);
  });
});

describe('what makes two reports the same problem', () => {
  const caller = { name: '刘一', phone: '13811112222' };
  const address = '东华门街道梧桐小区8号楼';
  let lid: WorkOrder;
  let noise: WorkOrder;
  let trash: WorkOrder;
  beforeAll(async () => {
    const at = (title: string, content: string, who?: { name: string; phone: string }) =>
      agent.post('/api/v1/workorders', {
        type: 'complaint',
        title,
        content,
        location: { districtUnitId: city.units.districtA, address },
        ...(who ? { citizen: who } : {}),
      });
    lid = (await at('井盖丢失', '梧桐小区8号楼楼下的窨井盖丢了，晚上路过很危险，已经有人差点掉进井里。', caller)).body;
    noise = (await at('装修噪音', '梧桐小区8号楼有住户装修，每天中午电钻噪音不断，老人没法午休。', { name: '陈二', phone: '13922223333' })).body;
    trash = (await at('垃圾没人清运', '梧桐小区8号楼门口的垃圾桶满了三天没人清运，臭味很大。', caller)).body;
    // The caller's first order was answered and closed: it is still theirs.
    expect((await agent.post(`/api/v1/workorders/${lid.id}/actions/close`, { version: 1, reason: 'answered' })).status).toBe(200);
  });

  it('offers a reworded repeat from the same caller and place, not another problem there, and lists the caller’s own orders', async () => {
    const r = await agent.post('/api/v1/duplicates/check', {
      title: '小区井盖没了',
      content: '我们梧桐小区8号楼下面井盖没有了，晚上差点有人掉进井里，太危险。',
      districtUnitId: city.units.districtA,
      address: '梧桐小区8号楼',
      phone: caller.phone,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.candidates.map((c: any) => c.number)).toEqual([lid.number]);
    const top = r.body.candidates[0];
    expect(top.status).toBe('closed');
    expect(top.reason).toMatchObject({ sameCaller: true, samePlace: true, sharedPlaces: expect.arrayContaining(['梧桐小区']) });
    expect(top.reason.sharedWords).toEqual(expect.arrayContaining(['井盖']));
    expect(top.score).toBeGreaterThanOrEqual(0.25);
    // The caller's own earlier orders, closed ones too, whatever they were about, newest first.
    expect(r.body.callerOrders.map((c: any) => [c.number, c.reason.sameCaller])).toEqual([
      [trash.number, true],
      [lid.number, true],
    ]);
    expect(JSON.stringify(r.body)).not.toContain(caller.phone);
    const { rows } = await platform.db.query("SELECT workorder_id FROM pii_access_log WHERE purpose = 'duplicates.callerOrders' ORDER BY workorder_id");
    expect(rows.map((x: any) => x.workorder_id)).toEqual([lid.id, trash.id].sort((a, b) => a - b));

    // Another caller at the same place with the same words is offered too (same problem), but
    // the noise at that building is not, nor the caller's own rubbish complaint.
    const other = await agent.post('/api/v1/duplicates/check', {
      title: '井盖丢了',
      content: '梧桐小区8号楼楼下窨井盖丢了，晚上很危险。',
      districtUnitId: city.units.districtA,
      address,
    });
    expect(other.body.candidates.map((c: any) => c.number)).toEqual([lid.number]);
    expect(other.body.callerOrders).toEqual([]);
    const ids = r.body.candidates.concat(other.body.candidates).map((c: any) => c.workorderId);
    expect(ids).not.toContain(noise.id);
    expect(ids).not.toContain(trash.id);
  });

  it('does not offer a different problem at the same place', async () => {
    const r = await agent.post('/api/v1/duplicates/check', {
      title: '楼道灯坏了',
      content: '梧桐小区8号楼楼道里的声控灯坏了一个月，晚上上下楼看不见。',
      districtUnitId: city.units.districtA,
      address,
    });
    expect(r.status).toBe(200);
    expect(r.body.candidates.map((c: any) => c.number)).toEqual([]);
  });

  it('looks an order up and links to it by the number people see; a wrong number is refused in words', async () => {
    const found = await agent.get(`/api/v1/duplicates/lookup?number=${lid.number}`);
    expect(found.status).toBe(200);
    expect([found.body.workorderId, found.body.number, found.body.status]).toEqual([lid.id, lid.number, 'closed']);
    const missing = await agent.request('GET', '/api/v1/duplicates/lookup?number=2099010199999', undefined, { 'accept-language': 'zh-CN' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('找不到工单 2099010199999');
    const en = await agent.request('GET', '/api/v1/duplicates/lookup?number=2099010199999', undefined, { 'accept-language': 'en' });
    expect(en.body.error.message).toMatch(/2099010199999/);
    const bad = await agent.get('/api/v1/duplicates/lookup?number=12ab');
    expect([bad.status, bad.body.error.field]).toEqual([400, 'number']);
    expect((await city.users.handlerA.get(`/api/v1/duplicates/lookup?number=${lid.number}`)).status).toBe(403);

    // The caller's repeat, recorded as an order, merged into the first by numbers.
    const again = (
      await agent.post('/api/v1/workorders', {
        type: 'complaint',
        title: '井盖还没补上',
        content: '梧桐小区8号楼楼下井盖还是没有，很危险。',
        location: { districtUnitId: city.units.districtA, address },
        citizen: caller,
      })
    ).body as WorkOrder;
    const wrong = await agent.post('/api/v1/duplicates/merge', { mainId: '2099010199999', duplicateIds: [again.number] });
    expect([wrong.status, wrong.body.error.message]).toEqual([404, '找不到工单 2099010199999']);
    const m = await agent.post('/api/v1/duplicates/merge', { mainId: lid.number, duplicateIds: [` ${again.number} `] });
    expect(m.status, JSON.stringify(m.body)).toBe(200);
    expect(m.body.merges.map((x: any) => [x.duplicateId, x.mode])).toEqual([[again.id, 'closed']]);
    const closed = (await agent.get(`/api/v1/workorders/${again.id}`)).body;
    expect([closed.closeReason, closed.duplicateOf]).toEqual(['duplicate', lid.id]);
  });
});

describe('repeats and merges', () => {
  it('adds a repeat caller, masked for roles without access to personal data', async () => {
    const o = await create('垃圾清运不及时', '东华门街道槐树胡同垃圾桶满了三天没人清运，气味很大。', city.units.districtA, P1, {
      name: '李四',
      phone: '13900002222',
    });
    const r = await agent.post(`/api/v1/workorders/${o.id}/repeats`, { name: '王小明', phone: '13700003333', note: '同一问题再次来电' });
    expect(r.status).toBe(201);
    expect(r.body.items.map((c: any) => [c.source, c.name, c.phone])).toEqual([
      ['order', '李四', '13900002222'],
      ['repeat', '王小明', '13700003333'],
    ]);
    expect((await agent.post(`/api/v1/workorders/${o.id}/repeats`, { note: 'nobody' })).status).toBe(400);
    expect((await city.users.supervisor.post(`/api/v1/workorders/${o.id}/repeats`, { phone: '13700003333' })).status).toBe(403);
    const masked = await city.users.supervisor.get(`/api/v1/workorders/${o.id}/callers`);
    expect(masked.body.items.map((c: any) => c.phone)).toEqual(['139****2222', '137****3333']);
    expect(masked.body.items[1].name).toBe('王**');
    // A unit sees callers of its own orders only.
    expect((await city.users.handlerB.get(`/api/v1/workorders/${o.id}/callers`)).status).toBe(404); // another unit’s order: as if missing
    const { rows } = await platform.db.query("SELECT 1 FROM pii_access_log WHERE workorder_id = $1 AND purpose = 'duplicates.callers'", [o.id]);
    expect(rows.length).toBe(1); // the agent's unmasked read, not the supervisor's
    const hist = await agent.get(`/api/v1/workorders/${o.id}/duplicates`);
    expect(hist.body.events.map((e: any) => e.type)).toEqual(['repeat_added']);
  });

  it('merges duplicates: new ones closed as duplicate, dispatched ones linked; every caller on the main order; undo', async () => {
    const main = await create('下水道堵塞', '东华门街道柳荫小区3号楼下水道堵塞，污水外溢。', city.units.districtA, P1, { name: '赵一', phone: '13600000001' });
    const dupNew = await create('下水道堵了', '柳荫小区3号楼下水道堵塞污水冒出来。', city.units.districtA, P2, { name: '钱二', phone: '13600000002' });
    const dupSent = await create('污水外溢', '柳荫小区下水道堵塞，污水流到路上。', city.units.districtA, P2, { name: '孙三', phone: '13600000003' });
    await agent.post(`/api/v1/workorders/${dupNew.id}/repeats`, { name: '周四', phone: '13600000004' });
    const d = await dispatcher.post(`/api/v1/workorders/${dupSent.id}/actions/dispatch`, { version: 1, unitId: city.units.districtA });
    expect(d.status).toBe(200);

    // The agent sees both as candidates first.
    const check = await agent.post('/api/v1/duplicates/check', {
      title: '下水道堵塞',
      content: '柳荫小区3号楼下水道堵塞，污水外溢。',
      districtUnitId: city.units.districtA,
      excludeId: main.id,
    });
    expect(check.body.candidates.map((c: any) => c.workorderId).sort()).toEqual([dupNew.id, dupSent.id].sort());

    expect((await agent.post('/api/v1/duplicates/merge', { mainId: main.id, duplicateIds: [main.id] })).status).toBe(400);
    expect((await agent.post('/api/v1/duplicates/merge', { mainId: main.id, duplicateIds: [999999] })).status).toBe(404);
    expect((await city.users.handlerA.post('/api/v1/duplicates/merge', { mainId: main.id, duplicateIds: [dupNew.id] })).status).toBe(403);

    const m = await dispatcher.post('/api/v1/duplicates/merge', { mainId: main.id, duplicateIds: [dupNew.id, dupSent.id] });
    expect(m.status, JSON.stringify(m.body)).toBe(200);
    expect(m.body.merges.map((x: any) => [x.duplicateId, x.mode])).toEqual([
      [dupNew.id, 'closed'],
      [dupSent.id, 'linked'],
    ]);

    const closed = (await dispatcher.get(`/api/v1/workorders/${dupNew.id}`)).body;
    expect([closed.status, closed.closeReason, closed.duplicateOf]).toEqual(['closed', 'duplicate', main.id]);
    expect((await dispatcher.get(`/api/v1/workorders/${dupSent.id}`)).body.status).toBe('dispatched');

    const callers = (await dispatcher.get(`/api/v1/workorders/${main.id}/callers`)).body.items;
    expect(callers.map((c: any) => c.phone).sort()).toEqual(['13600000001', '13600000002', '13600000003', '13600000004']);

    const again = await dispatcher.post('/api/v1/duplicates/merge', { mainId: main.id, duplicateIds: [dupSent.id] });
    expect([again.status, again.body.error.code]).toEqual([409, 'already_merged']);
    const chain = await dispatcher.post('/api/v1/duplicates/merge', { mainId: dupNew.id, duplicateIds: [main.id] });
    expect(chain.status).toBe(409);

    const mainHist = (await dispatcher.get(`/api/v1/workorders/${main.id}/duplicates`)).body;
    expect(mainHist.events.map((e: any) => [e.type, e.otherId])).toEqual([
      ['merged_in', dupNew.id],
      ['merged_in', dupSent.id],
    ]);
    const dupHist = (await dispatcher.get(`/api/v1/workorders/${dupSent.id}/duplicates`)).body;
    expect(dupHist.events.map((e: any) => [e.type, e.otherId])).toEqual([['merged_into', main.id]]);

    // Undo the merge of the closed one: it is new again, its callers leave the main order.
    const mergeNew = m.body.merges[0].mergeId;
    const u = await agent.post(`/api/v1/duplicates/merges/${mergeNew}/undo`, {});
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    const reopened = (await dispatcher.get(`/api/v1/workorders/${dupNew.id}`)).body;
    expect([reopened.status, reopened.closeReason, reopened.duplicateOf, reopened.closedAt]).toEqual(['new', null, null, null]);
    const events = (await dispatcher.get(`/api/v1/workorders/${dupNew.id}/events`)).body.items;
    expect(events.map((e: any) => e.type)).toEqual(['created', 'closed', 'unmerged']);
    const { deadlines: _d, allowedActions: _a, areas: _r, ...projection } = reopened; // deadlines and areas come from the time-limit and areas modules' views
    expect(events.reduce((s: WorkOrder | null, e: any) => applyEvent(s, e, dupNew.id), null)).toEqual(projection);
    const after = (await dispatcher.get(`/api/v1/workorders/${main.id}/callers`)).body.items;
    expect(after.map((c: any) => c.phone).sort()).toEqual(['13600000001', '13600000003']);
    expect((await agent.post(`/api/v1/duplicates/merges/${mergeNew}/undo`, {})).status).toBe(409);
    // Undo the linked one: the link is gone, the order goes on with its unit.
    const u2 = await agent.post(`/api/v1/duplicates/merges/${m.body.merges[1].mergeId}/undo`, {});
    expect(u2.status).toBe(200);
    expect((await dispatcher.get(`/api/v1/workorders/${main.id}/callers`)).body.items.length).toBe(1);
    expect((await dispatcher.get(`/api/v1/workorders/${dupSent.id}/duplicates`)).body.events.map((e: any) => e.type)).toEqual(['merged_into', 'unmerged_from']);
    expect((await agent.post('/api/v1/duplicates/merges/999999/undo', {})).status).toBe(404);
    // Once undone, it can be merged again (into the right order).
    expect((await dispatcher.post('/api/v1/duplicates/merge', { mainId: main.id, duplicateIds: [dupNew.id] })).status).toBe(200);
  });

  it('records the link when an order is closed as duplicate with the work-order action', async () => {
    const a = await create('占道经营', '东华门街道菜市场门口商贩占道经营，堵塞交通。', city.units.districtA);
    const b = await create('占道经营', '菜市场门口商贩占道经营堵路。', city.units.districtA, undefined, { name: '吴五', phone: '13500000005' });
    const r = await agent.post(`/api/v1/workorders/${b.id}/actions/close`, { version: 1, reason: 'duplicate', duplicateOf: a.id });
    expect(r.status).toBe(200);
    const hist = (await agent.get(`/api/v1/workorders/${a.id}/duplicates`)).body;
    expect(hist.merges.map((m: any) => [m.duplicateId, m.mode])).toEqual([[b.id, 'closed']]);
    expect((await agent.get(`/api/v1/workorders/${a.id}/callers`)).body.items.map((c: any) => c.phone)).toEqual(['13500000005']);
  });
});

describe('hot topics', () => {
  it('clusters similar orders with trend, areas, samples and a spike alert', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { id } = await create(
        `共享单车乱停放${i}`,
        `东华门街道地铁站出口共享单车乱停放，堵住人行道，行人无法通过（第${i + 1}次反映）。`,
        i < 4 ? city.units.districtA : city.units.districtB,
      );
      ids.push(id);
    }
    // One of them has gone to its unit: the drill-down names the unit.
    const sent = ids[1]!;
    expect((await dispatcher.post(`/api/v1/workorders/${sent}/actions/dispatch`, { version: 1, unitId: city.units.districtA })).status).toBe(200);
    const isBikes = (c: any) => c.workorderIds.includes(ids[0]);
    const from = new Date(Date.now() - 3 * 86400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const r = await city.users.supervisor.get(`/api/v1/hotspots?from=${from}&to=${to}&minSize=3`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const bikes = r.body.items.find(isBikes);
    expect(bikes.size).toBe(5);
    expect(bikes.workorderIds.sort()).toEqual(ids.sort());
    expect(bikes.words).toEqual(expect.arrayContaining(['停放', '人行道']));
    // Named by the title of its most representative order, the words kept beside it.
    expect(bikes.name).toMatch(/^共享单车乱停放[0-4]$/);
    expect(ids).toContain(bikes.representativeId);
    expect(bikes.areas).toEqual([
      { districtUnitId: city.units.districtA, name: '东城区', count: 4 },
      { districtUnitId: city.units.districtB, name: '西城区', count: 1 },
    ]);
    expect(bikes.trend.length).toBeGreaterThanOrEqual(3);
    expect(bikes.trend.at(-1).count).toBe(5);
    expect(bikes.samples.length).toBe(3);
    // The drill-down names each order by its number, with its state and time filled in.
    const numbers = new Map<number, string>();
    for (const id of ids) numbers.set(id, (await city.users.supervisor.get(`/api/v1/workorders/${id}`)).body.number);
    expect(bikes.orders).toHaveLength(5);
    for (const o of [...bikes.orders, ...bikes.samples]) {
      expect(o.number).toBe(numbers.get(o.workorderId));
      expect([o.status, o.unitName]).toEqual(o.workorderId === sent ? ['dispatched', '东城区'] : ['new', null]);
      expect(Date.parse(o.createdAt)).toBeGreaterThan(Date.now() - 3600_000);
    }
    expect(bikes.spike.alert).toBe(true);
    expect(r.body.alerts).toBeGreaterThanOrEqual(1);
    // A higher threshold silences the alert; a district filter narrows the cluster.
    const calm = await city.users.supervisor.get(`/api/v1/hotspots?from=${from}&to=${to}&minSize=3&spikeMin=10`);
    expect(calm.body.items.find(isBikes).spike.alert).toBe(false);
    const west = await city.users.supervisor.get(`/api/v1/hotspots?from=${from}&to=${to}&minSize=3&district=${city.units.districtB}`);
    expect(west.body.items.find(isBikes)).toBeUndefined();
    expect((await city.users.handlerA.get('/api/v1/hotspots')).status).toBe(403);
    expect((await city.users.supervisor.get(`/api/v1/hotspots?from=${to}&to=${from}`)).status).toBe(400);
  });
});

describe('jiesu duplicates reindex', () => {
  it('builds signatures for orders that have none, with one clear line for bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-dup-'));
    const tmp = await throwawayDatabase();
    const where = tmp ? ['--database-url', tmp.url] : ['--data', join(dir, 'db')];
    const run = promisify(execFile);
    const env = { ...process.env, DATABASE_URL: '' };
    try {
      // Orders from before this module (or bulk-loaded): no signatures yet.
      const p = await startPlatform({ databaseUrl: tmp?.url, dataDir: tmp ? undefined : join(dir, 'db'), adminPassword: 'admin-pass-123' });
      try {
        const admin = await loginAs(p, 'admin', 'admin-pass-123');
        const center = (await admin.post('/api/v1/units', { name: '热线中心', kind: 'bureau' })).body.id;
        await admin.post('/api/v1/users', { username: 'a1', password: 'password-123', displayName: 'a1', unitId: center, roles: ['agent'] });
        const a1 = await loginAs(p, 'a1', 'password-123');
        for (let i = 0; i < 12; i++) await a1.post('/api/v1/workorders', { type: 'request', title: `路灯不亮${i}`, content: '小区门口路灯坏了。' });
        await p.db.query('DELETE FROM dup_signatures WHERE workorder_id % 4 <> 0');
      } finally {
        await p.close();
      }
      const r = await run('node', ['bin/jiesu.js', 'duplicates', 'reindex', ...where], { env });
      expect(r.stdout).toMatch(/indexed\) 9 orders/);
      const all = await run('node', ['bin/jiesu.js', 'duplicates', 'reindex', '--all', ...where], { env });
      expect(all.stdout).toMatch(/indexed\) 12 orders/);
      const bad = await run('node', ['bin/jiesu.js', 'duplicates', 'reindex', '--bogus'], { env }).catch((e) => e);
      expect(bad.code).toBe(1);
      expect(bad.stderr.trim().split('\n')[0]).toMatch(/unknown option/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await tmp?.drop();
    }
  }, 60_000);
});
