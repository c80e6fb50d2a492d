// Manager review (答复审核, and extension requests): tells the unit's managers that a reply or
// an extension request waits for them, and the handler when it is turned down. The rules
// themselves are in lifecycle.ts (reply, approve-reply, reject-reply, endorse/decline-extension).
import type { OrderEventListener } from '../core/context.js';
import { notifyUsers } from '../notifications/index.js';
import { unitManagerIds } from '../org/index.js';

export const reviewListener: OrderEventListener = async (q, { order, previous, event }) => {
  const link = (data: Record<string, unknown> = {}) => ({ workorderId: order.id, data: { number: order.number, title: order.title, ...data } });
  const managers = () => unitManagerIds(q, order.mainUnitId!);
  // A reply waiting for the unit above (after a transfer down) is departments.ts's to announce.
  if (event.type === 'reply_submitted' && event.data.stage !== 'upper' && order.mainUnitId != null) {
    await notifyUsers(q, await managers(), {
      kind: 'reply.review',
      title: `答复待审核 ${order.number}`,
      body: `${order.title}：经办人提交了答复，请审核后发出`,
      ...link(),
    });
  } else if (event.type === 'extension_requested' && event.data.endorsed === false && order.mainUnitId != null) {
    await notifyUsers(q, await managers(), {
      kind: 'extension.review',
      title: `延期申请待审核 ${order.number}`,
      body: `${order.title}：申请延期 ${event.data.days} 天，${event.data.reason}`,
      ...link({ days: event.data.days, reason: event.data.reason }),
    });
  } else if (event.type === 'extension_rejected' && event.data.by === 'unit' && previous?.pendingExtension?.requestedBy != null) {
    await notifyUsers(q, [previous.pendingExtension.requestedBy], {
      kind: 'extension.declined',
      title: `延期申请未获本单位同意 ${order.number}`,
      body: `${order.title}：${event.data.reason ?? ''}`,
      ...link({ reason: event.data.reason ?? null }),
    });
  } else if (event.type === 'reply_rejected' && previous?.pendingReply?.by != null) {
    await notifyUsers(q, [previous.pendingReply.by], {
      kind: 'reply.rejected',
      title: `答复被退回修改 ${order.number}`,
      body: `${order.title}：${event.data.reason}`,
      ...link({ reason: event.data.reason }),
    });
  }
};
