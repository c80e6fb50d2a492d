// GeoReport v2 behaviour: API keys, creating a service request as a work order, and
// reading requests back in the spec's shape. GET answers never carry personal data.
import { encrypt } from '../privacy/index.js';
import { createHash, randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../db/database.js';
import type { Actor, AppContext } from '../core/context.js';
import { AppError, badRequest, notFound } from '../core/errors.js';
import { createOrder } from '../workorders/index.js';
import type { OrderType, WorkOrder } from '../workorders/index.js';
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

async function checkApiKey(db: Queryable, apiKey: string | undefined): Promise<number> {
  if (!apiKey) throw badRequest('validation.required', { field: 'api_key' }, 'api_key');
  const { rows } = await db.query<{ id: number }>('SELECT id FROM open311_api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [sha256(apiKey)]);
  if (!rows[0]) throw forbiddenKey();
  return rows[0].id;
}

/** A POST body after form or JSON decoding: scalar fields plus attribute[code] values. */
export interface PostRequestInput {
  fields: Record<string, string | undefined>;
  attributes: Record<string, string | string[]>;
}

const PHONE = /^\+?[0-9][0-9 -]{2,30}$/;
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
  attributes?: Record<string, string | string[]>;
  apiKeyId?: number | null;
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
  const attributes = checkAttributeValues(service, input.attributes ?? {});
  const actor = await systemActor(ctx.db, input.channel, input.channel === 'open311' ? 'Open311 接口' : '网上诉求门户');
  const attrText = Object.entries(attributes)
    .map(([code, v]) => {
      const a = service.attributes.find((x) => x.code === code)!;
      const label = (key: string) => a.values.find((x) => x.key === key)?.name ?? key;
      return `${a.description || code}: ${Array.isArray(v) ? v.map(label).join('、') : a.values.length ? label(v) : v}`;
    })
    .join('\n');
  const place = input.address ?? (input.lat != null ? `${input.lat},${input.lng}` : input.addressId ? `address_id ${input.addressId}` : '');
  const title = `${service.serviceName}${place ? '：' + place : ''}`.slice(0, 200);
  const content = [input.description ?? service.serviceName, attrText].filter(Boolean).join('\n');
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
      `INSERT INTO open311_requests (workorder_id, token, channel, api_key_id, service_code, address_id, email_enc, media_url, attributes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        order.id,
        token,
        input.channel,
        input.apiKeyId ?? null,
        service.serviceCode,
        input.addressId ?? null,
        encrypt(input.email),
        input.mediaUrl ?? null,
        JSON.stringify(attributes),
      ],
    );
    if (also) await also(tx, order);
    return { order, token };
  };
  return ctx.db.tx(run);
}

/** POST requests: validates the GeoReport fields and creates the work order. */
export async function postRequest(ctx: AppContext, input: PostRequestInput) {
  const f = input.fields;
  const apiKeyId = await checkApiKey(ctx.db, f.api_key);
  const serviceCode = f.service_code?.trim();
  if (!serviceCode) throw badRequest('validation.required', { field: 'service_code' }, 'service_code');
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
  const phone = optionalText(f, 'phone', 32);
  if (phone && !PHONE.test(phone)) throw badRequest('validation.phone', { field: 'phone' }, 'phone');
  const first = optionalText(f, 'first_name', 50);
  const last = optionalText(f, 'last_name', 50);
  const mediaUrl = optionalText(f, 'media_url', 2000);
  if (mediaUrl && !/^https?:\/\/\S+$/.test(mediaUrl)) throw badRequest('validation.formatUri', { field: 'media_url' }, 'media_url');
  const name = last || first ? `${last ?? ''}${first ?? ''}` : null;
  const { order, token } = await createChannelOrder(ctx, {
    channel: 'open311',
    serviceCode,
    description,
    address,
    addressId,
    lat,
    lng,
    name,
    phone,
    email,
    mediaUrl,
    attributes: input.attributes,
    apiKeyId,
  });
  return { service_request_id: order.number, token, service_notice: '已受理，工单将按时限办理 (received)', account_id: null };
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

function statusNotes(r: Record<string, any>): string | null {
  if (r.reply) return redact(String(r.reply.content));
  switch (r.status) {
    case 'new':
      return '已受理，等待派单 (received, awaiting dispatch)';
    case 'dispatched':
      return '已派至承办单位 (assigned to the responsible unit)';
    case 'accepted':
      return '承办单位正在办理 (in progress)';
    case 'returned':
      return '正在重新派单 (being re-routed)';
    case 'reopened':
      return '重新办理中 (reopened)';
    case 'closed':
      return r.close_reason === 'duplicate' ? '与其他诉求合并办理 (merged with another request)' : '已办结 (closed)';
    default:
      return null;
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

function toServiceRequest(r: Record<string, any>, timeZone: string): ServiceRequest {
  return {
    service_request_id: r.number,
    status: r.status === 'closed' ? 'closed' : 'open',
    status_notes: statusNotes(r),
    service_name: r.service_name,
    service_code: r.category_code,
    description: redact(r.content),
    agency_responsible: r.unit_name ?? null,
    service_notice: null,
    requested_datetime: w3c(r.created_at, timeZone),
    updated_datetime: w3c(r.updated_at, timeZone),
    expected_datetime: null,
    address: r.address ?? null,
    address_id: r.address_id ?? null,
    zipcode: null,
    lat: r.lat ?? null,
    long: r.lng ?? null,
    media_url: r.media_url ?? null,
  };
}

export interface RequestFilter {
  ids?: string[];
  serviceCodes?: string[];
  start?: Date;
  end?: Date;
  status?: 'open' | 'closed';
  page: number;
  pageSize: number;
}

const SELECT = `SELECT w.number, w.status, w.category_code, w.content, w.address, w.lat, w.lng, w.created_at, w.updated_at,
    w.reply, w.close_reason, s.service_name, u.name AS unit_name, r.address_id, r.media_url
  FROM workorders w
  JOIN open311_services s ON s.service_code = w.category_code
  LEFT JOIN units u ON u.id = w.main_unit_id
  LEFT JOIN open311_requests r ON r.workorder_id = w.id`;
// Reports of wrongdoing (举报) and invalid contacts are never published.
const PUBLISHABLE = `w.type <> 'report' AND w.close_reason IS DISTINCT FROM 'invalid'`;

export async function listRequests(db: Database, f: RequestFilter, timeZone: string): Promise<ServiceRequest[]> {
  const where = [PUBLISHABLE];
  const params: unknown[] = [];
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
  return rows.map((r) => toServiceRequest(r, timeZone));
}

export async function getRequest(db: Database, id: string, timeZone: string): Promise<ServiceRequest> {
  const { rows } = await db.query(`${SELECT} WHERE w.number = $1 AND ${PUBLISHABLE}`, [id]);
  if (!rows[0]) throw notFound('serviceRequest', id);
  return toServiceRequest(rows[0], timeZone);
}
