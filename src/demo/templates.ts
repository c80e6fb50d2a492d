// The demo city's reply templates (常用语): the center's for every box, and a few of the first
// districts' own, kept by their managers, as the reply-templates module makes them.
import type { Database } from '../db/database.js';
import type { Role } from '../core/context.js';
import { createTemplate, type TemplateKind } from '../replytemplates/index.js';
import type { DemoCity } from './types.js';

const CENTER: { title: string; body: string; kinds: TemplateKind[] }[] = [
  {
    title: '答复开头',
    body: '{{称呼}}您好！您于{{受理日期}}反映的“{{诉求标题}}”（工单编号 {{工单编号}}）已收悉。{{承办单位}}经核实，现答复如下：',
    kinds: ['reply'],
  },
  { title: '答复结尾', body: '如您对办理结果仍有疑问，可再次拨打12345热线反映。感谢您对我们工作的理解和支持！', kinds: ['reply', 'co-reply'] },
  { title: '退回：不属于本单位职责', body: '经核实，该诉求不属于{{承办单位}}的职责范围，请热线中心转交相关主管部门办理。', kinds: ['return'] },
  { title: '退回：地址不详', body: '工单所述地址不详，无法到现场核实，请联系{{称呼}}补充具体位置后重新派单。', kinds: ['return'] },
  { title: '协办意见', body: '{{承办单位}}已按职责完成协办事项，情况如下：', kinds: ['co-reply'] },
  { title: '回访：已解决、满意', body: '{{称呼}}表示问题已经解决，对办理结果满意。', kinds: ['followup'] },
  { title: '回访：未解决', body: '{{称呼}}表示问题尚未解决，要求承办单位继续处理。', kinds: ['followup'] },
  { title: '回访：多次未接通', body: '回访电话多次无人接听，已按规定记录。', kinds: ['followup'] },
];

const UNIT: { title: string; body: string; kinds: TemplateKind[] }[] = [
  {
    title: '已派街道现场核查',
    body: '{{称呼}}您好！{{承办单位}}已安排属地街道工作人员到现场核查，处理情况如下：',
    kinds: ['reply'],
  },
  { title: '退回：属相邻区管辖', body: '经现场核实，该地址属相邻区管辖，不在{{承办单位}}辖区内，请重新派单。', kinds: ['return'] },
];

/** Templates of the center, and of the first three districts (by their managers). */
export async function seedTemplates(db: Database, city: DemoCity): Promise<number> {
  const adminId = (city.usersByRole.get('admin') ?? [])[0]!;
  const admin = { id: adminId, username: 'demo_admin', unitId: city.center.id, roles: ['admin' as Role] };
  let n = 0;
  await db.tx(async (q) => {
    for (const t of CENTER) {
      await createTemplate(q, admin, { scope: 'center', ...t });
      n++;
    }
    for (const d of city.districts.slice(0, 3)) {
      const { rows } = await q.query<{ id: number; username: string }>(
        "SELECT id, username FROM users WHERE unit_id = $1 AND active AND 'unit_manager' = ANY(roles) ORDER BY id LIMIT 1",
        [d.id],
      );
      const m = rows[0];
      if (!m) continue;
      const manager = { id: m.id, username: m.username, unitId: d.id, roles: ['unit_manager' as Role] };
      for (const t of UNIT) {
        await createTemplate(q, manager, { scope: 'unit', ...t });
        n++;
      }
    }
  });
  return n;
}
