// Appeals (申诉): two order actions in the lifecycle's path shape
// (POST /api/v1/workorders/{id}/actions/appeal and …/rule-appeal), the appeals list and the
// window setting. The appeal itself is shown on the order (GET /api/v1/workorders/{id}: `appeal`).
import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { Id, IdParams, Nullable, StringEnum, Text } from '../http/schemas.js';
import {
  APPEAL_DECISIONS,
  APPEAL_KINDS,
  APPEAL_STATUSES,
  appealListener,
  appealView,
  fileAppeal,
  listAppeals,
  loadAppealSettings,
  ruleAppeal,
  saveAppealSettings,
} from './service.js';

const Version = Type.Integer({ minimum: 1, description: 'the order version the client last saw' });

const AppealBody = Type.Object(
  {
    version: Version,
    kind: StringEnum(APPEAL_KINDS, { description: 'unreasonable (不合理诉求), not_our_duty (非本单位职责), survey_error (回访结果有误)' }),
    reason: Text(2000),
    attachments: Type.Optional(Type.Array(Id, { maxItems: 30, description: "ids of the order's files that support it" })),
  },
  { additionalProperties: false },
);
const RulingBody = Type.Object(
  {
    version: Version,
    decision: StringEnum(APPEAL_DECISIONS),
    note: Text(2000),
    unitId: Nullable(Id),
  },
  { additionalProperties: false },
);

export function routes(app: App, ctx: AppContext) {
  const { db } = ctx;
  ctx.orderListeners.push(appealListener);
  (ctx.orderViews ??= []).push((q, actor, order) => appealView(q, ctx, actor, order));

  app.post(
    '/api/v1/workorders/:id/actions/appeal',
    {
      schema: {
        tags: ['workorders'],
        description: 'The assessed unit (its handler or manager) contests the latest survey, within appealWindowDays working days of it.',
        params: IdParams,
        body: AppealBody,
      },
    },
    async (req) => fileAppeal(ctx, requireActor(req), req.params.id, req.body),
  );
  app.post(
    '/api/v1/workorders/:id/actions/rule-appeal',
    {
      schema: {
        tags: ['workorders'],
        description: 'A supervisor upholds or rejects the waiting appeal; unitId names the responsible unit when a not_our_duty appeal is upheld.',
        params: IdParams,
        body: RulingBody,
      },
    },
    async (req) => ruleAppeal(ctx, requireActor(req), req.params.id, req.body),
  );

  app.get(
    '/api/v1/appeals',
    {
      schema: {
        tags: ['appeals'],
        description: "Appeals, newest first: all of them for the center, the unit's own for its people.",
        querystring: Type.Object({
          status: Type.Optional(StringEnum(APPEAL_STATUSES)),
          unitId: Type.Optional(Id),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          cursor: Type.Optional(Id),
        }),
      },
    },
    async (req) => listAppeals(db, requireActor(req), req.query),
  );

  app.get('/api/v1/appeals/settings', { schema: { tags: ['appeals'] } }, async (req) => {
    requireActor(req);
    return loadAppealSettings(db);
  });
  app.put(
    '/api/v1/appeals/settings',
    {
      schema: {
        tags: ['appeals'],
        body: Type.Object(
          { appealWindowDays: Type.Integer({ minimum: 1, maximum: 60, description: 'working days after the survey in which a unit may appeal' }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      return saveAppealSettings(db, req.body);
    },
  );
}
