// The public service catalogue (GeoReport "services"). Admins manage it; the lead will
// later sync it from the category tree. service_code = the work order's categoryCode.
import type { Queryable } from '../db/database.js';
import { AppError, badRequest, conflict, notFound } from '../core/errors.js';

export const DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;
export type Datatype = (typeof DATATYPES)[number];
/**
 * An attribute the client fills itself, not the citizen (FixMyStreet's `automated`): `server_set`
 * from its own data (an asset id, easting/northing), `hidden_field` a form field the citizen does not see.
 */
export const AUTOMATED = ['server_set', 'hidden_field'] as const;
export type Automated = (typeof AUTOMATED)[number];

export interface ServiceAttribute {
  variable: boolean;
  code: string;
  datatype: Datatype;
  required: boolean;
  datatype_description: string;
  order: number;
  description: string;
  values: { key: string; name: string }[];
  automated?: Automated | null;
}

export interface Service {
  serviceCode: string;
  serviceName: string;
  description: string;
  group: string;
  keywords: string[];
  metadata: boolean;
  attributes: ServiceAttribute[];
  orderType: string;
  active: boolean;
}

const COLUMNS = `service_code AS "serviceCode", service_name AS "serviceName", description, group_name AS "group",
  keywords, metadata, attributes, order_type AS "orderType", active`;

export interface ServiceInput {
  serviceCode: string;
  serviceName: string;
  description?: string;
  group?: string;
  keywords?: string[];
  attributes?: Partial<ServiceAttribute>[];
  orderType?: string;
  active?: boolean;
}

function normaliseAttributes(list: Partial<ServiceAttribute>[]): ServiceAttribute[] {
  const codes = new Set<string>();
  return list.map((a, i) => {
    const code = a.code!;
    if (codes.has(code)) throw badRequest('open311.duplicateAttribute', { code }, `attributes.${i}.code`);
    codes.add(code);
    const datatype = a.datatype ?? 'string';
    const values = a.values ?? [];
    if ((datatype === 'singlevaluelist' || datatype === 'multivaluelist') && values.length === 0) {
      throw badRequest('open311.listNeedsValues', { code }, `attributes.${i}.values`);
    }
    return {
      variable: a.variable ?? true,
      code,
      datatype,
      required: a.required ?? false,
      datatype_description: a.datatype_description ?? '',
      order: a.order ?? i + 1,
      description: a.description ?? '',
      values,
      ...(a.automated ? { automated: a.automated } : {}),
    };
  });
}

/** Clients list services by name: two active services may not share one (409 naming the other). */
async function checkNameFree(q: Queryable, name: string, code: string) {
  const { rows } = await q.query<{ service_code: string }>(
    'SELECT service_code FROM open311_services WHERE active AND service_name = $1 AND service_code <> $2',
    [name, code],
  );
  if (rows[0]) throw new AppError(409, 'service_name_taken', 'open311.serviceNameTaken', { name, code: rows[0].service_code }, 'serviceName');
}

export async function createService(q: Queryable, input: ServiceInput): Promise<Service> {
  const attributes = normaliseAttributes(input.attributes ?? []);
  const exists = await q.query('SELECT 1 FROM open311_services WHERE service_code = $1', [input.serviceCode]);
  if (exists.rowCount > 0) throw conflict('service_exists', 'open311.serviceExists', { code: input.serviceCode });
  if (input.active ?? true) await checkNameFree(q, input.serviceName, input.serviceCode);
  const { rows } = await q.query<Service>(
    `INSERT INTO open311_services (service_code, service_name, description, group_name, keywords, metadata, attributes, order_type, active)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [
      input.serviceCode,
      input.serviceName,
      input.description ?? '',
      input.group ?? '',
      input.keywords ?? [],
      attributes.some((a) => a.variable),
      JSON.stringify(attributes),
      input.orderType ?? 'request',
      input.active ?? true,
    ],
  );
  return rows[0]!;
}

export async function updateService(q: Queryable, code: string, patch: Partial<ServiceInput>): Promise<Service> {
  const current = await getService(q, code, { includeInactive: true });
  const attributes = patch.attributes ? normaliseAttributes(patch.attributes) : current.attributes;
  if (patch.active ?? current.active) await checkNameFree(q, patch.serviceName ?? current.serviceName, code);
  const { rows } = await q.query<Service>(
    `UPDATE open311_services SET service_name = $2, description = $3, group_name = $4, keywords = $5, metadata = $6,
       attributes = $7, order_type = $8, active = $9, updated_at = now()
     WHERE service_code = $1 RETURNING ${COLUMNS}`,
    [
      code,
      patch.serviceName ?? current.serviceName,
      patch.description ?? current.description,
      patch.group ?? current.group,
      patch.keywords ?? current.keywords,
      attributes.some((a) => a.variable),
      JSON.stringify(attributes),
      patch.orderType ?? current.orderType,
      patch.active ?? current.active,
    ],
  );
  return rows[0]!;
}

export async function getService(q: Queryable, code: string, opts: { includeInactive?: boolean } = {}): Promise<Service> {
  const { rows } = await q.query<Service>(`SELECT ${COLUMNS} FROM open311_services WHERE service_code = $1${opts.includeInactive ? '' : ' AND active'}`, [
    code,
  ]);
  if (!rows[0]) throw notFound('service', code);
  return rows[0];
}

export async function listServices(q: Queryable, opts: { includeInactive?: boolean } = {}): Promise<Service[]> {
  const { rows } = await q.query<Service>(
    `SELECT ${COLUMNS} FROM open311_services ${opts.includeInactive ? '' : 'WHERE active'} ORDER BY group_name, service_code`,
  );
  return rows;
}

/**
 * Checks the attribute values sent with a request against the service definition: the declared
 * ones are checked (400 naming the attribute); those it does not declare (clients send their own
 * ids, easting/northing, …) are kept as `extra`, as given. Automated attributes are the client's
 * to fill, so they are never required.
 */
export function checkAttributeValues(
  service: Service,
  given: Record<string, string | string[]>,
): { values: Record<string, string | string[]>; extra: Record<string, string | string[]> } {
  const out: Record<string, string | string[]> = {};
  const extra: Record<string, string | string[]> = {};
  for (const [code, v] of Object.entries(given)) {
    if (service.attributes.some((a) => a.code === code && a.variable)) continue;
    const list = (Array.isArray(v) ? v : [v]).filter((x) => x !== '');
    if (list.length === 0) continue;
    if (code.length > 100) throw badRequest('open311.attributeTooLong', { code: code.slice(0, 20) }, 'attribute');
    for (const x of list) if (x.length > 4000) throw badRequest('open311.attributeTooLong', { code }, `attribute[${code}]`);
    extra[code] = Array.isArray(v) ? list : list[0]!;
  }
  if (Object.keys(extra).length > 50) throw badRequest('open311.tooManyValues', {}, 'attribute');
  for (const a of service.attributes) {
    if (!a.variable) continue;
    const raw = given[a.code];
    const empty = raw === undefined || raw === '' || (Array.isArray(raw) && raw.length === 0);
    if (empty) {
      if (a.required && !a.automated) throw badRequest('open311.attributeRequired', { code: a.code }, `attribute[${a.code}]`);
      continue;
    }
    const field = `attribute[${a.code}]`;
    const keys = new Set(a.values.map((v) => v.key));
    if (a.datatype === 'multivaluelist') {
      const list = Array.isArray(raw) ? raw : String(raw).split(',');
      for (const v of list) if (!keys.has(v)) throw badRequest('open311.attributeValue', { code: a.code, value: v }, field);
      out[a.code] = list;
      continue;
    }
    if (Array.isArray(raw)) throw badRequest('open311.attributeOneValue', { code: a.code }, field);
    const v = String(raw);
    if (v.length > 4000) throw badRequest('open311.attributeTooLong', { code: a.code }, field);
    if (a.datatype === 'number' && !/^-?\d+(\.\d+)?$/.test(v)) throw badRequest('open311.attributeNumber', { code: a.code }, field);
    if (a.datatype === 'datetime' && Number.isNaN(Date.parse(v))) throw badRequest('open311.attributeDateTime', { code: a.code }, field);
    if (a.datatype === 'singlevaluelist' && !keys.has(v)) throw badRequest('open311.attributeValue', { code: a.code, value: v }, field);
    out[a.code] = v;
  }
  return { values: out, extra };
}

/**
 * The catalogue follows the category tree: every active leaf category becomes (or stays) a
 * service with its code, named by its path (「城乡建设 / 市政设施 / 路灯」: unique, where two leaves
 * may both be 「其他」), grouped under its first level. Keywords, attributes and order types set by
 * hand are kept (keywords start empty); services whose category was deactivated are deactivated.
 */
export async function syncServicesFromCategories(q: Queryable): Promise<{ upserted: number; deactivated: number }> {
  const up = await q.query(
    `WITH RECURSIVE path AS (
       SELECT id, code, name, parent_id, active, name AS root_name, name::text AS full_name FROM categories WHERE parent_id IS NULL
       UNION ALL
       SELECT c.id, c.code, c.name, c.parent_id, c.active AND p.active, p.root_name, p.full_name || ' / ' || c.name
         FROM categories c JOIN path p ON c.parent_id = p.id)
     INSERT INTO open311_services (service_code, service_name, description, group_name, keywords, order_type)
     SELECT p.code, p.full_name, p.full_name, p.root_name, '{}'::text[], 'complaint'
       FROM path p
      WHERE p.active AND NOT EXISTS (SELECT 1 FROM categories ch WHERE ch.parent_id = p.id AND ch.active)
     ON CONFLICT (service_code) DO UPDATE SET service_name = EXCLUDED.service_name, description = EXCLUDED.description,
       group_name = EXCLUDED.group_name, active = true, updated_at = now()
     RETURNING service_code`,
  );
  const down = await q.query(
    `UPDATE open311_services s SET active = false, updated_at = now()
      WHERE s.active AND EXISTS (SELECT 1 FROM categories c WHERE c.code = s.service_code AND NOT c.active)
     RETURNING service_code`,
  );
  return { upserted: up.rowCount, deactivated: down.rowCount };
}
