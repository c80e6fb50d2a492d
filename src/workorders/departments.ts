// The departments' side (转派, 协办, 指定经办人, 挂起, 退单审核 / 终审): tells the people who
// must act next, and sends an order the final ruling named to that unit. The rules themselves
// are in lifecycle.ts; like review.ts this runs inside the transaction of the event.
import type { Queryable } from '../db/database.js';
import type { AppContext, OrderEventListener, Role } from '../core/context.js';
import { cityTimeText } from '../core/time.js';
import { notifyUsers } from '../notifications/index.js';
import { appendSystemEvent } from './service.js';

/** The active handlers and managers of a unit. */
async function unitStaff(q: Queryable, unitId: number | null | undefined): Promise<number[]> {
  if (unitId == null) return [];
  const { rows } = await q.query<{ id: number }>(
    `SELECT id FROM users WHERE unit_id = $1 AND active AND roles && '{handler,unit_manager}'::text[] ORDER BY id`,
    [unitId],
  );
  return rows.map((r) => r.id);
}

/** The active users with one of the center's roles. */
async function withRole(q: Queryable, roles: Role[]): Promise<number[]> {
  const { rows } = await q.query<{ id: number }>('SELECT id FROM users WHERE active AND roles && $1::text[] ORDER BY id', [roles]);
  return rows.map((r) => r.id);
}

async function unitName(q: Queryable, id: number | null | undefined): Promise<string> {
  if (id == null) return '';
  const { rows } = await q.query<{ name: string }>('SELECT name FROM units WHERE id = $1', [id]);
  return rows[0]?.name ?? '';
}

export function departmentsListener(ctx: AppContext): OrderEventListener {
  const at = (t: string) => cityTimeText(t, 'zh-CN', ctx.config.timeZone);
  return async (q, { order, previous, event }) => {
    const d = event.data;
    const send = (userIds: number[], kind: string, title: string, body: string, data: Record<string, unknown> = {}) =>
      notifyUsers(q, userIds, {
        kind,
        title: `${title} ${order.number}`,
        body: `${order.title}：${body}`,
        workorderId: order.id,
        data: { number: order.number, title: order.title, ...data },
      });
    switch (event.type) {
      case 'transferred_down': {
        const from = await unitName(q, d.fromUnitId);
        const due = d.internalDueAt ? `，内部期限 ${at(d.internalDueAt)}` : '';
        await send(await unitStaff(q, d.unitId), 'transfer.received', '转派工单待签收', `${from}转派至本单位，请签收办理${due}`, {
          fromUnitId: d.fromUnitId,
          internalDueAt: d.internalDueAt ?? null,
        });
        return;
      }
      case 'transfer_returned':
        await send(await unitStaff(q, d.toUnitId), 'transfer.returned', '下级单位退回工单', `${await unitName(q, d.fromUnitId)}退回：${d.reason}`, {
          reason: d.reason,
        });
        return;
      case 'reply_submitted':
      case 'reply_forwarded':
        if (d.stage === 'upper' || event.type === 'reply_forwarded') {
          await send(await unitStaff(q, d.reviewUnitId), 'reply.upperReview', '下级单位答复待审核', `${await unitName(q, order.mainUnitId)}提交了答复，请审核`);
        }
        return;
      case 'assigned':
        await send([d.userId], 'workorder.assigned', '工单指定由您办理', '本单位负责人指定您为经办人');
        return;
      case 'co_replied': {
        const lead = order.assigneeId != null ? [order.assigneeId] : await unitStaff(q, order.mainUnitId);
        await send(lead, 'coreply.received', '协办意见已提交', `${await unitName(q, d.unitId)}提交了协办意见`, { unitId: d.unitId });
        return;
      }
      case 'suspension_requested':
        await send(await withRole(q, ['dispatcher', 'supervisor']), 'suspension.review', '挂起申请待审批', `申请挂起 ${d.workingDays} 个工作日，${d.reason}`, {
          days: d.workingDays,
          reason: d.reason,
        });
        return;
      case 'suspension_approved':
      case 'suspension_rejected': {
        const requester = previous?.pendingSuspension?.requestedBy;
        const approved = event.type === 'suspension_approved';
        await send(
          requester != null ? [requester] : await unitStaff(q, order.mainUnitId),
          approved ? 'suspension.approved' : 'suspension.rejected',
          approved ? '挂起申请已批准' : '挂起申请被驳回',
          approved ? `暂停计时至 ${at(d.endsAt)}` : (d.reason ?? ''),
          approved ? { endsAt: d.endsAt } : { reason: d.reason ?? null },
        );
        return;
      }
      case 'suspension_ended':
        if (d.automatic) await send(await unitStaff(q, order.mainUnitId), 'suspension.ended', '挂起期满，恢复计时', '挂起期限已到，时限恢复计算，请继续办理');
        return;
      case 'return_requested':
        await send(await withRole(q, ['dispatcher']), 'return.review', '退回申请待审核', `${await unitName(q, order.mainUnitId)}申请退回：${d.reason}`, {
          reason: d.reason,
        });
        return;
      case 'return_rejected': {
        const by = previous?.pendingReturn?.by;
        await send(by != null ? [by] : await unitStaff(q, order.mainUnitId), 'return.rejected', '退回申请未获同意', d.reason, { reason: d.reason });
        return;
      }
      case 'returned':
        if (d.toRuling)
          await send(await withRole(q, ['supervisor']), 'ruling.required', '工单两次退回待终审', `最近一次退回：${d.reason}`, { reason: d.reason });
        return;
      case 'final_ruling': {
        // The named unit gets the order at once, by the supervisor's hand; it cannot return it.
        await appendSystemEvent(
          ctx,
          q,
          order.id,
          'dispatched',
          { unitId: d.unitId, coUnitIds: order.coUnitIds.filter((u) => u !== d.unitId), note: d.note ?? null, ruling: true },
          event.actorId,
        );
        await send(await unitStaff(q, d.unitId), 'ruling.decided', '终审确定由本单位承办', '经终审由本单位承办，不能再退回，请签收办理');
        return;
      }
    }
  };
}
