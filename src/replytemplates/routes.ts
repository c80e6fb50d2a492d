// Reply templates (常用语): /api/v1/reply-templates. Every member of staff reads the center's
// and their own unit's; the center's are kept by admins, dispatchers and supervisors, a unit's by
// its managers. `…/{id}/render?workorderId=` fills the placeholders for one order.
import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { Id, IdParams, Nullable, StringEnum, Text } from '../http/schemas.js';
import { TEMPLATE_KINDS, TEMPLATE_SCOPES, createTemplate, deleteTemplate, getTemplate, listTemplates, renderTemplate, updateTemplate } from './service.js';
import { PLACEHOLDERS } from './render.js';

const Kinds = Type.Array(StringEnum(TEMPLATE_KINDS), { minItems: 1, maxItems: TEMPLATE_KINDS.length, uniqueItems: true });
const Fields = {
  title: Text(100),
  body: Text(4000),
  kinds: Kinds,
};
const placeholderDoc = Object.values(PLACEHOLDERS)
  .map(([zh, en]) => `{{${zh}}} / {{${en}}}`)
  .join(', ');

export function routes(app: App, ctx: AppContext) {
  const { db } = ctx;
  const tags = ['reply-templates'];

  app.get(
    '/api/v1/reply-templates',
    {
      schema: {
        tags,
        description: "The center-wide templates and those of the reader's unit.",
        querystring: Type.Object({ kind: Type.Optional(StringEnum(TEMPLATE_KINDS, { description: 'only those offered in this box' })) }),
      },
    },
    async (req) => ({ items: await listTemplates(db, requireActor(req), req.query) }),
  );
  app.post(
    '/api/v1/reply-templates',
    {
      schema: {
        tags,
        description: `A new template. Placeholders: ${placeholderDoc}. A unit's template belongs to the writer's unit unless unitId names another.`,
        body: Type.Object({ scope: StringEnum(TEMPLATE_SCOPES), unitId: Nullable(Id), ...Fields }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      return reply.status(201).send(await db.tx((q) => createTemplate(q, actor, req.body)));
    },
  );
  app.get('/api/v1/reply-templates/:id', { schema: { tags, params: IdParams } }, async (req) => getTemplate(db, requireActor(req), req.params.id));
  app.put('/api/v1/reply-templates/:id', { schema: { tags, params: IdParams, body: Type.Object(Fields, { additionalProperties: false }) } }, async (req) => {
    const actor = requireActor(req);
    return db.tx((q) => updateTemplate(q, actor, req.params.id, req.body));
  });
  app.delete('/api/v1/reply-templates/:id', { schema: { tags, params: IdParams } }, async (req, reply) => {
    const actor = requireActor(req);
    await db.tx((q) => deleteTemplate(q, actor, req.params.id));
    return reply.status(204).send();
  });
  app.get(
    '/api/v1/reply-templates/:id/render',
    {
      schema: {
        tags,
        description:
          'The template with its placeholders filled for one order the reader may see (the salutation never shows more of the name than the reader may).',
        params: IdParams,
        querystring: Type.Object({ workorderId: Id }),
      },
    },
    async (req) => renderTemplate(ctx, requireActor(req), req.params.id, req.query.workorderId),
  );
}
