// The words of the monthly report, one language a file: Chinese, or English when the
// request's Accept-Language prefers it. Status and urgency words are the web app's.
export type ReportLanguage = 'zh-CN' | 'en';

/** zh-CN unless the reader ranks English above any Chinese (q-values honoured). */
export function readerLanguage(header: string | undefined): ReportLanguage {
  if (!header) return 'zh-CN';
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v != null);
      return { lang: tag.trim().toLowerCase().split('-')[0], q: q == null ? 1 : Number(q), i };
    })
    .filter((t) => t.lang && t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const t of ranked) {
    if (t.lang === 'zh' || t.lang === '*') return 'zh-CN';
    if (t.lang === 'en') return 'en';
  }
  return 'zh-CN';
}

const zh = {
  'sheet.summary': '概要',
  'sheet.operator': '话务外包考核',
  'sheet.daily': '每日工单量',
  'sheet.categories': '热点分类',
  'sheet.overdue': '超期工单',
  'sheet.district': '区县排名',
  'sheet.subdistrict': '街道乡镇排名',
  'sheet.bureau': '委办局排名',
  'sheet.utility': '公共服务企业排名',
  'col.measure': '指标',
  'col.value': '数值',
  'col.actual': '实际',
  'col.target': '目标',
  'col.met': '达标',
  'col.rank': '排名',
  'col.unit': '单位',
  'col.score': '综合得分',
  'col.change': '排名变化',
  'col.received': '受理量',
  'col.response': '响应率（%）',
  'col.resolution': '解决率（%）',
  'col.satisfaction': '满意率（%）',
  'col.onTime': '按时答复率（%）',
  'col.returns': '退单率（%）',
  'col.reopens': '重办率（%）',
  'col.extensions': '延期率（%）',
  'col.hours': '平均办理工时（小时）',
  'col.day': '日期',
  'col.orders': '工单数',
  'col.category': '分类',
  'col.number': '工单号',
  'col.title': '标题',
  'col.mainUnit': '承办单位',
  'col.status': '状态',
  'col.urgency': '紧急程度',
  'col.deadline': '时限',
  'col.due': '到期时间',
  'row.month': '月份',
  'row.orders': '本月工单',
  'row.complaints': '其中投诉',
  'row.answeredDirectly': '直接答复办结',
  'row.closedSoFar': '目前已办结',
  'row.satisfaction': '满意率（%）',
  'row.resolution': '解决率（%）',
  'row.response': '响应率（%）',
  'row.onTime': '按时答复率（%）',
  'row.surveyed': '回访数',
  'row.overdue': '超期未办（列出）',
  'row.weight': '基本满意权重',
  'row.offered': '呼入量',
  'row.answered': '人工接通',
  'row.answerRate': '人工接通率（%）',
  'row.serviceLevel': '{s}秒服务水平（%）',
  'row.effectiveCalls': '有效来电',
  'row.quality': '质检平均分',
  'row.cost': '单个有效来电成本（元）',
  'row.prorated': '合同金额（本月分摊，元）',
  'row.deduction': '扣减：{what}',
  'row.totalDeducted': '扣减合计（元）',
  yes: '是',
  no: '否',
  'kind.sign': '签收',
  'kind.reply': '答复',
  'status.new': '新建',
  'status.dispatched': '已派单',
  'status.accepted': '已签收',
  'status.returned': '已退回',
  'status.replied': '已答复',
  'status.reopened': '重办',
  'status.closed': '已办结',
  'urgency.normal': '一般',
  'urgency.urgent': '紧急',
} as const;
export type LabelKey = keyof typeof zh;

const en: Record<LabelKey, string> = {
  'sheet.summary': 'Summary',
  'sheet.operator': 'Call-center operator',
  'sheet.daily': 'Orders per day',
  'sheet.categories': 'Top categories',
  'sheet.overdue': 'Overdue orders',
  'sheet.district': 'Districts ranked',
  'sheet.subdistrict': 'Sub-districts ranked',
  'sheet.bureau': 'Bureaus ranked',
  'sheet.utility': 'Utilities ranked',
  'col.measure': 'Measure',
  'col.value': 'Value',
  'col.actual': 'Actual',
  'col.target': 'Target',
  'col.met': 'Met',
  'col.rank': 'Rank',
  'col.unit': 'Unit',
  'col.score': 'Score',
  'col.change': 'Rank change',
  'col.received': 'Received',
  'col.response': 'Response rate (%)',
  'col.resolution': 'Resolution rate (%)',
  'col.satisfaction': 'Satisfaction rate (%)',
  'col.onTime': 'On-time reply rate (%)',
  'col.returns': 'Return rate (%)',
  'col.reopens': 'Reopen rate (%)',
  'col.extensions': 'Extension rate (%)',
  'col.hours': 'Average handling time (working hours)',
  'col.day': 'Day',
  'col.orders': 'Orders',
  'col.category': 'Category',
  'col.number': 'Order number',
  'col.title': 'Title',
  'col.mainUnit': 'Handling unit',
  'col.status': 'Status',
  'col.urgency': 'Urgency',
  'col.deadline': 'Time limit',
  'col.due': 'Due',
  'row.month': 'Month',
  'row.orders': 'Orders this month',
  'row.complaints': 'of which complaints',
  'row.answeredDirectly': 'Answered directly',
  'row.closedSoFar': 'Closed so far',
  'row.satisfaction': 'Satisfaction rate (%)',
  'row.resolution': 'Resolution rate (%)',
  'row.response': 'Response rate (%)',
  'row.onTime': 'On-time reply rate (%)',
  'row.surveyed': 'Follow-up surveys',
  'row.overdue': 'Overdue (listed)',
  'row.weight': 'Weight of "basically satisfied"',
  'row.offered': 'Calls offered',
  'row.answered': 'Answered by an agent',
  'row.answerRate': 'Answer rate (%)',
  'row.serviceLevel': 'Service level {s} s (%)',
  'row.effectiveCalls': 'Effective calls',
  'row.quality': 'Quality score',
  'row.cost': 'Cost per effective call (yuan)',
  'row.prorated': 'Contract value for the month (yuan)',
  'row.deduction': 'Deduction: {what}',
  'row.totalDeducted': 'Total deducted (yuan)',
  yes: 'Yes',
  no: 'No',
  'kind.sign': 'Sign',
  'kind.reply': 'Reply',
  'status.new': 'New',
  'status.dispatched': 'Dispatched',
  'status.accepted': 'Accepted',
  'status.returned': 'Returned',
  'status.replied': 'Replied',
  'status.reopened': 'Reopened',
  'status.closed': 'Closed',
  'urgency.normal': 'Normal',
  'urgency.urgent': 'Urgent',
};

/** The label `key` in `lang`, `{name}` filled from `params`. */
export function label(lang: ReportLanguage, key: LabelKey, params: Record<string, string | number> = {}): string {
  const text: string = lang === 'en' ? en[key] : zh[key];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** A code's word (status, urgency, time-limit kind), the code itself when it has none. */
export function word(lang: ReportLanguage, prefix: 'status' | 'urgency' | 'kind', code: string): string {
  const key = `${prefix}.${code}`;
  return key in zh ? label(lang, key as LabelKey) : code;
}
