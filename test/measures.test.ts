// One definition per measure (docs/MEASURES.md): for the same month of the demo city, the
// dashboard's figures (GET /api/v1/kpi/summary), the units' table, the monthly Excel report
// and open data give the same orders this month, satisfaction rate, service level with its
// threshold, answer rate and top categories (by name). The Excel is in one language a file,
// its times in the city's clock; the month picker is offered only months with data.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, loginAs, testPlatform, type Client, type TestPlatform } from './helpers.js';
import { seedDemo } from '../src/demo/index.js';

const END = new Date('2026-11-20T10:00:00Z');
const MONTH = '2026-10'; // a whole month of the 40 days before END
let platform: TestPlatform;
let admin: Client;

beforeAll(async () => {
  platform = await testPlatform();
  await seedDemo(platform.db, { contacts: 3000, days: 40, seed: 5, end: END });
  admin = await loginAs(platform, 'admin', ADMIN_PASSWORD);
}, 240_000);
afterAll(async () => platform?.close());

async function get(url: string, lang?: string) {
  const res = await platform.app.inject({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${admin.token}`, ...(lang ? { 'accept-language': lang } : {}) },
  });
  return res;
}
async function workbook(lang?: string) {
  const res = await get(`/api/v1/reports/monthly?month=${MONTH}`, lang);
  expect(res.statusCode).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  return wb;
}
/** A sheet's rows as arrays of cell values (A = index 0), the header row first. */
const rowsOf = (ws: ExcelJS.Worksheet) => (ws.getSheetValues().filter(Boolean) as unknown[][]).map((r) => r.slice(1));
/** The summary sheet's value for the row whose label is `label`. */
const summaryValue = (wb: ExcelJS.Workbook, label: string | RegExp) => {
  const row = rowsOf(wb.getWorksheet('概要')!).find((r) => (typeof label === 'string' ? r[0] === label : label.test(String(r[0]))));
  expect(row, `summary row ${String(label)}`).toBeDefined();
  return row![1];
};
const pct = (v: number | null) => (v == null ? null : Math.round(v * 10000) / 100);

describe('one definition per measure', () => {
  it('gives the same figures on the dashboard, in the units table, the Excel report and open data', async () => {
    const dash = (await get(`/api/v1/kpi/summary?month=${MONTH}`)).json();
    const wb = await workbook();
    const open = (await get(`/api/v1/opendata/monthly?month=${MONTH}`)).json();
    const units = (await get(`/api/v1/kpi/units?month=${MONTH}&kind=city`)).json().items;

    // A month with real figures, so that agreeing is not agreeing on zero.
    expect(dash.orders.orders).toBeGreaterThan(100);
    expect(dash.surveyed).toBeGreaterThan(20);
    expect(dash.calls.answered).toBeGreaterThan(100);

    // 本月工单
    expect(summaryValue(wb, '本月工单')).toBe(dash.orders.orders);
    expect(open.totals.received).toBe(dash.orders.orders);
    const daily = rowsOf(wb.getWorksheet('每日工单量')!).slice(1);
    expect(daily.reduce((n, r) => n + Number(r[1]), 0)).toBe(dash.orders.orders);

    // 满意率: the card, the units' table (the city with every unit below it), the Excel, open data.
    expect(dash.satisfactionRate).toBeGreaterThan(0);
    expect(units[0].satisfactionRate).toBeCloseTo(dash.satisfactionRate, 4);
    expect(summaryValue(wb, '满意率（%）')).toBe(pct(dash.satisfactionRate));
    expect(open.totals.satisfactionRate).toBe(dash.satisfactionRate);
    expect(summaryValue(wb, '解决率（%）')).toBe(pct(dash.resolutionRate));

    // Service level at the one threshold setting, and the answer rate.
    const settings = (await get('/api/v1/kpi/settings')).json();
    expect(dash.calls.serviceLevel.seconds).toBe(settings.serviceLevelSeconds);
    expect(open.calls.serviceLevel).toEqual(dash.calls.serviceLevel);
    const s = dash.calls.serviceLevel.seconds;
    expect(summaryValue(wb, `${s}秒服务水平（%）`)).toBe(pct(dash.calls.serviceLevel.rate));
    const operator = rowsOf(wb.getWorksheet('话务外包考核')!);
    expect(operator.find((r) => r[0] === `${s}秒服务水平（%）`)?.[1]).toBe(pct(dash.calls.serviceLevel.rate));
    expect(operator.find((r) => r[0] === '人工接通率（%）')?.[1]).toBe(pct(dash.calls.answerRate));
    expect(summaryValue(wb, '人工接通率（%）')).toBe(pct(dash.calls.answerRate));
    expect(open.calls.answerRate).toBe(dash.calls.answerRate);
    expect(summaryValue(wb, '有效来电')).toBe(dash.calls.effectiveCalls);

    // Top categories by name (a path of names), the same order and counts everywhere.
    const top = dash.topCategories.map((c: any) => [c.name, c.orders]);
    expect(top.length).toBeGreaterThan(3);
    for (const [name] of top) expect(name).toMatch(/[\u4e00-\u9fff]/);
    expect(top.some(([name]: [string]) => name.includes(' / '))).toBe(true);
    expect(rowsOf(wb.getWorksheet('热点分类')!).slice(1)).toEqual(top);
    expect(open.byCategory.slice(0, top.length).map((c: any) => [c.name, c.received])).toEqual(top);

    // The service level follows its setting everywhere at once.
    const put = await platform.app.inject({
      method: 'PUT',
      url: '/api/v1/kpi/settings',
      headers: { authorization: `Bearer ${admin.token}` },
      payload: { ...settings, serviceLevelSeconds: 20 },
    });
    expect(put.statusCode).toBe(200);
    try {
      const dash20 = (await get(`/api/v1/kpi/summary?month=${MONTH}`)).json();
      expect(dash20.calls.serviceLevel.seconds).toBe(20);
      expect(dash20.calls.serviceLevel.rate).toBeGreaterThanOrEqual(dash.calls.serviceLevel.rate);
      expect(summaryValue(await workbook(), '20秒服务水平（%）')).toBe(pct(dash20.calls.serviceLevel.rate));
    } finally {
      await platform.app.inject({
        method: 'PUT',
        url: '/api/v1/kpi/settings',
        headers: { authorization: `Bearer ${admin.token}` },
        payload: settings,
      });
    }
  });

  it('writes the Excel in one language, times in the city clock, states in words', async () => {
    const zh = await workbook();
    const en = await workbook('en-US,en;q=0.9');
    for (const ws of zh.worksheets) {
      expect(ws.name).not.toMatch(/[A-Za-z]/);
      for (const h of rowsOf(ws)[0] ?? []) expect(String(h)).not.toMatch(/[A-Za-z]/);
    }
    for (const ws of en.worksheets) {
      expect(ws.name).not.toMatch(/[\u4e00-\u9fff]/);
      for (const h of rowsOf(ws)[0] ?? []) expect(String(h)).not.toMatch(/[\u4e00-\u9fff]/);
    }
    expect(rowsOf(en.getWorksheet('Summary')!).find((r) => r[0] === 'Orders this month')?.[1]).toBe(summaryValue(zh, '本月工单'));

    const overdue = rowsOf(zh.getWorksheet('超期工单')!);
    expect(overdue[0]).toEqual(['工单号', '标题', '承办单位', '状态', '紧急程度', '时限', '到期时间']);
    const rows = overdue.slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(String(r[0])).toMatch(/^\d{13}$/); // the order number people quote, not an internal id
      expect(['新建', '已派单', '已签收', '已退回', '已答复', '重办', '已办结']).toContain(r[3]);
      expect(['一般', '紧急']).toContain(r[4]);
      expect(['签收', '答复']).toContain(r[5]);
      expect(String(r[6])).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    }
    // The due time is the city's clock: the first row's deadline, read back in Beijing time.
    const first = (
      await platform.db.query<{ t: string }>(
        `SELECT to_char(d.due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS t
           FROM order_deadlines d JOIN workorders w ON w.id = d.workorder_id WHERE w.number = $1 AND d.state = 'running' ORDER BY d.due_at LIMIT 1`,
        [String(rows[0]![0])],
      )
    ).rows[0]!.t;
    expect(rows[0]![6]).toBe(first);

    // The English file's words come from the same catalogue, capitalised as cells; the language
    // is negotiated like every other answer's (q-values: French is not offered, English is).
    const enOverdue = rowsOf(en.getWorksheet('Overdue orders')!);
    expect(enOverdue[0]).toEqual(['Order number', 'Title', 'Handling unit', 'Status', 'Urgency', 'Time limit', 'Due']);
    expect(enOverdue.length).toBe(overdue.length);
    for (const r of enOverdue.slice(1)) {
      expect(['New', 'Dispatched', 'Accepted', 'Returned', 'Replied', 'Reopened', 'Closed']).toContain(r[3]);
      expect(['Normal', 'Urgent']).toContain(r[4]);
      expect(['Sign', 'Reply']).toContain(r[5]);
    }
    const negotiated = await workbook('fr-FR;q=1, en;q=0.8, zh;q=0.5');
    expect(negotiated.worksheets.map((w) => w.name)).toEqual(en.worksheets.map((w) => w.name));
    const s = (await get('/api/v1/kpi/settings')).json().serviceLevelSeconds;
    expect(rowsOf(en.getWorksheet('Summary')!).some((r) => r[0] === `Service level ${s} s (%)`)).toBe(true);
  });

  it('explains open data in one language, and offers only the months that have data', async () => {
    const zh = (await get(`/api/v1/opendata/monthly?month=${MONTH}`)).json();
    const en = (await get(`/api/v1/opendata/monthly?month=${MONTH}`, 'en')).json();
    for (const d of Object.values<string>(zh.definitions)) expect(d).not.toMatch(/[A-Za-z]/);
    for (const d of Object.values<string>(en.definitions)) expect(d).not.toMatch(/[\u4e00-\u9fff]/);
    expect(zh.totals.name).toBe('全市');
    expect(en.totals.name).toBe('Whole city');

    const months = (await get('/api/v1/kpi/months')).json();
    expect(months.months).toContain(MONTH);
    expect(months.latest).toBe('2026-11');
    expect(months.months.at(-1)).toBe('2026-11');
    expect(months.months[0]! >= '2026-10').toBe(true);
  });
});
