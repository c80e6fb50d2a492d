// The public service catalogue (GeoReport "services"). Admins manage it; the lead will
// later sync it from the category tree. service_code = the work order's categoryCode.
import type { Queryable } from '../db/database.js';
import { badRequest, conflict, notFound } from '../core/errors.js';

export const DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;
export type Datatype = (typeof DATATYPES)[number];

export interface ServiceAttribute {
  variable: boolean;
  code: string;
  datatype: Datatype;
  required: boolean;
  datatype_description: string;
  order: number;
  description: string;
  values: { key: string; name: string }[];
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
    };
  });
}

export async function createService(q: Queryable, input: ServiceInput): Promise<Service> {
  const attributes = normaliseAttributes(input.attributes ?? []);
  const exists = await q.query('SELECT 1 FROM open311_services WHERE service_code = $1', [input.serviceCode]);
  if (exists.rowCount > 0) throw conflict('service_exists', 'open311.serviceExists', { code: input.serviceCode });
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
 * Checks the attribute values sent with a request against the service definition.
 * Returns the values to store, or throws 400 naming the attribute.
 */
export function checkAttributeValues(service: Service, given: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const code of Object.keys(given)) {
    if (!service.attributes.some((a) => a.code === code && a.variable)) throw badRequest('open311.unknownAttribute', { code }, `attribute[${code}]`);
  }
  for (const a of service.attributes) {
    if (!a.variable) continue;
    const raw = given[a.code];
    const empty = raw === undefined || raw === '' || (Array.isArray(raw) && raw.length === 0);
    if (empty) {
      if (a.required) throw badRequest('open311.attributeRequired', { code: a.code }, `attribute[${a.code}]`);
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
  return out;
}

/**
 * The catalogue follows the category tree: every active leaf category becomes (or stays) a
 * service with its code, named by its path, grouped under its first level. Attributes and
 * order types set by hand are kept; services whose category was deactivated are deactivated.
 */
export async function syncServicesFromCategories(q: Queryable): Promise<{ upserted: number; deactivated: number }> {
  const up = await q.query(
    `WITH RECURSIVE path AS (
       SELECT id, code, name, parent_id, active, name AS root_name, name::text AS full_name FROM categories WHERE parent_id IS NULL
       UNION ALL
       SELECT c.id, c.code, c.name, c.parent_id, c.active AND p.active, p.root_name, p.full_name || ' / ' || c.name
         FROM categories c JOIN path p ON c.parent_id = p.id)
     INSERT INTO open311_services (service_code, service_name, description, group_name, keywords, order_type)
     SELECT p.code, p.name, p.full_name, p.root_name, ARRAY[p.root_name, p.name], 'complaint'
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
