// The monthly report as an Excel workbook: summary, rankings by unit kind, the operator's
// scorecard, daily volume, top categories and the overdue list, one language a file. The
// city's figures come from month.ts, the functions the dashboard and open data read too.
import ExcelJS from 'exceljs';
import type { Database } from '../db/database.js';
import type { AppContext } from '../core/context.js';
import { cityDateTime } from '../core/time.js';
import { loadKpiSettings, rankUnits, type Ranked } from './measures.js';
import { scorecard, monthBounds } from '../callcenter/index.js';
import { cityMonth, orderCounts } from './month.js';
import { label, word, type LabelKey, type ReportLanguage } from './labels.js';

const pct = (v: number | null) => (v == null ? null : Math.round(v * 10000) / 100);

export const RANKED_KINDS = ['district', 'subdistrict', 'bureau', 'utility'] as const;

export async function monthlyReportData(db: Database, ctx: AppContext, month: string, lang: ReportLanguage = 'zh-CN') {
  const tz = ctx.config.timeZone;
  const settings = await loadKpiSettings(db);
  const { to: end } = await monthBounds(db, month, tz);
  const rankings: { kind: (typeof RANKED_KINDS)[number]; items: Ranked[] }[] = [];
  for (const kind of RANKED_KINDS) {
    rankings.push({ kind, items: await rankUnits(db, { from: month, to: month, kind, includeDescendants: true }, settings) });
  }
  const city = await cityMonth(db, month, tz, lang, settings);
  const daily = (await orderCounts(db, month, tz)).byDay;
  const overdue = (
    await db.query<{ number: string; title: string; unit: string | null; kind: string; due_at: Date; status: string; urgency: string }>(
      `SELECT w.number, w.title, u.name AS unit, d.kind, d.due_at, w.status, w.urgency
       FROM order_deadlines d JOIN workorders w ON w.id = d.workorder_id LEFT JOIN units u ON u.id = d.unit_id
      WHERE d.state = 'running' AND d.due_at < LEAST(now(), $1::timestamptz)
      ORDER BY d.due_at LIMIT 1000`,
      [end],
    )
  ).rows;
  const operator = await scorecard(db, month, tz);
  return { month, settings, city, rankings, daily, overdue, operator };
}

export async function monthlyWorkbook(db: Database, ctx: AppContext, month: string, lang: ReportLanguage = 'zh-CN'): Promise<Buffer> {
  const data = await monthlyReportData(db, ctx, month, lang);
  const L = (key: LabelKey, params?: Record<string, string | number>) => label(lang, key, params);
  const tz = ctx.config.timeZone;
  const { city } = data;
  const wb = new ExcelJS.Workbook();
  wb.creator = 'jiesu';
  wb.created = new Date();
  const header = (ws: ExcelJS.Worksheet) => {
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  };

  const s = wb.addWorksheet(L('sheet.summary'));
  s.columns = [
    { header: L('col.measure'), key: 'k', width: 36 },
    { header: L('col.value'), key: 'v', width: 18 },
  ];
  s.addRows([
    { k: L('row.month'), v: month },
    { k: L('row.orders'), v: city.orders.orders },
    { k: L('row.complaints'), v: city.orders.complaints },
    { k: L('row.answeredDirectly'), v: city.orders.answeredDirectly },
    { k: L('row.closedSoFar'), v: city.orders.closedSoFar },
    { k: L('row.satisfaction'), v: pct(city.satisfactionRate) },
    { k: L('row.resolution'), v: pct(city.resolutionRate) },
    { k: L('row.response'), v: pct(city.responseRate) },
    { k: L('row.onTime'), v: pct(city.onTimeReplyRate) },
    { k: L('row.surveyed'), v: city.surveyed },
    { k: L('row.answerRate'), v: pct(city.calls.answerRate) },
    { k: L('row.serviceLevel', { s: city.calls.serviceLevel.seconds }), v: pct(city.calls.serviceLevel.rate) },
    { k: L('row.effectiveCalls'), v: city.calls.effectiveCalls },
    { k: L('row.overdue'), v: data.overdue.length },
    { k: L('row.weight'), v: data.settings.basicallySatisfiedWeight },
  ]);
  header(s);

  for (const r of data.rankings) {
    const ws = wb.addWorksheet(L(`sheet.${r.kind}`));
    ws.columns = [
      { header: L('col.rank'), key: 'rank', width: 8 },
      { header: L('col.unit'), key: 'unit', width: 30 },
      { header: L('col.score'), key: 'score', width: 12 },
      { header: L('col.change'), key: 'change', width: 12 },
      { header: L('col.received'), key: 'received', width: 12 },
      { header: L('col.response'), key: 'response', width: 14 },
      { header: L('col.resolution'), key: 'resolution', width: 14 },
      { header: L('col.satisfaction'), key: 'satisfaction', width: 14 },
      { header: L('col.onTime'), key: 'ontime', width: 14 },
      { header: L('col.returns'), key: 'returns', width: 12 },
      { header: L('col.reopens'), key: 'reopens', width: 12 },
      { header: L('col.extensions'), key: 'ext', width: 12 },
      { header: L('col.hours'), key: 'hours', width: 14 },
      { header: L('col.appealsFiled'), key: 'appealsFiled', width: 12 },
      { header: L('col.appealsUpheld'), key: 'appealsUpheld', width: 12 },
      { header: L('col.appealsRejected'), key: 'appealsRejected', width: 12 },
    ];
    for (const u of r.items) {
      ws.addRow({
        rank: u.rank,
        unit: u.unitName,
        score: u.score,
        change: u.rankChange,
        received: u.counts.received,
        response: pct(u.responseRate),
        resolution: pct(u.resolutionRate),
        satisfaction: pct(u.satisfactionRate),
        ontime: pct(u.onTimeReplyRate),
        returns: pct(u.returnRate),
        reopens: pct(u.reopenRate),
        ext: pct(u.extensionRate),
        hours: u.avgHandlingHours == null ? null : Math.round(u.avgHandlingHours * 10) / 10,
        appealsFiled: u.appeals.filed,
        appealsUpheld: u.appeals.upheld,
        appealsRejected: u.appeals.rejected,
      });
    }
    header(ws);
  }

  const op = wb.addWorksheet(L('sheet.operator'));
  op.columns = [
    { header: L('col.measure'), key: 'k', width: 34 },
    { header: L('col.actual'), key: 'v', width: 16 },
    { header: L('col.target'), key: 't', width: 14 },
    { header: L('col.met'), key: 'm', width: 10 },
  ];
  const target = (m: string) => data.operator.contract?.targets.find((x) => x.measure === m);
  const om = data.operator.measures;
  const sl = city.calls.serviceLevel;
  const row = (k: string, v: number | null, m?: string, asPct = false) => {
    const t = m ? target(m) : undefined;
    const shown = (x: number | null | undefined) => (x == null ? null : asPct ? pct(x) : x);
    op.addRow({ k, v: shown(v), t: shown(t?.target), m: t ? (t.met == null ? '—' : t.met ? L('yes') : L('no')) : null });
  };
  row(L('row.offered'), city.calls.offered);
  row(L('row.answered'), city.calls.answered);
  row(L('row.answerRate'), city.calls.answerRate, 'answerRate', true);
  row(L('row.serviceLevel', { s: sl.seconds }), sl.rate, `serviceLevel${sl.seconds}`, true);
  row(L('row.effectiveCalls'), city.calls.effectiveCalls);
  row(L('row.quality'), om.qualityScore, 'qualityScore');
  row(L('row.cost'), om.costPerEffectiveCall);
  if (data.operator.contract) {
    op.addRow({});
    op.addRow({ k: L('row.prorated'), v: data.operator.contract.proratedValue });
    for (const d of data.operator.contract.deductions) op.addRow({ k: L('row.deduction', { what: d.note ?? d.measure }), v: d.deducted });
    op.addRow({ k: L('row.totalDeducted'), v: data.operator.contract.totalDeducted });
  }
  header(op);

  const d = wb.addWorksheet(L('sheet.daily'));
  d.columns = [
    { header: L('col.day'), key: 'day', width: 14 },
    { header: L('col.orders'), key: 'orders', width: 12 },
  ];
  d.addRows(data.daily.map((x) => ({ day: x.day, orders: x.orders })));
  header(d);

  const c = wb.addWorksheet(L('sheet.categories'));
  c.columns = [
    { header: L('col.category'), key: 'name', width: 36 },
    { header: L('col.orders'), key: 'orders', width: 12 },
  ];
  c.addRows(city.topCategories.map((x) => ({ name: x.name, orders: x.orders })));
  header(c);

  const o = wb.addWorksheet(L('sheet.overdue'));
  o.columns = [
    { header: L('col.number'), key: 'number', width: 18 },
    { header: L('col.title'), key: 'title', width: 50 },
    { header: L('col.mainUnit'), key: 'unit', width: 28 },
    { header: L('col.status'), key: 'status', width: 10 },
    { header: L('col.urgency'), key: 'urgency', width: 10 },
    { header: L('col.deadline'), key: 'kind', width: 10 },
    { header: L('col.due'), key: 'due', width: 18 },
  ];
  for (const r of data.overdue)
    o.addRow({
      number: r.number,
      title: r.title,
      unit: r.unit,
      status: word(lang, 'status', r.status),
      urgency: word(lang, 'urgency', r.urgency),
      kind: word(lang, 'kind', r.kind),
      due: cityDateTime(r.due_at, tz),
    });
  header(o);

  return Buffer.from(await wb.xlsx.writeBuffer());
}
