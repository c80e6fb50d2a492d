// Chinese first, English switchable. `t(key, vars)` looks a key up in the current language.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

const zh = {
  'app.name': '接诉 · 12345 热线平台',
  'app.short': '接诉',
  'lang.switch': '语言',
  'login.title': '登录',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.failed': '用户名或密码错误',
  'logout': '退出登录',
  'skip': '跳到主要内容',
  'menu.orders': '工单查询',
  'menu.agent': '坐席工作台',
  'menu.dispatch': '派单队列',
  'menu.inbox': '单位收件箱',
  'menu.followup': '回访工作台',
  'menu.dashboard': '督办看板',
  'menu.units': '组织机构',
  'menu.users': '用户管理',
  'role.agent': '话务员', 'role.dispatcher': '派单员', 'role.handler': '承办人', 'role.unit_manager': '单位负责人',
  'role.followup': '回访员', 'role.supervisor': '督办', 'role.admin': '管理员',
  'status.new': '新建', 'status.dispatched': '已派单', 'status.accepted': '已签收', 'status.returned': '已退回',
  'status.replied': '已答复', 'status.reopened': '重办', 'status.closed': '已办结',
  'type.consultation': '咨询', 'type.request': '求助', 'type.complaint': '投诉', 'type.report': '举报',
  'type.suggestion': '建议', 'type.praise': '表扬',
  'urgency.normal': '一般', 'urgency.urgent': '紧急',
  'sat.satisfied': '满意', 'sat.basically_satisfied': '基本满意', 'sat.unsatisfied': '不满意',
  'close.answered': '直接答复', 'close.invalid': '无效来电', 'close.duplicate': '重复工单',
  'kind.city': '市', 'kind.district': '区', 'kind.subdistrict': '街道/乡镇', 'kind.community': '社区', 'kind.bureau': '委办局', 'kind.utility': '公共事业',
  'field.number': '工单编号', 'field.type': '类型', 'field.title': '标题', 'field.content': '诉求内容', 'field.urgency': '紧急程度',
  'field.status': '状态', 'field.address': '地址', 'field.district': '所属区域', 'field.citizenName': '市民姓名',
  'field.citizenPhone': '来电号码', 'field.createdAt': '创建时间', 'field.updatedAt': '更新时间', 'field.mainUnit': '主办单位',
  'field.coUnits': '协办单位', 'field.reply': '答复', 'field.survey': '回访结果', 'field.extension': '延期', 'field.deadline': '办理时限',
  'field.deadlinePending': '时限模块上线后显示', 'field.counts': '派单/退回/重办/督办', 'field.actions': '操作', 'field.version': '版本',
  'field.resolved': '已解决', 'field.notResolved': '未解决', 'field.reason': '原因', 'field.days': '天数', 'field.note': '备注',
  'field.satisfaction': '满意度', 'field.unit': '单位', 'field.roles': '角色', 'field.displayName': '姓名', 'field.active': '启用',
  'field.kind': '类别', 'field.parent': '上级单位', 'field.name': '名称', 'field.search': '搜索标题/内容/编号',
  'list.title': '工单查询', 'list.refresh': '刷新', 'list.more': '下一页', 'list.first': '第一页', 'list.empty': '暂无工单',
  'list.all': '全部',
  'order.title': '工单详情', 'order.history': '办理记录', 'order.back': '返回', 'order.pendingExtension': '延期申请待审批：{days} 天，理由：{reason}',
  'order.conflict': '已被他人修改，请刷新', 'order.refresh': '刷新', 'order.masked': '（已脱敏）', 'order.open': '查看',
  'action.dispatch': '派单', 'action.sign': '签收', 'action.return': '退回', 'action.request-extension': '申请延期',
  'action.approve-extension': '批准延期', 'action.reject-extension': '驳回延期', 'action.reply': '答复', 'action.survey': '回访',
  'action.close': '直接办结', 'action.supervise': '督办', 'action.done': '已完成：{action}', 'action.pickUnit': '选择主办单位',
  'action.cancel': '取消', 'action.ok': '确定',
  'event.created': '创建工单', 'event.dispatched': '派单', 'event.signed': '签收', 'event.returned': '退回',
  'event.extension_requested': '申请延期', 'event.extension_approved': '批准延期', 'event.extension_rejected': '驳回延期',
  'event.replied': '答复', 'event.surveyed': '回访', 'event.closed': '办结', 'event.supervised': '督办', 'event.by': '操作人',
  'agent.title': '受理登记', 'agent.submit': '创建工单', 'agent.clear': '清空', 'agent.created': '已创建工单 {number}',
  'agent.shortcuts': '快捷键：Alt+1…6 选类型，Alt+U 切换紧急，Ctrl+Enter 提交，Alt+N 清空',
  'agent.recent': '本班次创建的工单',
  'dispatch.title': '待派单（新建 / 退回 / 重办）', 'dispatch.lastReason': '退回原因',
  'inbox.title': '本单位待办（已派单 / 已签收）',
  'followup.title': '待回访（已答复）',
  'dash.title': '督办看板', 'dash.sample': '基于最近 {n} 条工单', 'dash.byStatus': '按状态', 'dash.byType': '按类型',
  'dash.total': '工单总数', 'dash.open': '在办', 'dash.closed': '已办结', 'dash.satisfaction': '满意率', 'dash.supervised': '被督办',
  'admin.units': '组织机构', 'admin.users': '用户管理', 'admin.newUnit': '新建单位', 'admin.newUser': '新建用户',
  'admin.edit': '编辑', 'admin.save': '保存', 'admin.password': '密码（至少 8 位）', 'admin.newPassword': '新密码（留空不改）',
  'admin.saved': '已保存', 'admin.inactive': '已停用', 'admin.none': '无',
  'err.required': '必填',
};
type Key = keyof typeof zh;

const en: Record<Key, string> = {
  'app.name': 'jiesu · 12345 hotline', 'app.short': 'jiesu', 'lang.switch': 'Language',
  'login.title': 'Sign in', 'login.username': 'Username', 'login.password': 'Password', 'login.submit': 'Sign in',
  'login.failed': 'Wrong username or password', 'logout': 'Sign out', 'skip': 'Skip to main content',
  'menu.orders': 'Work orders', 'menu.agent': 'Agent console', 'menu.dispatch': 'Dispatch queue', 'menu.inbox': 'Unit inbox',
  'menu.followup': 'Follow-up', 'menu.dashboard': 'Supervisor dashboard', 'menu.units': 'Organisation', 'menu.users': 'Users',
  'role.agent': 'Agent', 'role.dispatcher': 'Dispatcher', 'role.handler': 'Handler', 'role.unit_manager': 'Unit manager',
  'role.followup': 'Follow-up', 'role.supervisor': 'Supervisor', 'role.admin': 'Administrator',
  'status.new': 'New', 'status.dispatched': 'Dispatched', 'status.accepted': 'Accepted', 'status.returned': 'Returned',
  'status.replied': 'Replied', 'status.reopened': 'Reopened', 'status.closed': 'Closed',
  'type.consultation': 'Consultation', 'type.request': 'Request', 'type.complaint': 'Complaint', 'type.report': 'Report',
  'type.suggestion': 'Suggestion', 'type.praise': 'Praise',
  'urgency.normal': 'Normal', 'urgency.urgent': 'Urgent',
  'sat.satisfied': 'Satisfied', 'sat.basically_satisfied': 'Basically satisfied', 'sat.unsatisfied': 'Unsatisfied',
  'close.answered': 'Answered directly', 'close.invalid': 'Invalid call', 'close.duplicate': 'Duplicate',
  'kind.city': 'City', 'kind.district': 'District', 'kind.subdistrict': 'Sub-district', 'kind.community': 'Community', 'kind.bureau': 'Bureau', 'kind.utility': 'Utility',
  'field.number': 'Number', 'field.type': 'Type', 'field.title': 'Title', 'field.content': 'Content', 'field.urgency': 'Urgency',
  'field.status': 'Status', 'field.address': 'Address', 'field.district': 'District', 'field.citizenName': 'Citizen name',
  'field.citizenPhone': 'Caller phone', 'field.createdAt': 'Created', 'field.updatedAt': 'Updated', 'field.mainUnit': 'Main unit',
  'field.coUnits': 'Co-units', 'field.reply': 'Reply', 'field.survey': 'Survey', 'field.extension': 'Extension', 'field.deadline': 'Deadline',
  'field.deadlinePending': 'shown once the time-limit module is live', 'field.counts': 'Dispatched/returned/reopened/supervised',
  'field.actions': 'Actions', 'field.version': 'Version', 'field.resolved': 'Resolved', 'field.notResolved': 'Not resolved',
  'field.reason': 'Reason', 'field.days': 'Days', 'field.note': 'Note', 'field.satisfaction': 'Satisfaction', 'field.unit': 'Unit',
  'field.roles': 'Roles', 'field.displayName': 'Name', 'field.active': 'Active', 'field.kind': 'Kind', 'field.parent': 'Parent unit',
  'field.name': 'Name', 'field.search': 'Search title/content/number',
  'list.title': 'Work orders', 'list.refresh': 'Refresh', 'list.more': 'Next page', 'list.first': 'First page', 'list.empty': 'No orders',
  'list.all': 'All',
  'order.title': 'Work order', 'order.history': 'History', 'order.back': 'Back',
  'order.pendingExtension': 'Extension request pending: {days} days, reason: {reason}',
  'order.conflict': 'Changed by someone else, please refresh (已被他人修改，请刷新)', 'order.refresh': 'Refresh',
  'order.masked': '(masked)', 'order.open': 'Open',
  'action.dispatch': 'Dispatch', 'action.sign': 'Sign', 'action.return': 'Return', 'action.request-extension': 'Request extension',
  'action.approve-extension': 'Approve extension', 'action.reject-extension': 'Reject extension', 'action.reply': 'Reply',
  'action.survey': 'Survey', 'action.close': 'Close', 'action.supervise': 'Supervise', 'action.done': 'Done: {action}',
  'action.pickUnit': 'Pick the main unit', 'action.cancel': 'Cancel', 'action.ok': 'OK',
  'event.created': 'Created', 'event.dispatched': 'Dispatched', 'event.signed': 'Signed', 'event.returned': 'Returned',
  'event.extension_requested': 'Extension requested', 'event.extension_approved': 'Extension approved',
  'event.extension_rejected': 'Extension rejected', 'event.replied': 'Replied', 'event.surveyed': 'Surveyed', 'event.closed': 'Closed',
  'event.supervised': 'Supervision notice', 'event.by': 'by',
  'agent.title': 'New contact', 'agent.submit': 'Create order', 'agent.clear': 'Clear', 'agent.created': 'Order {number} created',
  'agent.shortcuts': 'Shortcuts: Alt+1…6 type, Alt+U toggle urgent, Ctrl+Enter submit, Alt+N clear',
  'agent.recent': 'Orders created this shift',
  'dispatch.title': 'To dispatch (new / returned / reopened)', 'dispatch.lastReason': 'Return reason',
  'inbox.title': 'Unit inbox (dispatched / accepted)', 'followup.title': 'To survey (replied)',
  'dash.title': 'Supervisor dashboard', 'dash.sample': 'From the latest {n} orders', 'dash.byStatus': 'By status', 'dash.byType': 'By type',
  'dash.total': 'Orders', 'dash.open': 'Open', 'dash.closed': 'Closed', 'dash.satisfaction': 'Satisfaction', 'dash.supervised': 'Supervised',
  'admin.units': 'Organisation', 'admin.users': 'Users', 'admin.newUnit': 'New unit', 'admin.newUser': 'New user', 'admin.edit': 'Edit',
  'admin.save': 'Save', 'admin.password': 'Password (8+ characters)', 'admin.newPassword': 'New password (blank: unchanged)',
  'admin.saved': 'Saved', 'admin.inactive': 'inactive', 'admin.none': 'none',
  'err.required': 'Required',
};

export type Lang = 'zh' | 'en';
const dicts: Record<Lang, Record<Key, string>> = { zh, en };
export type T = (key: Key | string, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: T;
}
const Ctx = createContext<I18n>(null as never);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem('jiesu.lang') === 'en' ? 'en' : 'zh'));
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem('jiesu.lang', l);
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
    setLangState(l);
  }, []);
  const t = useCallback<T>(
    (key, vars) => {
      let s = (dicts[lang] as Record<string, string>)[key] ?? (zh as Record<string, string>)[key] ?? key;
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
      return s;
    },
    [lang],
  );
  const value = useMemo(() => ({ lang, setLang, t }), [lang, setLang, t]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export const useI18n = () => useContext(Ctx);
