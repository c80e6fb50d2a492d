// The order list's filters and sort, its export (CSV and Excel) and closing as a duplicate by
// order number, through the HTTP API.
import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { useCity } from '../../test/fixtures.js';
import type { Client } from '../../test/helpers.js';
import type { WorkOrder } from './model.js';

const t = useCity();
let o1: WorkOrder; // urgent complaint, 东城区, 城乡建设/市容环卫, dispatched to 东华门街道, overdue
let o2: WorkOrder; // request, 西城区, 交通, dispatched to 西城区, created 2026-11-30 23:30 city time
let o3: WorkOrder; // consultation, 东城区, 城乡建设, not dispatched, created 2026-12-01 00:30 city time

const create = async (extra: Record<string, unknown>) => {
  const r = await t.u.agent.post('/api/v1/workorders', {
    type: 'complaint',
    title: '小区门口路灯不亮',
    content: '路灯连续三天晚上不亮，老人出行不便。',
    citizen: { name: '张三', phone: '13812341234' },
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as WorkOrder;
};
const dispatch = async (o: WorkOrder, unitId: number) => {
  const r = await t.u.dispatcher.post(`/api/v1/workorders/${o.id}/actions/dispatch`, { version: o.version, unitId });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as WorkOrder;
};

beforeAll(async () => {
  const { units } = t.city;
  for (const c of [
    { code: 'T01', name: '城乡建设' },
    { code: 'T0101', name: '市容环卫', parentCode: 'T01' },
    { code: 'T02', name: '交通运输' },
  ]) {
    expect((await t.u.admin.post('/api/v1/categories', c)).status).toBe(201);
  }
  o2 = await dispatch(
    await create({ type: 'request', title: '公交站牌损坏', categoryCode: 'T02', location: { address: '西城区某路', districtUnitId: units.districtB } }),
    units.districtB,
  );
  o3 = await create({ type: 'consultation', title: '垃圾清运时间', categoryCode: 'T01', location: { address: '东城区某街', districtUnitId: units.districtA } });
  o1 = await dispatch(
    await create({ urgency: 'urgent', categoryCode: 'T0101', location: { address: '东华门街道1号', districtUnitId: units.districtA } }),
    units.streetA,
  );
  const db = t.platform.db;
  await db.query('UPDATE workorders SET created_at = $2 WHERE id = $1', [o2.id, '2026-11-30T15:30:00Z']);
  await db.query('UPDATE workorders SET created_at = $2 WHERE id = $1', [o3.id, '2026-11-30T16:30:00Z']);
  await db.query('UPDATE workorders SET created_at = $2 WHERE id = $1', [o1.id, '2026-12-02T02:00:00Z']);
  // o1's running deadlines passed an hour ago; o2's fall in the future.
  await db.query(`UPDATE order_deadlines SET due_at = now() - interval '1 hour' WHERE workorder_id = $1 AND state = 'running'`, [o1.id]);
});

const numbers = async (query: string, client: Client = t.u.dispatcher) => {
  const r = await client.get(`/api/v1/workorders?limit=100${query ? '&' + query : ''}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.items as WorkOrder[]).map((o) => o.number);
};

describe('order list filters', () => {
  it('each filter narrows the list to the orders it names', async () => {
    const { units } = t.city;
    expect(await numbers('')).toEqual([o1.number, o3.number, o2.number]);
    expect(await numbers(`district=${units.districtA}`)).toEqual([o1.number, o3.number]);
    expect(await numbers(`district=${units.districtB}`)).toEqual([o2.number]);
    // A unit includes the units below it: 东城区 covers 东华门街道.
    expect(await numbers(`unit=${units.districtA}`)).toEqual([o1.number]);
    expect(await numbers(`unit=${units.streetA}`)).toEqual([o1.number]);
    expect(await numbers(`unit=${units.districtB}`)).toEqual([o2.number]);
    expect(await numbers('urgency=urgent')).toEqual([o1.number]);
    expect(await numbers('urgency=normal')).toEqual([o3.number, o2.number]);
    expect(await numbers('overdue=true')).toEqual([o1.number]);
    expect(await numbers('overdue=false')).toEqual([o3.number, o2.number]);
    // A category includes its sub-categories, and nothing that merely shares a prefix.
    expect(await numbers('category=T01')).toEqual([o1.number, o3.number]);
    expect(await numbers('category=T0101')).toEqual([o1.number]);
    expect(await numbers('category=T02')).toEqual([o2.number]);
    expect(await numbers('category=T0')).toEqual([]);
    // Days in the city's clock: 2026-11-30 23:30 and 2026-12-01 00:30 in Beijing fall on two days.
    expect(await numbers('from=2026-12-01&to=2026-12-01')).toEqual([o3.number]);
    expect(await numbers('from=2026-11-30&to=2026-11-30')).toEqual([o2.number]);
    expect(await numbers('from=2026-12-01')).toEqual([o1.number, o3.number]);
    expect(await numbers('to=2026-12-01')).toEqual([o3.number, o2.number]);
    expect(await numbers(`from=2026-11-01&to=2026-12-31&district=${units.districtA}&urgency=normal`)).toEqual([o3.number]);
  });

  it('sorts on the server, and pages through a sorted list without losing or repeating an order', async () => {
    expect(await numbers('sort=created_at')).toEqual([o2.number, o3.number, o1.number]);
    expect(await numbers('sort=-created_at')).toEqual([o1.number, o3.number, o2.number]);
    expect((await numbers('sort=-urgency'))[0]).toBe(o1.number);
    expect((await numbers('sort=urgency'))[2]).toBe(o1.number);
    // By the running deadline: the overdue one first, the order without a deadline last either way.
    expect(await numbers('sort=deadline')).toEqual([o1.number, o2.number, o3.number]);
    expect(await numbers('sort=-deadline')).toEqual([o2.number, o1.number, o3.number]);
    // By the lifecycle's order: new before dispatched.
    expect((await numbers('sort=status'))[0]).toBe(o3.number);
    for (const sort of ['created_at', '-deadline', 'status', '-urgency']) {
      const all = await numbers(`sort=${sort}`);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const r: { status: number; body: { items: WorkOrder[]; nextCursor: string | null } } = await t.u.dispatcher.get(
          `/api/v1/workorders?limit=1&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        paged.push(...r.body.items.map((o) => o.number));
        cursor = r.body.nextCursor;
      } while (cursor);
      expect(paged, sort).toEqual(all);
    }
  });

  it('answers 400 naming the field for values it does not take', async () => {
    for (const [query, field] of [
      ['from=2026-13-01', 'from'],
      ['to=yesterday', 'to'],
      ['from=2026-12-02&to=2026-12-01', 'to'],
      ['urgency=now', 'urgency'],
      ['overdue=maybe', 'overdue'],
      ['district=abc', 'district'],
      ['unit=0', 'unit'],
      ['sort=title', 'sort'],
      ['sort=created_at&cursor=bm9wZQ', 'cursor'],
    ]) {
      const r = await t.u.dispatcher.get(`/api/v1/workorders?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error.field, query).toBe(field);
    }
  });

  it('lists only what the reader may see', async () => {
    expect(await numbers('', t.u.handlerB)).toEqual([o2.number]);
    expect(await numbers('', t.u.handlerStreetA)).toEqual([o1.number]);
    expect(await numbers('', t.u.managerA)).toEqual([o1.number]);
    expect(await numbers(`district=${t.city.units.districtA}`, t.u.handlerB)).toEqual([]);
  });
});

const download = async (client: Client, query: string, lang?: string) => {
  const res = await t.platform.app.inject({
    method: 'GET',
    url: `/api/v1/workorders/export?${query}`,
    headers: { authorization: `Bearer ${client.token}`, ...(lang ? { 'accept-language': lang } : {}) },
  });
  return res;
};

describe('export', () => {
  it('writes the filtered orders as CSV that Excel opens: BOM, Chinese headers, numbers and words, city times, masked', async () => {
    const res = await download(t.u.dispatcher, `format=csv&district=${t.city.units.districtA}&sort=created_at`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['x-total-count']).toBe('2');
    expect(decodeURIComponent(String(res.headers['content-disposition']))).toMatch(/filename\*=UTF-8''工单_\d{4}-\d{2}-\d{2}\.csv/);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parse<Record<string, string>>(res.rawPayload.toString('utf8').slice(1), { columns: true });
    expect(rows.map((r) => r['工单编号'])).toEqual([`="${o3.number}"`, `="${o1.number}"`]);
    expect(rows[0]).toMatchObject({
      标题: '垃圾清运时间',
      类型: '咨询',
      紧急程度: '一般',
      状态: '新建',
      诉求分类: '城乡建设',
      所在区: '东城区',
      承办单位: '',
      受理时间: '2026-12-01 00:30',
      是否超期: '否',
      来电人: '张*',
      来电号码: '138****1234',
    });
    expect(rows[1]).toMatchObject({
      状态: '已派单',
      紧急程度: '紧急',
      诉求分类: '城乡建设 / 市容环卫',
      承办单位: '东华门街道',
      受理时间: '2026-12-02 10:00',
      是否超期: '是',
    });
    expect(rows[1]!['办理时限']).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // Nothing internal: no ids, no ISO times, no codes.
    const text = res.rawPayload.toString('utf8');
    expect(text).not.toMatch(/T\d{2}:\d{2}:\d{2}|T0101|dispatched|urgent/);
    const audit = await t.platform.db.query(`SELECT data FROM audit_events WHERE action = 'workorders.export' ORDER BY id DESC LIMIT 1`);
    expect(audit.rows[0]!.data).toMatchObject({ format: 'csv', rows: 2 });
  });

  it('writes Excel with headers in English for an English reader, and in Chinese otherwise', async () => {
    for (const [lang, header, status] of [
      ['en-US,en;q=0.9', 'Order number', 'Dispatched'],
      [undefined, '工单编号', '已派单'],
    ] as const) {
      const res = await download(t.u.dispatcher, 'format=xlsx&urgency=urgent', lang);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-total-count']).toBe('1');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      const ws = wb.worksheets[0]!;
      expect(ws.rowCount).toBe(2);
      const head = (ws.getRow(1).values as unknown[]).slice(1);
      const row = Object.fromEntries(head.map((h, i) => [String(h), ws.getRow(2).getCell(i + 1).text]));
      expect(head[0]).toBe(header);
      expect(row[header]).toBe(o1.number);
      expect(Object.values(row)).toContain(status);
      expect(Object.values(row)).toContain('2026-12-02 10:00');
    }
  });

  it('writes the same rows in both formats: one row builder, only the CSV number wrapped for Excel', async () => {
    const query = `district=${t.city.units.districtA}&sort=created_at`;
    const csvRes = await download(t.u.dispatcher, `format=csv&${query}`);
    const csv = parse(csvRes.rawPayload.toString('utf8').slice(1));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(t.u.dispatcher, `format=xlsx&${query}`)).rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const xlsx = Array.from({ length: ws.rowCount }, (_, r) => Array.from({ length: ws.columnCount }, (_, c) => ws.getRow(r + 1).getCell(c + 1).text));
    expect(csv.length).toBe(3);
    expect(xlsx[0]).toEqual(csv[0]);
    const number = csv[0]!.indexOf('工单编号');
    expect(xlsx.slice(1)).toEqual(csv.slice(1).map((r) => r.map((v, i) => (i === number ? v.replace(/^="(\d+)"$/, '$1') : v))));
    expect(xlsx[1]![number]).toBe(o3.number);
  });

  it('exports only what the reader may see: a handler of another district does not get the order', async () => {
    const csv = async (client: Client, query = '') => {
      const res = await download(client, `format=csv${query}`);
      expect(res.statusCode).toBe(200);
      return res.rawPayload.toString('utf8');
    };
    const b = await csv(t.u.handlerB);
    expect(b).toContain(o2.number);
    expect(b).not.toContain(o1.number);
    expect(b).not.toContain(o3.number);
    expect(await csv(t.u.handlerB, `&district=${t.city.units.districtA}`)).not.toContain(o1.number);
    expect(await csv(t.u.managerA)).toContain(o1.number);
    const res = await download(t.u.handlerB, 'format=xlsx');
    expect(res.headers['x-total-count']).toBe('1');
  });

  it('refuses a format it does not write, and needs a login', async () => {
    const bad = await download(t.u.dispatcher, 'format=pdf');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('format');
    expect((await t.platform.app.inject({ method: 'GET', url: '/api/v1/workorders/export?format=csv' })).statusCode).toBe(401);
  });
});

describe('closing as a duplicate', () => {
  it('takes the other order by its order number, and a number of no order answers 404 in words', async () => {
    const dup = await create({ title: '路灯又坏了' });
    const unknown = await t.u.agent.post(`/api/v1/workorders/${dup.id}/actions/close`, {
      version: dup.version,
      reason: 'duplicate',
      duplicateOf: '2099010199999',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('2099010199999');
    const bad = await t.u.agent.post(`/api/v1/workorders/${dup.id}/actions/close`, { version: dup.version, reason: 'duplicate', duplicateOf: '12345' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('duplicateOf');
    const closed = await t.u.agent.post(`/api/v1/workorders/${dup.id}/actions/close`, { version: dup.version, reason: 'duplicate', duplicateOf: o3.number });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', closeReason: 'duplicate', duplicateOf: o3.id });
    // Readers see the other order's number, never its id.
    const read = await t.u.agent.get(`/api/v1/workorders/${dup.id}`);
    expect(read.body.duplicateOfNumber).toBe(o3.number);
  });

  it('still takes the internal id from older clients', async () => {
    const dup = await create({ title: '路灯还是不亮' });
    const r = await t.u.agent.post(`/api/v1/workorders/${dup.id}/actions/close`, { version: dup.version, reason: 'duplicate', duplicateOf: o3.id });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.duplicateOf).toBe(o3.id);
  });
});
