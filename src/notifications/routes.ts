// The in-app inbox (每个用户的站内通知) and the webhook outbox for administrators.
import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { Id, IdParams, StringEnum } from '../http/schemas.js';
import { listNotifications, listOutbox, markAllRead, markRead } from './service.js';

const ListQuery = Type.Object({
  unread: Type.Optional(Type.Boolean()),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Id),
});

export function routes(app: App, ctx: AppContext) {
  const { db } = ctx;
  app.get('/api/v1/notifications', { schema: { tags: ['notifications'], querystring: ListQuery } }, async (req) =>
    listNotifications(db, requireActor(req).id, req.query),
  );
  app.post('/api/v1/notifications/:id/read', { schema: { tags: ['notifications'], params: IdParams } }, async (req) =>
    markRead(db, requireActor(req).id, req.params.id),
  );
  app.post('/api/v1/notifications/read-all', { schema: { tags: ['notifications'] } }, async (req) => ({
    updated: await markAllRead(db, requireActor(req).id),
  }));
  app.get(
    '/api/v1/webhooks/outbox',
    {
      schema: {
        tags: ['notifications'],
        querystring: Type.Object({
          status: Type.Optional(StringEnum(['pending', 'sent', 'dead'] as const)),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      return { items: await listOutbox(db, req.query) };
    },
  );
}
