// The citizen portal: submit a request (with a challenge and rate limits), track it with
// its number and query code, rate the reply once. Answers carry no personal data and
// no staff names.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import type { AppContext } from '../core/context.js';
import { AppError, badRequest, conflict, notFound } from '../core/errors.js';
import { DEFAULT_LANGUAGE, hasMessage, translate, type Language } from '../core/i18n.js';
import { createChannelOrder, redact, systemActor } from '../open311/index.js';
import { act, fromRow } from '../workorders/index.js';
import { checkFile, storeAttachment, type NewFile } from '../workorders/index.js';
import { isCallbackPhone, phoneIndex } from '../privacy/index.js';
import { setting } from '../core/config.js';
import { newCode, sha256, storeQueryCode } from './codes.js';

export const LIMITS = {
  /** Submissions per IP per hour. */
  ipPerHour: setting('JIESU_PORTAL_IP_PER_HOUR'),
  /** Submissions per phone number per day. */
  phonePerDay: setting('JIESU_PORTAL_PHONE_PER_DAY'),
  /** Tracking look-ups per IP per minute (guards the query codes against guessing). */
  lookupsPerMinute: setting('JIESU_PORTAL_LOOKUPS_PER_MINUTE'),
  photoBytes: 512 * 1024,
  photos: 3,
  challengeSeconds: 600,
};

const tooMany = () => new AppError(429, 'rate_limited', 'portal.tooMany');

/** Counts one hit in a fixed window shared by all nodes; throws 429 above the limit. */
export async function hit(q: Queryable, bucket: string, windowSeconds: number, limit: number): Promise<void> {
  const windowStart = new Date(Math.floor(Date.now() / (windowSeconds * 1000)) * windowSeconds * 1000);
  const { rows } = await q.query<{ count: number }>(
    `INSERT INTO portal_rate_limits (bucket, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (bucket, window_start) DO UPDATE SET count = portal_rate_limits.count + 1 RETURNING count`,
    [bucket, windowStart],
  );
  if (Math.random() < 0.02) {
    await q.query(`DELETE FROM portal_rate_limits WHERE window_start < now() - interval '2 days'`);
    await q.query('DELETE FROM portal_used_challenges WHERE expires_at < now()');
  }
  if (rows[0]!.count > limit) throw tooMany();
}

// ---- challenge: an arithmetic question, its answer bound into an HMAC-signed token ----

const secrets = new WeakMap<Queryable, Promise<string>>();
function secret(db: Queryable): Promise<string> {
  const configured = setting('JIESU_PORTAL_SECRET');
  if (configured) return Promise.resolve(configured);
  let s = secrets.get(db);
  if (!s) {
    s = (async () => {
      await db.query(`INSERT INTO portal_secrets (name, secret) VALUES ('challenge', $1) ON CONFLICT (name) DO NOTHING`, [randomBytes(32).toString('hex')]);
      return (await db.query<{ secret: string }>(`SELECT secret FROM portal_secrets WHERE name = 'challenge'`)).rows[0]!.secret;
    })();
    secrets.set(db, s);
  }
  return s;
}

const sign = (key: string, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

export async function newChallenge(db: Queryable): Promise<{ question: string; token: string; expiresAt: string }> {
  const a = randomInt(1, 20);
  const b = randomInt(1, 20);
  const plus = randomInt(0, 2) === 0 || a < b;
  const answer = plus ? a + b : a - b;
  const exp = Math.floor(Date.now() / 1000) + LIMITS.challengeSeconds;
  const nonce = randomBytes(12).toString('base64url');
  const token = `${exp}.${nonce}.${sign(await secret(db), `${exp}.${nonce}.${answer}`)}`;
  return { question: `${a} ${plus ? '+' : '-'} ${b} = ?`, token, expiresAt: new Date(exp * 1000).toISOString() };
}

/** Checks the answer and burns the challenge (each one may be used once). */
export async function checkChallenge(db: Queryable, token: string, answer: string): Promise<void> {
  const wrong = () => badRequest('portal.wrongChallenge', {}, 'challengeAnswer');
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m || !/^-?\d{1,4}$/.test(answer.trim())) throw wrong();
  const exp = Number(m[1]);
  if (exp * 1000 < Date.now()) throw wrong();
  const expected = Buffer.from(sign(await secret(db), `${exp}.${m[2]}.${Number(answer.trim())}`));
  const given = Buffer.from(m[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw wrong();
  const used = await db.query('INSERT INTO portal_used_challenges (nonce, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [m[2], new Date(exp * 1000)]);
  if (used.rowCount === 0) throw wrong();
}

// ---- photos as data URLs ----

/** A photo sent as a data URL, checked like any file on an order (src/workorders/attachments.ts). */
export function decodePhoto(dataUrl: string, i: number): NewFile {
  const field = `photos.${i}`;
  const m = /^data:(image\/(?:jpeg|png|webp));base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl);
  if (!m) throw badRequest('portal.photoType', {}, field);
  const data = Buffer.from(m[2]!, 'base64');
  if (data.length > LIMITS.photoBytes) throw badRequest('portal.photoTooLarge', { kb: LIMITS.photoBytes / 1024 }, field);
  const contentType = m[1]!;
  checkFile({ contentType, data }, field);
  return { name: `市民照片-${i + 1}.${contentType.slice(6).replace('jpeg', 'jpg')}`, contentType, data };
}

// ---- submit, track, rate ----

export interface SubmitInput {
  categoryCode: string;
  address: string;
  lat?: number;
  lng?: number;
  content: string;
  phone: string;
  name?: string;
  photos?: string[];
  challengeToken: string;
  challengeAnswer: string;
}

const normalisePhone = (p: string) => p.replace(/[\s-]/g, '');

export async function submit(ctx: AppContext, ip: string, input: SubmitInput): Promise<{ number: string; queryCode: string }> {
  const { db } = ctx;
  await hit(db, `submit:ip:${ip}`, 3600, LIMITS.ipPerHour);
  await checkChallenge(db, input.challengeToken, input.challengeAnswer);
  if ((input.lat == null) !== (input.lng == null)) throw badRequest('validation.latLng', {}, 'lat');
  const photos = (input.photos ?? []).map(decodePhoto);
  const phone = normalisePhone(input.phone);
  if (!isCallbackPhone(phone)) throw badRequest('validation.phone', { field: 'phone' }, 'phone');
  await hit(db, `submit:phone:${phoneIndex(phone)}`, 86400, LIMITS.phonePerDay);
  const queryCode = newCode();
  const { order } = await createChannelOrder(
    ctx,
    {
      channel: 'portal',
      serviceCode: input.categoryCode,
      description: input.content.trim(),
      address: input.address.trim(),
      lat: input.lat ?? null,
      lng: input.lng ?? null,
      name: input.name?.trim() || null,
      phone,
    },
    async (q, order) => {
      await storeQueryCode(q, order.id, queryCode);
      for (const p of photos) await storeAttachment(q, order.id, p, null);
    },
  );
  return { number: order.number, queryCode };
}

/** The order behind a number and query code; a wrong code looks exactly like an unknown number. */
async function loadByCode(q: Queryable, number: string, code: string) {
  const { rows } = await q.query(
    `SELECT w.*, p.rating AS portal_rating, p.rated_at AS portal_rated_at, s.service_name
       FROM workorders w JOIN portal_requests p ON p.workorder_id = w.id
       LEFT JOIN open311_services s ON s.service_code = w.category_code
      WHERE w.number = $1 AND p.code_hash = $2`,
    [number, sha256(code.trim().toUpperCase())],
  );
  if (!rows[0]) throw notFound('request', number);
  return rows[0];
}

// What the citizen reads of the order's state and history, in their language.
function statusText(lang: Language, status: string): string {
  const key = `portal.status.${status}`;
  return hasMessage(key) ? translate(lang, key) : status;
}

function timelineEntry(lang: Language, type: string, data: Record<string, any>, unitNames: Map<number, string>): string | null {
  switch (type) {
    case 'created':
      return translate(lang, 'portal.event.created');
    case 'dispatched': {
      const unit = unitNames.get(data.unitId);
      return unit ? translate(lang, 'portal.event.dispatched', { unit }) : translate(lang, 'portal.event.dispatchedToUnit');
    }
    case 'signed':
      return translate(lang, 'portal.event.signed');
    case 'returned':
      return translate(lang, 'portal.event.returned');
    case 'extension_approved':
      return translate(lang, 'portal.event.extended', { days: Number(data.days) });
    case 'replied':
      return translate(lang, 'portal.event.replied');
    case 'surveyed':
      return translate(lang, data.reopened ? 'portal.event.reopened' : 'portal.event.rated');
    case 'closed':
      return translate(lang, data.reason === 'duplicate' ? 'portal.event.merged' : 'portal.event.closed');
    case 'supervised':
      return translate(lang, 'portal.event.supervised');
    default:
      return null;
  }
}

export async function track(ctx: AppContext, ip: string, number: string, code: string, lang: Language = DEFAULT_LANGUAGE) {
  const { db } = ctx;
  await hit(db, `track:ip:${ip}`, 60, LIMITS.lookupsPerMinute);
  const row = await loadByCode(db, number, code);
  const order = fromRow(row);
  const { rows: events } = await db.query<{ type: string; at: Date; data: Record<string, any> }>(
    'SELECT type, at, data FROM workorder_events WHERE workorder_id = $1 ORDER BY seq',
    [order.id],
  );
  const unitIds = [...new Set(events.filter((e) => e.type === 'dispatched').map((e) => Number(e.data.unitId)))];
  const unitNames = new Map<number, string>();
  if (unitIds.length) {
    const { rows } = await db.query<{ id: number; name: string }>('SELECT id, name FROM units WHERE id = ANY($1::int[])', [unitIds]);
    for (const u of rows) unitNames.set(u.id, u.name);
  }
  const replies = events
    .filter((e) => e.type === 'replied')
    .map((e) => ({ at: e.at.toISOString(), content: String(e.data.content), resolved: Boolean(e.data.resolved) }));
  return {
    number: order.number,
    status: order.status,
    statusText: statusText(lang, order.status),
    category: row.service_name ?? order.categoryCode,
    address: order.location?.address ?? null,
    content: redact(order.content),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    timeline: events
      .map((e) => ({ at: e.at.toISOString(), text: timelineEntry(lang, e.type, e.data, unitNames) }))
      .filter((e): e is { at: string; text: string } => e.text !== null),
    replies,
    rating: row.portal_rating ?? null,
    canRate: order.reply != null && row.portal_rated_at == null,
  };
}

export async function rate(
  ctx: AppContext,
  ip: string,
  number: string,
  body: { code: string; satisfaction: 'satisfied' | 'basically_satisfied' | 'unsatisfied'; resolved: boolean; note?: string },
) {
  const { db } = ctx;
  await hit(db, `track:ip:${ip}`, 60, LIMITS.lookupsPerMinute);
  const row = await loadByCode(db, number, body.code);
  const order = fromRow(row);
  if (!order.reply) throw conflict('not_replied', 'portal.notReplied');
  const rating = { satisfaction: body.satisfaction, resolved: body.resolved, note: body.note ?? null };
  const r = await db.query('UPDATE portal_requests SET rating = $2, rated_at = now() WHERE workorder_id = $1 AND rated_at IS NULL', [
    order.id,
    JSON.stringify(rating),
  ]);
  if (r.rowCount === 0) throw conflict('already_rated', 'portal.alreadyRated');
  // While the order waits for its follow-up, the citizen's rating is the survey.
  if (order.status === 'replied') {
    try {
      const actor = await systemActor(db, 'portal', '网上诉求门户', ['followup']);
      await act(ctx, actor, order.id, 'survey', { version: order.version, ...rating, note: body.note ?? '市民网上评价 (rated on the portal)' });
    } catch (err) {
      await db.query('UPDATE portal_requests SET rating = NULL, rated_at = NULL WHERE workorder_id = $1', [order.id]);
      throw err;
    }
  }
  return { number: order.number, rating };
}
