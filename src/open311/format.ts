// GeoReport v2 rendering: the same data as JSON arrays or as XML with the spec's root
// and item elements (<services><service>, <service_requests><request>, <errors><error>).
import { XMLBuilder } from 'fast-xml-parser';

export type Format = 'json' | 'xml';

const builder = new XMLBuilder({ ignoreAttributes: true, suppressEmptyNode: false, format: false });

/** Splits "/services/abc.xml" style last segments into the id and the format; null format when unknown. */
export function splitFormat(segment: string): { id: string; format: Format | null } {
  const m = /^(.*?)(?:\.([A-Za-z]+))?$/.exec(segment)!;
  const ext = m[2]?.toLowerCase();
  if (ext === undefined) return { id: m[1]!, format: 'json' };
  return { id: m[1]!, format: ext === 'json' || ext === 'xml' ? ext : null };
}

/** The format asked for by the URL path suffix (JSON when there is none). */
export function formatOf(url: string): Format {
  const path = url.split('?')[0]!;
  return path.toLowerCase().endsWith('.xml') ? 'xml' : 'json';
}

// XML text: null → empty element, booleans and numbers as text.
function xmlValue(v: unknown): unknown {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(xmlValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, xmlValue(x)]));
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

export function toXml(root: string, item: string, items: object[]): string {
  return '<?xml version="1.0" encoding="utf-8"?>' + builder.build({ [root]: { [item]: items.map(xmlValue) } });
}

export function toXmlSingle(root: string, body: object): string {
  return '<?xml version="1.0" encoding="utf-8"?>' + builder.build({ [root]: xmlValue(body) });
}

export const CONTENT_TYPE: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

export interface Open311Error {
  code: number;
  description: string;
}

export function renderErrors(format: Format, errors: Open311Error[]): string {
  return format === 'xml' ? toXml('errors', 'error', errors) : JSON.stringify(errors);
}
