// The departments' side, live in the demo city: after the history is loaded, a few open orders
// are passed down to a street (one signed there, one replied and waiting for the district's
// review), two ask to stop the clock (one approved), and unsatisfied surveys are appealed (one
// upheld, one rejected, one waiting). Each step goes through the same actions the web app takes,
// so its events, deadlines, notifications and measures are exactly as in daily use.
import type { Actor, AppContext } from '../core/context.js';
import { act, getOrder } from '../workorders/index.js';
import { fileAppeal, ruleAppeal } from '../appeals/index.js';

interface StaffRow {
  id: number;
  username: string;
  unit_id: number | null;
  roles: string[];
}

/** Runs the steps; returns how many were taken (a step the order's state refuses is skipped). */
export async function seedDepartmentSteps(ctx: AppContext): Promise<number> {
  const { rows: staff } = await ctx.db.query<StaffRow>(`SELECT id, username, unit_id, roles FROM users WHERE active AND password_hash <> '!' ORDER BY id`);
  const actor = (u: StaffRow): Actor => ({ id: u.id, username: u.username, unitId: u.unit_id, roles: u.roles as Actor['roles'] });
  const of = (role: string, unitId?: number) => {
    const u = staff.find((s) => s.roles.includes(role) && (unitId === undefined || s.unit_id === unitId));
    return u ? actor(u) : null;
  };
  let taken = 0;
  const step = async (who: Actor | null, id: number, action: string, body: Record<string, unknown> = {}) => {
    if (!who) return false;
    try {
      const { rows } = await ctx.db.query<{ version: number }>('SELECT version FROM workorders WHERE id = $1', [id]);
      await act(ctx, who, id, action, { version: rows[0]!.version, ...body });
      taken++;
      return true;
    } catch (err) {
      if (process.env.JIESU_DEMO_DEBUG) console.error(`demo: ${action} on ${id}: ${(err as Error).message}`);
      return false; // e.g. an order the history left waiting on an extension
    }
  };

  // 转派: open orders held by a district, passed to the street the address names; the first district's
  // first, as its people are among the printed demo logins.
  const { rows: held } = await ctx.db.query<{ id: number; status: string; unit: number; sub: number }>(
    `SELECT w.id, w.status, w.main_unit_id AS unit,
            (SELECT s.id FROM units s WHERE s.parent_id = w.main_unit_id AND s.kind = 'subdistrict'
              ORDER BY strpos(coalesce(w.address, ''), s.name) > 0 DESC, s.id LIMIT 1) AS sub
       FROM workorders w JOIN units u ON u.id = w.main_unit_id
      WHERE u.kind = 'district' AND w.status IN ('dispatched', 'accepted') AND w.suspension IS NULL AND w.pending_return IS NULL
      ORDER BY u.id, w.id DESC LIMIT 8`,
  );
  const transferred: { id: number; sub: number }[] = [];
  for (const o of held) {
    if (transferred.length === 3) break;
    const district = of('handler', o.unit);
    if (o.status === 'dispatched' && !(await step(district, o.id, 'sign'))) continue;
    if (await step(district, o.id, 'transfer-down', { unitId: o.sub, note: '请街道先行核实处置' })) transferred.push(o);
  }
  // The first stays waiting to be signed; the second is signed; the third is signed and replied.
  for (const [i, o] of transferred.entries()) {
    if (i === 0) continue;
    const street = of('handler', o.sub);
    if (!(await step(street, o.id, 'sign')) || i === 1) continue;
    await step(street, o.id, 'reply', { content: '街道已到现场核实并处置完毕，已向市民说明。', resolved: true });
  }

  // 挂起: two accepted orders wait on something outside the unit; the center approves one.
  const { rows: accepted } = await ctx.db.query<{ id: number; unit: number }>(
    `SELECT w.id, w.main_unit_id AS unit FROM workorders w
      WHERE w.status = 'accepted' AND w.suspension IS NULL AND w.pending_suspension IS NULL AND w.pending_return IS NULL
        AND w.transfer_chain = '[]'::jsonb AND w.id <> ALL($1::int[])
      ORDER BY w.main_unit_id, w.id DESC LIMIT 6`,
    [held.map((o) => o.id)],
  );
  let suspended = 0;
  for (const o of accepted) {
    if (suspended === 2) break;
    const holder = of('handler', o.unit);
    if (!(await step(holder, o.id, 'request-suspension', { reason: '需等待第三方检测机构出具鉴定结果', workingDays: 3 }))) continue;
    if (suspended === 0) await step(of('dispatcher'), o.id, 'approve-suspension', { note: '同意，鉴定结果出具后请及时恢复办理' });
    suspended++;
  }

  // 申诉: units contest recent unsatisfied surveys; the supervisor upholds one and rejects one.
  const { rows: surveyed } = await ctx.db.query<{ id: number; unit: number | null }>(
    `SELECT e.workorder_id AS id,
            (SELECT (d.data->>'unitId')::int FROM workorder_events d
              WHERE d.workorder_id = e.workorder_id AND d.type = 'dispatched' AND d.seq < e.seq ORDER BY d.seq DESC LIMIT 1) AS unit
       FROM workorder_events e
      WHERE e.type = 'surveyed' AND e.data->>'satisfaction' = 'unsatisfied' AND e.at > now() - interval '3 days'
      ORDER BY e.at DESC LIMIT 12`,
  );
  const supervisor = of('supervisor');
  const rulings: ({ decision: 'upheld' | 'rejected'; note: string } | null)[] = [
    { decision: 'upheld', note: '经核实，回访记录与市民诉求不符，申诉成立' },
    { decision: 'rejected', note: '回访录音显示市民明确表示不满意，申诉不成立' },
    null,
  ];
  let appealed = 0;
  for (const o of surveyed) {
    if (appealed === rulings.length || o.unit == null) continue;
    const unit = of('handler', o.unit);
    if (!unit) continue;
    try {
      const order = await getOrder(ctx, unit, o.id);
      await fileAppeal(ctx, unit, o.id, { version: order.version, kind: 'survey_error', reason: '已按要求处置完毕，市民不满意的是另一处问题' });
      taken++;
    } catch {
      continue;
    }
    const ruling = rulings[appealed++];
    if (ruling && supervisor) {
      const order = await getOrder(ctx, supervisor, o.id);
      await ruleAppeal(ctx, supervisor, o.id, { version: order.version, ...ruling });
      taken++;
    }
  }
  return taken;
}
