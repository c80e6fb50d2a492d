// 答复审核: tells the unit's managers that a reply waits for them, and the handler when it is
// sent back. The rules themselves are in lifecycle.ts (reply, approve-reply, reject-reply).
import type { OrderEventListener } from '../http/context.js';
import { notifyUsers } from '../notifications/service.js';

export const reviewListener: OrderEventListener = async (q, { order, event }) => {
  const link = { workorderId: order.id, data: { number: order.number } };
  if (event.type === 'reply_submitted' && order.mainUnitId != null) {
    const { rows } = await q.query<{ id: number }>(
      "SELECT id FROM users WHERE unit_id = $1 AND active AND 'unit_manager' = ANY(roles)",
      [order.mainUnitId],
    );
    await notifyUsers(q, rows.map((r) => r.id), {
      kind: 'reply.review', title: `答复待审核 ${order.number}`, body: `${order.title}：经办人提交了答复，请审核后发出 (a reply waits for your approval)`, ...link,
    });
  } else if (event.type === 'reply_rejected' && event.data.submittedBy != null) {
    await notifyUsers(q, [event.data.submittedBy], {
      kind: 'reply.rejected', title: `答复被退回修改 ${order.number}`, body: `${order.title}：${event.data.reason}`, ...link,
    });
  }
};
