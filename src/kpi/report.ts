// The monthly report as an Excel workbook: summary, rankings by unit kind, daily volume
// (the charts' data), top categories and the overdue list. Numbers come from the same
// functions as the API, so the two always agree.
import ExcelJS from 'exceljs';
import type { Database } from '../db/database.js';
import type { AppContext } from '../core/context.js';
import { loadKpiSettings, rankUnits, type Ranked } from './measures.js';
import { scorecard } from '../callcenter/index.js';

const pct = (v: number | null) => (v == null ? null : Math.round(v * 10000) / 100);

export const RANKED_KINDS: { kind: string; title: string }[] = [
  { kind: 'district', title: '区县排名' },
  { kind: 'subdistrict', title: '街道乡镇排名' },
  { kind: 'bureau', title: '委办局排名' },
  { kind: 'utility', title: '公共服务企业排名' },
];

/** Month bounds as instants in the city's time zone (UTC+8 for China, which has no DST). */
function monthBounds(month: string): { start: string; end: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const start = new Date(Date.UTC(y, m - 1, 1) - 8 * 3600_000);
  const end = new Date(Date.UTC(y, m, 1) - 8 * 3600_000);
  return { start: start.toISOString(), end: end.toISOString() };
}

export async function monthlyReportData(db: Database, ctx: AppContext, month: string) {
  const settings = await loadKpiSettings(db);
  const { start, end } = monthBounds(month);
  const rankings: { kind: string; title: string; items: Ranked[] }[] = [];
  for (const k of RANKED_KINDS) {
    rankings.push({ ...k, items: await rankUnits(db, { from: month, to: month, kind: k.kind, includeDescendants: true }, settings) });
  }
  const summary = (
    await db.query<Record<string, number>>(
      `SELECT count(*)::int AS created,
            count(*) FILTER (WHERE type = 'complaint')::int AS complaints,
            count(*) FILTER (WHERE status = 'closed')::int AS closed_now,
            count(*) FILTER (WHERE close_reason = 'answered')::int AS answered_directly
       FROM workorders WHERE created_at >= $1 AND created_at < $2`,
      [start, end],
    )
  ).rows[0]!;
  const daily = (
    await db.query<{ day: string; n: number }>(
      `SELECT to_char(created_at AT TIME ZONE $3, 'YYYY-MM-DD') AS day, count(*)::int AS n
       FROM workorders WHERE created_at >= $1 AND created_at < $2 GROUP BY 1 ORDER BY 1`,
      [start, end, ctx.config.timeZone],
    )
  ).rows;
  const categories = (
    await db.query<{ category: string; n: number }>(
      `SELECT COALESCE(category_code, '(未分类)') AS category, count(*)::int AS n
       FROM workorders WHERE created_at >= $1 AND created_at < $2 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`,
      [start, end],
    )
  ).rows;
  const overdue = (
    await db.query<{ number: string; title: string; unit: string; kind: string; due_at: Date }>(
      `SELECT w.number, w.title, u.name AS unit, d.kind, d.due_at
       FROM order_deadlines d JOIN workorders w ON w.id = d.workorder_id LEFT JOIN units u ON u.id = d.unit_id
      WHERE d.state = 'running' AND d.due_at < LEAST(now(), $1::timestamptz)
      ORDER BY d.due_at LIMIT 1000`,
      [end],
    )
  ).rows;
  const operator = await scorecard(db, month, ctx.config.timeZone);
  return { month, settings, summary, rankings, daily, categories, overdue, operator };
}

export async function monthlyWorkbook(db: Database, ctx: AppContext, month: string): Promise<Buffer> {
  const data = await monthlyReportData(db, ctx, month);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'jiesu';
  wb.created = new Date();
  const header = (ws: ExcelJS.Worksheet) => {
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  };

  const s = wb.addWorksheet('概要 Summary');
  s.columns = [
    { header: '指标 measure', key: 'k', width: 36 },
    { header: '数值 value', key: 'v', width: 18 },
  ];
  s.addRows([
    { k: '月份 month', v: month },
    { k: '新建工单 orders created', v: data.summary.created },
    { k: '其中投诉 complaints', v: data.summary.complaints },
    { k: '直接答复办结 answered directly', v: data.summary.answered_directly },
    { k: '目前已办结 closed so far', v: data.summary.closed_now },
    { k: '超期未办 overdue (listed)', v: data.overdue.length },
    { k: '基本满意权重 weight of basically satisfied', v: data.settings.basicallySatisfiedWeight },
  ]);
  header(s);

  for (const r of data.rankings) {
    const ws = wb.addWorksheet(r.title);
    ws.columns = [
      { header: '排名 rank', key: 'rank', width: 8 },
      { header: '单位 unit', key: 'unit', width: 30 },
      { header: '综合得分 score', key: 'score', width: 12 },
      { header: '排名变化 change', key: 'change', width: 12 },
      { header: '受理量 received', key: 'received', width: 12 },
      { header: '响应率% response', key: 'response', width: 14 },
      { header: '解决率% resolution', key: 'resolution', width: 14 },
      { header: '满意率% satisfaction', key: 'satisfaction', width: 14 },
      { header: '按时答复率% on-time', key: 'ontime', width: 14 },
      { header: '退单率% returns', key: 'returns', width: 12 },
      { header: '重办率% reopens', key: 'reopens', width: 12 },
      { header: '延期率% extensions', key: 'ext', width: 12 },
      { header: '平均办理工时 h', key: 'hours', width: 14 },
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
      });
    }
    header(ws);
  }

  const op = wb.addWorksheet('话务外包考核 operator');
  op.columns = [
    { header: '指标 measure', key: 'k', width: 34 },
    { header: '实际 actual', key: 'v', width: 16 },
    { header: '目标 target', key: 't', width: 14 },
    { header: '达标 met', key: 'm', width: 10 },
  ];
  const target = (m: string) => data.operator.contract?.targets.find((x) => x.measure === m);
  const om = data.operator.measures;
  const row = (k: string, v: number | null, m?: string) => {
    const t = m ? target(m) : undefined;
    op.addRow({ k, v, t: t?.target ?? null, m: t ? (t.met == null ? '—' : t.met ? '是' : '否') : null });
  };
  row('呼入量 offered', om.offered);
  row('人工接通 answered', om.answered);
  row('人工接通率 answer rate', om.answerRate, 'answerRate');
  row('15秒服务水平 service level 15 s', om.serviceLevel15, 'serviceLevel15');
  row('有效来电 effective calls', om.effectiveCalls);
  row('质检平均分 quality score', om.qualityScore, 'qualityScore');
  row('单个有效来电成本 cost per effective call (元)', om.costPerEffectiveCall);
  if (data.operator.contract) {
    op.addRow({});
    op.addRow({ k: '合同金额（本月分摊） prorated contract value', v: data.operator.contract.proratedValue });
    for (const d of data.operator.contract.deductions) op.addRow({ k: `扣减 deduction: ${d.note ?? d.measure}`, v: d.deducted });
    op.addRow({ k: '扣减合计 total deducted', v: data.operator.contract.totalDeducted });
  }
  header(op);

  const d = wb.addWorksheet('每日工单量 daily');
  d.columns = [
    { header: '日期 day', key: 'day', width: 14 },
    { header: '工单 orders', key: 'n', width: 12 },
  ];
  d.addRows(data.daily);
  header(d);

  const c = wb.addWorksheet('热点分类 top categories');
  c.columns = [
    { header: '分类 category', key: 'category', width: 20 },
    { header: '工单 orders', key: 'n', width: 12 },
  ];
  c.addRows(data.categories);
  header(c);

  const o = wb.addWorksheet('超期工单 overdue');
  o.columns = [
    { header: '工单号 number', key: 'number', width: 18 },
    { header: '标题 title', key: 'title', width: 50 },
    { header: '承办单位 unit', key: 'unit', width: 28 },
    { header: '时限 deadline', key: 'kind', width: 10 },
    { header: '到期 due', key: 'due', width: 22 },
  ];
  for (const r of data.overdue)
    o.addRow({ number: r.number, title: r.title, unit: r.unit, kind: r.kind === 'sign' ? '签收' : '答复', due: r.due_at.toISOString() });
  header(o);

  return Buffer.from(await wb.xlsx.writeBuffer());
}
