// Follow-up (回访): the queue of replied orders for follow-up agents, with the script to
// read, and the rule that an unsatisfied or unresolved order goes back to the same unit.
// The outcomes themselves are work-order actions: `survey` and `survey-unreachable`. An order
// whose citizen was asked by text message (src/sms) waits for that answer until its link expires.
import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { DEFAULT_LANGUAGE, translate } from '../core/i18n.js';
import { appendSystemEvent, dispatchedUnitId, present } from '../workorders/index.js';
import { fromRow, type WorkOrder } from '../workorders/index.js';
import { awaitingSmsRating } from '../sms/index.js';

export interface QueueItem {
  order: WorkOrder;
  unitName: string | null;
  script: string;
  /** When the next call may be made (now or later, after an unreachable attempt). */
  dueAt: string;
}

/** The words a follow-up agent reads to the citizen. */
export function surveyScript(order: WorkOrder, unitName: string | null, timeZone: string): string {
  const date = new Intl.DateTimeFormat('zh-CN', { timeZone, month: 'long', day: 'numeric' }).format(new Date(order.createdAt));
  return [
    `您好！这里是12345政务服务便民热线回访。`,
    `您于${date}反映的“${order.title}”（工单号 ${order.number}），${unitName ?? '承办单位'}已答复：“${order.reply?.content ?? ''}”。`,
    `请问：1. 您对办理结果是满意、基本满意还是不满意？ 2. 您反映的问题是否已经解决？`,
  ].join('\n');
}

export function routes(app: App, ctx: AppContext) {
  const { db, config } = ctx;

  // 重办: an unsatisfied or unresolved survey sends the order straight back to its unit.
  ctx.orderListeners.push(async (q, { order, event }) => {
    if (event.type !== 'surveyed' || !event.data.reopened || !config.survey.reopenToSameUnit || order.mainUnitId == null) return;
    await appendSystemEvent(ctx, q, order.id, 'dispatched', {
      // After a transfer down, back to the unit the center dispatched to, which passes it down again if it must.
      unitId: dispatchedUnitId(order)!,
      coUnitIds: order.coUnitIds,
      note: translate(DEFAULT_LANGUAGE, 'survey.reopenedNote'),
    });
  });

  app.get(
    '/api/v1/survey/queue',
    {
      schema: {
        tags: ['survey'],
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }), includeWaiting: Type.Boolean({ default: false }) }),
      },
    },
    async (req) => {
      const actor = requireActor(req, 'followup', 'supervisor');
      const retryMs = config.survey.retryAfterMinutes * 60_000;
      // Oldest replies first; orders waiting for their retry slot come after, or not at all.
      const { rows } = await db.query(
        `SELECT w.*, u.name AS unit_name,
                COALESCE(w.last_survey_attempt_at + ($1::int * interval '1 millisecond'), w.replied_at) AS due_at
           FROM workorders w LEFT JOIN units u ON u.id = w.main_unit_id
          WHERE w.status = 'replied' AND NOT ${awaitingSmsRating('w')}
            AND ($2::boolean OR w.last_survey_attempt_at IS NULL OR w.last_survey_attempt_at <= now() - ($1::int * interval '1 millisecond'))
          ORDER BY (w.last_survey_attempt_at IS NOT NULL AND w.last_survey_attempt_at > now() - ($1::int * interval '1 millisecond')), w.replied_at, w.id
          LIMIT $3`,
        [retryMs, req.query.includeWaiting, req.query.limit],
      );
      const items: QueueItem[] = [];
      for (const r of rows as Record<string, any>[]) {
        const order = fromRow(r);
        items.push({
          order: await present(db, actor, order, { reveal: true }),
          unitName: r.unit_name,
          script: surveyScript(order, r.unit_name, config.timeZone),
          dueAt: (r.due_at as Date).toISOString(),
        });
      }
      const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM workorders w WHERE w.status = 'replied' AND NOT ${awaitingSmsRating('w')}`))
        .rows[0]!.n;
      return { items, total, rules: config.survey };
    },
  );
}
