// GeoReport v2 behaviour: API keys, creating a service request as a work order, and
// reading requests back in the spec's shape. GET answers never carry personal data.
import { encrypt } from '../privacy/index.js';
import { createHash, randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../db/database.js';
import type { Actor, AppContext } from '../core/context.js';
import { AppError, badRequest, notFound } from '../core/errors.js';
import { translate, type Language } from '../core/i18n.js';
import { createOrder, storeAttachment } from '../workorders/index.js';
import type { NewFile, OrderType, WorkOrder } from '../workorders/index.js';
import { checkAttributeValues, getService } from './services.js';
import { systemActor } from './system.js';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const forbiddenKey = () => new AppError(403, 'invalid_api_key', 'open311.invalidApiKey', {}, 'api_key');

export async function createApiKey(db: Queryable, actor: Actor, name: string): Promise<{ id: number; name: string; apiKey: string }> {
  const apiKey = 'o311_' + randomBytes(24).toString('base64url');
  const { rows } = await db.query<{ id: number }>('INSERT INTO open311_api_keys (name, key_hash, created_by) VALUES ($1, $2, $3) RETURNING id', [
    name,
    sha256(apiKey),
    actor.id,
  ]);
  return { id: rows[0]!.id, name, apiKey };
}

export async function listApiKeys(db: Queryable) {
  const { rows } = await db.query(`SELECT id, name, created_at AS "createdAt", revoked_at AS "revokedAt" FROM open311_api_keys ORDER BY id`);
  return rows;
}

export async function revokeApiKey(db: Queryable, id: number) {
  const r = await db.query('UPDATE open311_api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  if (r.rowCount === 0) throw notFound('apiKey', id);
}

/** The id of a valid API key; 403 (the spec's code) when it is missing, unknown or revoked. */
export async function checkApiKey(db: Queryable, apiKey: string | undefined): Promise<number> {
  if (!apiKey) throw new AppError(403, 'invalid_api_key', 'open311.apiKeyRequired', {}, 'api_key');
  const { rows } = await db.query<{ id: number }>('SELECT id FROM open311_api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [sha256(apiKey)]);
  if (!rows[0]) throw forbiddenKey();
  return rows[0].id;
}

/** A POST body after form, JSON or multipart decoding: scalar fields, media URLs, attribute[code] values and uploaded files. */
export interface PostRequestInput {
  fields: Record<string, string | undefined>;
  attributes: Record<string, string | string[]>;
  mediaUrls?: string[];
  files?: NewFile[];
}

/** One jurisdiction this endpoint serves (open311_jurisdictions); null: a single-jurisdiction endpoint. */
export interface Jurisdiction {
  id: string;
  unitId: number;
}

/**
 * The jurisdiction a GeoReport call names. Without configured jurisdictions the parameter is
 * ignored (the spec: only needed where an endpoint serves several); with them an unknown one is
 * a 404, and a missing one is a 400 unless there is just one.
 */
export async function resolveJurisdiction(db: Queryable, given: string | undefined): Promise<Jurisdiction | null> {
  const { rows } = await db.query<{ jurisdiction_id: string; unit_id: number }>('SELECT jurisdiction_id, unit_id FROM open311_jurisdictions ORDER BY 1');
  if (rows.length === 0) return null;
  const id = given?.trim();
  if (!id) {
    if (rows.length === 1) return { id: rows[0]!.jurisdiction_id, unitId: rows[0]!.unit_id };
    throw badRequest('validation.required', { field: 'jurisdiction_id' }, 'jurisdiction_id');
  }
  const j = rows.find((r) => r.jurisdiction_id === id);
  if (!j) throw new AppError(404, 'not_found', 'open311.jurisdictionNotFound', { id }, 'jurisdiction_id');
  return { id: j.jurisdiction_id, unitId: j.unit_id };
}

/** SQL restricting `w` (workorders) and `r` (open311_requests) to a jurisdiction: its requests and its units' orders. */
export function jurisdictionSql(j: Jurisdiction | null, params: unknown[]): string {
  if (!j) return 'TRUE';
  const id = params.push(j.id);
  const unit = params.push(j.unitId);
  return `(r.jurisdiction_id = $${id} OR w.main_unit_id IN (
    WITH RECURSIVE sub AS (SELECT id FROM units WHERE id = $${unit} UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)
    SELECT id FROM sub))`;
}

// Phones are stored as given (and indexed normalised, src/privacy): clients send local formats such as "(01632) 960123".
const PHONE = /^\+?[0-9 ()./-]{3,40}$/;
const hasDigits = (s: string) => (s.match(/[0-9]/g) ?? []).length >= 3;
// Scripts written family name first and without a space.
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** first_name and last_name joined the way the language writes them: 王小明, Jane Citizen. */
export function joinName(first: string | null, last: string | null): string | null {
  if (!first && !last) return null;
  if (CJK.test(`${first ?? ''}${last ?? ''}`)) return `${last ?? ''}${first ?? ''}`;
  return [first, last].filter(Boolean).join(' ');
}

/** At most this many media URLs and uploaded photos per request. */
export const MAX_MEDIA = 6;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

function optionalText(fields: Record<string, string | undefined>, name: string, max: number): string | null {
  const v = fields[name]?.trim();
  if (!v) return null;
  if (v.length > max) throw badRequest('validation.maxLength', { field: name, limit: max }, name);
  return v;
}

function coordinate(fields: Record<string, string | undefined>, name: 'lat' | 'long', limit: number): number | null {
  const raw = fields[name]?.trim();
  if (!raw) return null;
  const v = Number(raw);
  if (!/^-?\d+(\.\d+)?$/.test(raw) || !Number.isFinite(v) || Math.abs(v) > limit) throw badRequest('validation.invalid', { field: name }, name);
  return v;
}

export interface ChannelInput {
  channel: 'open311' | 'portal';
  serviceCode: string;
  description: string | null;
  address: string | null;
  addressId?: string | null;
  lat: number | null;
  lng: number | null;
  name: string | null;
  phone: string | null;
  email?: string | null;
  mediaUrl?: string | null;
  mediaUrls?: string[];
  attributes?: Record<string, string | string[]>;
  apiKeyId?: number | null;
  jurisdictionId?: string | null;
  /** Photos uploaded with the request (multipart), already checked with checkFile. */
  files?: NewFile[];
}

/**
 * Creates the work order for a request from an external channel and links it, in one
 * transaction (with `also`, the caller's own writes). The service must be active; its
 * attributes are checked. Look-ups run before the transaction: PGlite has one connection.
 */
export async function createChannelOrder(ctx: AppContext, input: ChannelInput, also?: (tx: Queryable, order: WorkOrder) => Promise<void>) {
  const service = await getService(ctx.db, input.serviceCode).catch((err) => {
    if (err instanceof AppError && err.status === 404) throw badRequest('open311.unknownService', { code: input.serviceCode }, 'service_code');
    throw err;
  });
  const { values: attributes, extra } = checkAttributeValues(service, input.attributes ?? {});
  const actor = await systemActor(ctx.db, input.channel, input.channel === 'open311' ? 'Open311 接口' : '网上诉求门户');
  const attrText = Object.entries(attributes)
    .map(([code, v]) => {
      const a = service.attributes.find((x) => x.code === code)!;
      const label = (key: string) => a.values.find((x) => x.key === key)?.name ?? key;
      return `${a.description || code}: ${Array.isArray(v) ? v.map(label).join('、') : a.values.length ? label(v) : v}`;
    })
    .join('\n');
  // Attributes the service does not declare (a client's own ids, easting/northing, …): kept and shown to staff.
  const extraText = Object.entries(extra)
    .map(([code, v]) => `${code}: ${Array.isArray(v) ? v.join('、') : v}`)
    .join('\n');
  const mediaUrls = input.mediaUrls ?? (input.mediaUrl ? [input.mediaUrl] : []);
  const place = input.address ?? (input.lat != null ? `${input.lat},${input.lng}` : input.addressId ? `address_id ${input.addressId}` : '');
  const title = `${service.serviceName}${place ? '：' + place : ''}`.slice(0, 200);
  const content = [input.description ?? service.serviceName, attrText, extraText].filter(Boolean).join('\n');
  const run = async (tx: Queryable) => {
    const order = await createOrder(
      ctx,
      actor,
      {
        type: service.orderType as OrderType,
        title,
        content,
        categoryCode: service.serviceCode,
        location: input.address || input.lat != null ? { address: input.address, lat: input.lat, lng: input.lng } : null,
        citizen: input.name || input.phone ? { name: input.name, phone: input.phone } : null,
      },
      tx,
    );
    const token = randomBytes(12).toString('base64url');
    await tx.query(
      `INSERT INTO open311_requests (workorder_id, token, channel, api_key_id, service_code, address_id, email_enc, media_url, attributes,
         media_urls, jurisdiction_id, extra_attributes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        order.id,
        token,
        input.channel,
        input.apiKeyId ?? null,
        service.serviceCode,
        input.addressId ?? null,
        encrypt(input.email),
        mediaUrls[0] ?? null,
        JSON.stringify(attributes),
        mediaUrls,
        input.jurisdictionId ?? null,
        JSON.stringify(extra),
      ],
    );
    for (const f of input.files ?? []) await storeAttachment(tx, order.id, f, null);
    if (also) await also(tx, order);
    return { order, token };
  };
  return ctx.db.tx(run);
}

/** POST requests: validates the GeoReport fields and creates the work order; answers its number (no token: it exists at once). */
export async function postRequest(ctx: AppContext, input: PostRequestInput, lang: Language) {
  const f = input.fields;
  const apiKeyId = await checkApiKey(ctx.db, f.api_key);
  const jurisdiction = await resolveJurisdiction(ctx.db, f.jurisdiction_id);
  const serviceCode = f.service_code?.trim();
  if (!serviceCode) throw badRequest('validation.required', { field: 'service_code' }, 'service_code');
  // The spec answers an unknown service_code with 404.
  await getService(ctx.db, serviceCode).catch((err) => {
    if (err instanceof AppError && err.status === 404) throw new AppError(404, 'not_found', 'open311.unknownService', { code: serviceCode }, 'service_code');
    throw err;
  });
  const lat = coordinate(f, 'lat', 90);
  const lng = coordinate(f, 'long', 180);
  if ((lat == null) !== (lng == null)) throw badRequest('validation.latLng', {}, lat == null ? 'lat' : 'long');
  const address = optionalText(f, 'address_string', 500);
  const addressId = optionalText(f, 'address_id', 100);
  if (lat == null && !address && !addressId) {
    throw badRequest('open311.locationRequired', {}, 'lat');
  }
  const description = optionalText(f, 'description', 4000);
  const email = optionalText(f, 'email', 320);
  if (email && !EMAIL.test(email)) throw badRequest('validation.formatEmail', { field: 'email' }, 'email');
  const phone = optionalText(f, 'phone', 40);
  if (phone && (!PHONE.test(phone) || !hasDigits(phone))) throw badRequest('validation.phone', { field: 'phone' }, 'phone');
  const first = optionalText(f, 'first_name', 50);
  const last = optionalText(f, 'last_name', 50);
  const mediaUrls = checkMediaUrls(input.mediaUrls ?? (f.media_url ? [f.media_url] : []));
  if (mediaUrls.length + (input.files?.length ?? 0) > MAX_MEDIA) throw badRequest('open311.tooManyMedia', { limit: MAX_MEDIA }, 'media_url');
  const { order } = await createChannelOrder(ctx, {
    channel: 'open311',
    serviceCode,
    description,
    address,
    addressId,
    lat,
    lng,
    name: joinName(first, last),
    phone,
    email,
    mediaUrls,
    attributes: input.attributes,
    apiKeyId,
    // Without configured jurisdictions: what the client named, kept as given.
    jurisdictionId: jurisdiction?.id ?? optionalText(f, 'jurisdiction_id', 100),
    files: input.files,
  });
  return { service_request_id: order.number, service_notice: translate(lang, 'open311.serviceNotice'), account_id: null };
}

/** media_url values: http(s) URLs, at most MAX_MEDIA. */
export function checkMediaUrls(list: string[]): string[] {
  const urls = list.map((u) => u.trim()).filter(Boolean);
  if (urls.length > MAX_MEDIA) throw badRequest('open311.tooManyMedia', { limit: MAX_MEDIA }, 'media_url');
  for (const u of urls) {
    if (u.length > 2000) throw badRequest('validation.maxLength', { field: 'media_url', limit: 2000 }, 'media_url');
    if (!/^https?:\/\/\S+$/.test(u)) throw badRequest('validation.formatUri', { field: 'media_url' }, 'media_url');
  }
  return urls;
}

export async function tokenLookup(db: Queryable, token: string) {
  const { rows } = await db.query<{ number: string }>('SELECT w.number FROM open311_requests r JOIN workorders w ON w.id = r.workorder_id WHERE r.token = $1', [
    token,
  ]);
  if (!rows[0]) throw notFound('token', token);
  return { service_request_id: rows[0].number, token };
}

/** One request in the GeoReport shape. */
export interface ServiceRequest {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

export const REQUEST_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
] as const;

/** Masks what looks like personal data in free text: mobile numbers, ID card numbers, e-mail addresses. */
export function redact(text: string): string {
  return text
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '***@***')
    .replace(/(?<!\d)\d{17}[\dXx](?!\d)/g, (m) => m.slice(0, 3) + '*'.repeat(11) + m.slice(-4))
    .replace(/(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g, '$1****$2')
    .replace(/(?<!\d)(0\d{2,3}-?)\d{4}(\d{3,4})(?!\d)/g, '$1****$2');
}

/** What a reader is told of a request's state: the unit's reply once there is one, else a note in the reader's language; a closed order says why. */
export function statusNotes(r: Record<string, any>, lang: Language): string | null {
  const reply = r.reply ? redact(String(r.reply.content)) : null;
  switch (r.status) {
    case 'new':
      return translate(lang, 'open311.note.received');
    case 'dispatched':
      return translate(lang, 'open311.note.dispatched', { unit: r.unit_name ?? '' });
    case 'accepted':
      return translate(lang, 'open311.note.accepted', { unit: r.unit_name ?? '' });
    case 'returned':
      return translate(lang, 'open311.note.returned');
    case 'replied':
      return reply;
    case 'reopened':
      return translate(lang, 'open311.note.reopened');
    case 'closed':
      return closedNote(r.close_reason, r.duplicate_number, reply, lang);
    default:
      return null;
  }
}

/** Why an order closed, for a reader: the reply when the unit gave one, else the reason in words. */
export function closedNote(reason: string | null, duplicateNumber: string | null, reply: string | null, lang: Language): string {
  switch (reason) {
    case 'duplicate':
      return translate(lang, 'open311.note.closedDuplicate', { number: duplicateNumber ?? '' });
    case 'invalid':
      return translate(lang, 'open311.note.closedInvalid');
    case 'answered':
      return translate(lang, 'open311.note.closedAnswered');
    case 'unreachable':
      return reply ?? translate(lang, 'open311.note.closedUnreachable');
    default:
      return reply ?? translate(lang, 'open311.note.closed');
  }
}

/** W3C datetime in the city's time zone, e.g. 2024-05-01T10:00:00+08:00. */
export function w3c(at: Date | string, timeZone: string): string {
  const d = at instanceof Date ? at : new Date(at);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const off = get('timeZoneName').replace('GMT', '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${off === '' ? 'Z' : off}`;
}

function toServiceRequest(r: Record<string, any>, timeZone: string, lang: Language): ServiceRequest {
  return {
    service_request_id: r.number,
    status: r.status === 'closed' ? 'closed' : 'open',
    status_notes: statusNotes(r, lang),
    service_name: r.service_name,
    service_code: r.category_code,
    description: redact(r.content),
    agency_responsible: r.unit_name ?? null,
    service_notice: null,
    requested_datetime: w3c(r.created_at, timeZone),
    updated_datetime: w3c(r.updated_at, timeZone),
    expected_datetime: r.expected_at ? w3c(r.expected_at, timeZone) : null,
    address: r.address ?? null,
    address_id: r.address_id ?? null,
    zipcode: null,
    lat: r.lat ?? null,
    long: r.lng ?? null,
    media_url: r.media_urls?.[0] ?? r.media_url ?? null,
  };
}

export interface RequestFilter {
  ids?: string[];
  serviceCodes?: string[];
  start?: Date;
  end?: Date;
  status?: 'open' | 'closed';
  jurisdiction?: Jurisdiction | null;
  page: number;
  pageSize: number;
}

const SELECT = `SELECT w.number, w.status, w.category_code, w.content, w.address, w.lat, w.lng, w.created_at, w.updated_at,
    w.reply, w.close_reason, s.service_name, u.name AS unit_name, r.address_id, r.media_url, r.media_urls, d.number AS duplicate_number,
    -- The spec's expected_datetime: when the unit must reply by (the order's reply deadline).
    (SELECT od.due_at FROM order_deadlines od WHERE od.workorder_id = w.id AND od.kind = 'reply') AS expected_at
  FROM workorders w
  JOIN open311_services s ON s.service_code = w.category_code
  LEFT JOIN units u ON u.id = w.main_unit_id
  LEFT JOIN open311_requests r ON r.workorder_id = w.id
  LEFT JOIN workorders d ON d.id = w.duplicate_of`;
/**
 * Reports of wrongdoing (举报) are never published. Orders closed as invalid are published only when
 * they came in through Open311 or the portal: that client knows the request and must learn it closed;
 * invalid calls from other channels (prank calls, …) stay unlisted.
 */
export const PUBLISHABLE = `w.type <> 'report' AND (w.close_reason IS DISTINCT FROM 'invalid' OR r.workorder_id IS NOT NULL)`;

export async function listRequests(db: Database, f: RequestFilter, timeZone: string, lang: Language): Promise<ServiceRequest[]> {
  const params: unknown[] = [];
  const where = [PUBLISHABLE, jurisdictionSql(f.jurisdiction ?? null, params)];
  if (f.ids?.length) where.push(`w.number = ANY($${params.push(f.ids)}::text[])`);
  else {
    // The spec's default window: the last 90 days.
    const end = f.end ?? new Date();
    const start = f.start ?? new Date(end.getTime() - 90 * 86400_000);
    where.push(`w.created_at >= $${params.push(start)}`, `w.created_at <= $${params.push(end)}`);
  }
  if (f.serviceCodes?.length) where.push(`w.category_code = ANY($${params.push(f.serviceCodes)}::text[])`);
  if (f.status === 'closed') where.push(`w.status = 'closed'`);
  if (f.status === 'open') where.push(`w.status <> 'closed'`);
  const { rows } = await db.query(
    `${SELECT} WHERE ${where.join(' AND ')} ORDER BY w.created_at DESC, w.id DESC
     LIMIT $${params.push(f.pageSize)} OFFSET $${params.push((f.page - 1) * f.pageSize)}`,
    params,
  );
  return rows.map((r) => toServiceRequest(r, timeZone, lang));
}

export async function getRequest(
  db: Database,
  id: string,
  timeZone: string,
  lang: Language,
  jurisdiction: Jurisdiction | null = null,
): Promise<ServiceRequest> {
  const params: unknown[] = [id];
  const { rows } = await db.query(`${SELECT} WHERE w.number = $1 AND ${PUBLISHABLE} AND ${jurisdictionSql(jurisdiction, params)}`, params);
  if (!rows[0]) throw notFound('serviceRequest', id);
  return toServiceRequest(rows[0], timeZone, lang);
}
