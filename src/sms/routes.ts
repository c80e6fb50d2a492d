// Messages to citizens and liaisons (短信): the order listeners that write them, the delivery
// job, the admin's outbox, dead letters, templates, settings and liaisons, each order's
// messages, the provider's receipt and reply callbacks, and the citizen's rating page.
import { timingSafeEqual } from 'node:crypto';
import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { badRequest, forbidden, notFound, unauthorized } from '../core/errors.js';
import { setting } from '../core/config.js';
import { negotiateLanguage, translate } from '../core/i18n.js';
import { Id, IdParams, StringEnum } from '../http/schemas.js';
import { runPeriodically } from '../http/periodic.js';
import { redact } from '../open311/index.js';
import { decrypt, normalizePhone, phoneIndex, phoneOrThrow, sealCitizen } from '../privacy/index.js';
import { loadVisible, maskPhone, SATISFACTIONS } from '../workorders/index.js';
import {
  OPT_OUT,
  countSms,
  deliverSms,
  enqueueSms,
  isMobile,
  listSms,
  loadSmsSettings,
  notifyLiaisons,
  recordOptOut,
  recordReceipt,
  resendSms,
  type SmsDeliveryResult,
} from './outbox.js';
import { providerFromSettings } from './providers.js';
import { quietHoursFromSettings } from './quiet.js';
import { ratingPage, submitRating } from './rating.js';
import {
  DEFAULT_TEMPLATES,
  PLACEHOLDERS,
  SEGMENT,
  SMS_KINDS,
  loadTemplate,
  longestLength,
  placeholdersOf,
  unknownPlaceholders,
  type SmsKind,
} from './templates.js';

/** Placeholders a message cannot do without. */
const REQUIRED: Record<SmsKind, string[]> = {
  receipt: ['number', 'code'],
  reply: ['number'],
  followup: ['link'],
  liaison_urgent: ['number'],
  liaison_red: ['number'],
};

export const publicUrl = () => (setting('JIESU_PUBLIC_URL') ?? `http://${setting('HOST')}:${setting('PORT')}`).replace(/\/+$/, '');

export function routes(app: App, ctx: AppContext) {
  const { db, config } = ctx;

  // --- the messages orders cause, written with the order's own transaction ---
  ctx.orderListeners.push(async (q, { order, event }) => {
    const phone = order.citizen?.phone;
    if (event.type === 'created' && isMobile(phone)) {
      await enqueueSms(q, { kind: 'receipt', workorderId: order.id, phoneBidx: phoneIndex(normalizePhone(phone)), params: { number: order.number } });
    }
    if (event.type === 'replied' && isMobile(phone)) {
      // The gist never carries the citizen's name (nor numbers the reply may quote).
      const name = order.citizen?.name?.trim();
      let gist = redact(String(event.data.content ?? order.reply?.content ?? ''));
      if (name && name.length >= 2) gist = gist.split(name).join('市民');
      const bidx = phoneIndex(normalizePhone(phone));
      await enqueueSms(q, { kind: 'reply', workorderId: order.id, phoneBidx: bidx, params: { number: order.number, gist } });
      if ((await loadSmsSettings(q)).followup === 'sms') {
        await enqueueSms(q, { kind: 'followup', workorderId: order.id, phoneBidx: bidx, params: { number: order.number } });
      }
    }
    if (event.type === 'dispatched' && order.urgency === 'urgent') {
      const unitId = Number(event.data.unitId) || order.mainUnitId;
      const unit = (await q.query<{ name: string }>('SELECT name FROM units WHERE id = $1', [unitId])).rows[0]?.name ?? '';
      await notifyLiaisons(q, { kind: 'liaison_urgent', unitId, orderId: order.id, params: { number: order.number, unit, title: redact(order.title) } });
    }
  });

  const deliver = async (now: Date): Promise<SmsDeliveryResult> =>
    deliverSms(db, now, {
      provider: providerFromSettings((e) => app.log.info({ sms: e }, 'sms (log provider)')),
      quiet: quietHoursFromSettings(),
      timeZone: config.timeZone,
      publicUrl: publicUrl(),
    });
  if (config.slaIntervalSeconds > 0) {
    runPeriodically(app, config.slaIntervalSeconds * 1000, 'sms: deliver', async () => {
      const r = await deliver(new Date());
      if (r.sent || r.dead) app.log.info(r, 'sms: delivered');
    });
  }

  // --- the admin's side ---
  app.post(
    '/api/v1/sms/deliver',
    {
      schema: {
        tags: ['sms'],
        body: Type.Optional(Type.Object({ now: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false })),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      return deliver(req.body?.now ? new Date(req.body.now) : new Date());
    },
  );

  const Status = StringEnum(['pending', 'sent', 'dead', 'skipped'] as const);
  app.get(
    '/api/v1/sms/outbox',
    { schema: { tags: ['sms'], querystring: Type.Object({ status: Type.Optional(Status), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }) } },
    async (req) => {
      requireActor(req, 'admin');
      return { items: await listSms(db, req.query), counts: await countSms(db) };
    },
  );
  app.get(
    '/api/v1/sms/dead-letters',
    { schema: { tags: ['sms'], querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }) } },
    async (req) => {
      requireActor(req, 'admin');
      return { items: await listSms(db, { dead: true, limit: req.query.limit }) };
    },
  );
  app.post('/api/v1/sms/outbox/:id/resend', { schema: { tags: ['sms'], params: IdParams } }, async (req, reply) => {
    requireActor(req, 'admin');
    const id = await db.tx((q) => resendSms(q, req.params.id, new Date()));
    if (id == null) throw notFound('smsMessage', req.params.id);
    reply.code(201);
    return (await listSms(db, { limit: 1, status: undefined })).find((m) => m.id === id) ?? { id };
  });

  // Each order's messages, for whoever may see the order (numbers masked).
  app.get('/api/v1/workorders/:id/sms', { schema: { tags: ['sms'], params: IdParams } }, async (req) => {
    const actor = requireActor(req);
    const order = await loadVisible(db, actor, req.params.id);
    return { items: await listSms(db, { workorderId: order.id, limit: 200 }) };
  });

  // --- templates ---
  const describe = async (kind: SmsKind, lang: ReturnType<typeof negotiateLanguage>) => {
    const t = await loadTemplate(db, kind);
    const provider = setting('JIESU_SMS_PROVIDER');
    const signature = provider === 'tencent' ? [...(setting('JIESU_SMS_TENCENT_SIGN_NAME') ?? '')].length + 2 : 0;
    const longest = longestLength(kind, t.body, { signature, link: publicUrl().length + 15 });
    return {
      kind,
      body: t.body,
      defaultBody: DEFAULT_TEMPLATES[kind],
      isDefault: t.isDefault,
      providerTemplateId: t.providerTemplateId,
      placeholders: Object.keys(PLACEHOLDERS[kind]),
      longest,
      segment: SEGMENT,
      warning: longest > SEGMENT ? translate(lang, 'sms.tooLong', { length: longest, max: SEGMENT }) : null,
    };
  };
  const KindParams = Type.Object({ kind: StringEnum(SMS_KINDS) });
  app.get('/api/v1/sms/templates', { schema: { tags: ['sms'] } }, async (req) => {
    requireActor(req, 'admin');
    const lang = negotiateLanguage(req.headers['accept-language']);
    return { items: await Promise.all(SMS_KINDS.map((k) => describe(k, lang))), provider: setting('JIESU_SMS_PROVIDER') };
  });
  app.put(
    '/api/v1/sms/templates/:kind',
    {
      schema: {
        tags: ['sms'],
        params: KindParams,
        body: Type.Object(
          { body: Type.String({ minLength: 1, maxLength: 300 }), providerTemplateId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const actor = requireActor(req, 'admin');
      const { kind } = req.params;
      const body = req.body.body.trim();
      const unknown = unknownPlaceholders(kind, body);
      if (unknown.length) throw badRequest('sms.unknownPlaceholder', { names: unknown.map((p) => `{${p}}`).join('、') }, 'body');
      const missing = REQUIRED[kind].filter((p) => !placeholdersOf(body).includes(p));
      if (missing.length) throw badRequest('sms.missingPlaceholder', { names: missing.map((p) => `{${p}}`).join('、') }, 'body');
      await db.query(
        `INSERT INTO sms_templates (kind, body, provider_template_id, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind) DO UPDATE SET body = EXCLUDED.body, provider_template_id = EXCLUDED.provider_template_id, updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [kind, body, req.body.providerTemplateId?.trim() || null, actor.id],
      );
      return describe(kind, negotiateLanguage(req.headers['accept-language']));
    },
  );
  app.delete('/api/v1/sms/templates/:kind', { schema: { tags: ['sms'], params: KindParams } }, async (req) => {
    requireActor(req, 'admin');
    await db.query('DELETE FROM sms_templates WHERE kind = $1', [req.params.kind]);
    return describe(req.params.kind, negotiateLanguage(req.headers['accept-language']));
  });

  // --- the city's choices ---
  const settingsView = async () => {
    const quiet = quietHoursFromSettings();
    return {
      ...(await loadSmsSettings(db)),
      provider: setting('JIESU_SMS_PROVIDER'),
      quietHours: quiet ? `${quiet.from}-${quiet.to}` : null,
      ratingHours: setting('JIESU_SMS_RATING_HOURS'),
      perPhonePerHour: setting('JIESU_SMS_PHONE_PER_HOUR'),
      publicUrl: publicUrl(),
    };
  };
  app.get('/api/v1/sms/settings', { schema: { tags: ['sms'] } }, async (req) => {
    requireActor(req, 'admin', 'supervisor');
    return settingsView();
  });
  app.patch(
    '/api/v1/sms/settings',
    {
      schema: {
        tags: ['sms'],
        body: Type.Object(
          {
            followup: Type.Optional(StringEnum(['phone', 'sms'] as const)),
            liaisonUrgent: Type.Optional(Type.Boolean()),
            liaisonRed: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      requireActor(req, 'admin');
      const b = req.body;
      await db.query(
        `UPDATE sms_settings SET followup = COALESCE($1, followup), liaison_urgent = COALESCE($2, liaison_urgent), liaison_red = COALESCE($3, liaison_red), updated_at = now() WHERE id = 1`,
        [b.followup ?? null, b.liaisonUrgent ?? null, b.liaisonRed ?? null],
      );
      return settingsView();
    },
  );

  // --- liaisons (联络员) ---
  app.get('/api/v1/sms/liaisons', { schema: { tags: ['sms'], querystring: Type.Object({ unitId: Type.Optional(Id) }) } }, async (req) => {
    requireActor(req, 'admin');
    const { rows } = await db.query<any>(
      `SELECT l.id, l.unit_id, u.name AS unit_name, l.name, l.phone_enc FROM sms_liaisons l JOIN units u ON u.id = l.unit_id
        WHERE l.active AND ($1::int IS NULL OR l.unit_id = $1) ORDER BY u.name, l.id`,
      [req.query.unitId ?? null],
    );
    return {
      items: rows.map((r) => ({
        id: r.id,
        unitId: r.unit_id,
        unitName: r.unit_name,
        name: r.name,
        phone: maskPhone(normalizePhone(decrypt(r.phone_enc) ?? '')),
      })),
    };
  });
  app.post(
    '/api/v1/sms/liaisons',
    {
      schema: {
        tags: ['sms'],
        body: Type.Object(
          { unitId: Id, name: Type.String({ minLength: 1, maxLength: 50 }), phone: Type.String({ minLength: 3, maxLength: 30 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      requireActor(req, 'admin');
      const phone = phoneOrThrow(req.body.phone, 'phone');
      if (!isMobile(phone)) throw badRequest('sms.notMobile', {}, 'phone');
      if (!(await db.query('SELECT 1 FROM units WHERE id = $1', [req.body.unitId])).rowCount) throw notFound('unit', req.body.unitId);
      const sealed = sealCitizen({ phone });
      const { rows } = await db.query<{ id: number }>('INSERT INTO sms_liaisons (unit_id, name, phone_enc, phone_bidx) VALUES ($1, $2, $3, $4) RETURNING id', [
        req.body.unitId,
        req.body.name.trim(),
        sealed.phone_enc,
        sealed.phone_bidx,
      ]);
      reply.code(201);
      return { id: rows[0]!.id, unitId: req.body.unitId, name: req.body.name.trim(), phone: maskPhone(phone) };
    },
  );
  app.delete('/api/v1/sms/liaisons/:id', { schema: { tags: ['sms'], params: IdParams } }, async (req) => {
    requireActor(req, 'admin');
    const r = await db.query('UPDATE sms_liaisons SET active = false WHERE id = $1 AND active', [req.params.id]);
    if (!r.rowCount) throw notFound('liaison', req.params.id);
    return { id: req.params.id, active: false };
  });

  // --- the provider's callbacks: public, authenticated by the shared token ---
  const checkToken = (given: string | undefined) => {
    const want = setting('JIESU_SMS_CALLBACK_TOKEN');
    if (!want) throw forbidden('sms.callbacksOff');
    const a = Buffer.from(given ?? '');
    const b = Buffer.from(want);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw unauthorized('sms.badToken');
  };
  const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) });
  const tokenOf = (req: { query: { token?: string }; headers: Record<string, unknown> }) =>
    req.query.token ?? (typeof req.headers['x-jiesu-token'] === 'string' ? req.headers['x-jiesu-token'] : undefined);

  // Delivery receipts: Tencent's status report (an array with sid and report_status), or `{messageId, status}` from a gateway.
  const TencentReport = Type.Object({
    sid: Type.String({ maxLength: 100 }),
    report_status: Type.String({ maxLength: 20 }),
    errmsg: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
  });
  const GatewayReport = Type.Object({
    messageId: Type.String({ maxLength: 100 }),
    status: StringEnum(['delivered', 'failed'] as const),
    note: Type.Optional(Type.String({ maxLength: 200 })),
  });
  app.post(
    '/api/v1/sms/receipts',
    {
      config: { public: true },
      schema: { tags: ['sms'], querystring: TokenQuery, body: Type.Union([Type.Array(TencentReport, { maxItems: 1000 }), GatewayReport]) },
    },
    async (req) => {
      checkToken(tokenOf(req));
      const reports = Array.isArray(req.body)
        ? req.body.map((r) => ({ messageId: r.sid, delivered: r.report_status === 'SUCCESS', note: r.description ?? r.errmsg ?? null }))
        : [{ messageId: req.body.messageId, delivered: req.body.status === 'delivered', note: req.body.note ?? null }];
      let matched = 0;
      for (const r of reports) if (await recordReceipt(db, r)) matched++;
      return { result: 0, errmsg: 'OK', matched };
    },
  );
  // Replies from citizens (Tencent's reply callback has `mobile` and `text`; a gateway sends `from`).
  app.post(
    '/api/v1/sms/inbound',
    {
      config: { public: true },
      schema: {
        tags: ['sms'],
        querystring: TokenQuery,
        body: Type.Object({
          from: Type.Optional(Type.String({ maxLength: 30 })),
          mobile: Type.Optional(Type.String({ maxLength: 30 })),
          text: Type.String({ maxLength: 500 }),
        }),
      },
    },
    async (req) => {
      checkToken(tokenOf(req));
      const from = req.body.from ?? req.body.mobile;
      if (!from) throw badRequest('validation.required', { field: 'from' }, 'from');
      const phone = normalizePhone(from);
      const m = OPT_OUT.exec(req.body.text);
      if (m && isMobile(phone)) {
        await db.tx((q) => recordOptOut(q, phone, m[1]!, sealCitizen({ phone })));
        req.log.info({ from: maskPhone(phone) }, 'sms: opted out');
      }
      return { result: 0, errmsg: 'OK', optedOut: !!m };
    },
  );

  // --- the citizen's rating page (the link is the credential) ---
  const TokenParams = Type.Object({ token: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });
  app.get('/api/v1/sms/rating/:token', { config: { public: true }, schema: { tags: ['sms'], params: TokenParams } }, async (req) =>
    ratingPage(ctx, req.params.token),
  );
  app.post(
    '/api/v1/sms/rating/:token',
    {
      config: { public: true },
      schema: {
        tags: ['sms'],
        params: TokenParams,
        body: Type.Object(
          { satisfaction: StringEnum(SATISFACTIONS), resolved: Type.Boolean(), comment: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => submitRating(ctx, req.params.token, req.body),
  );
}
