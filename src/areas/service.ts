// Areas in the database: GeoJSON import, the places of the gazetteer, the FeatureCollection the
// maps draw, and resolution through an in-memory index that each node rebuilds when the areas,
// the places or the units change.
import type { Database, Queryable } from '../db/database.js';
import { badRequest } from '../core/errors.js';
import { geometryProblem, bboxOf, type AreaGeometry } from './geo.js';
import { PLACE_KINDS, type PlaceKind } from './gazetteer.js';
import { AREA_KINDS, AreaResolver, NO_AREAS, mostSpecific, type AreaUnit, type ResolvedAreas } from './resolver.js';

const TERRITORY = ['city', ...AREA_KINDS];

async function bump(q: Queryable) {
  await q.query('UPDATE areas_version SET version = version + 1 WHERE id = 1');
}

/** The version of what the index is built from: areas and places, and the units (renamed, added, moved). */
async function stamp(q: Queryable): Promise<string> {
  const { rows } = await q.query<{ v: number; n: number; t: string | null }>(
    `SELECT (SELECT version FROM areas_version WHERE id = 1) AS v, count(*)::int AS n, max(updated_at)::text AS t
       FROM units WHERE kind = ANY($1::text[])`,
    [TERRITORY],
  );
  const r = rows[0]!;
  return `${r.v}/${r.n}/${r.t}`;
}

export async function loadResolverInput(q: Queryable) {
  const units = await q.query<{ id: number; name: string; kind: string; parent_id: number | null }>(
    'SELECT id, name, kind, parent_id FROM units WHERE kind = ANY($1::text[]) AND active',
    [TERRITORY],
  );
  const areas = await q.query<{ unit_id: number; geometry: AreaGeometry }>('SELECT unit_id, geometry FROM areas');
  const places = await q.query<{ name: string; unit_id: number; kind: PlaceKind }>('SELECT name, unit_id, kind FROM area_places');
  return {
    units: units.rows.map((u): AreaUnit => ({ id: u.id, name: u.name, kind: u.kind, parentId: u.parent_id })),
    areas: areas.rows.map((a) => ({ unitId: a.unit_id, geometry: typeof a.geometry === 'string' ? (JSON.parse(a.geometry) as AreaGeometry) : a.geometry })),
    places: places.rows.map((p) => ({ name: p.name, unitId: p.unit_id, kind: p.kind })),
  };
}

const cache = new WeakMap<object, { stamp: string; resolver: Promise<AreaResolver> }>();

/**
 * The resolver for the database's current areas, built once per change and shared by the node's
 * requests. `q` may be a transaction (PGlite has one connection), `key` is then the database it
 * belongs to, so every transaction shares the database's resolver.
 */
export async function resolverFor(q: Database | Queryable, key: object = q): Promise<AreaResolver> {
  const s = await stamp(q);
  const hit = cache.get(key);
  if (hit && hit.stamp === s) return hit.resolver;
  const resolver = loadResolverInput(q).then((input) => new AreaResolver(input));
  cache.set(key, { stamp: s, resolver });
  resolver.catch(() => cache.delete(key));
  return resolver;
}

export async function resolvePoint(db: Database | Queryable, lat: number, lng: number): Promise<ResolvedAreas> {
  return (await resolverFor(db)).resolvePoint(lat, lng);
}

export async function resolveAddress(db: Database | Queryable, address: string): Promise<ResolvedAreas> {
  return (await resolverFor(db)).resolveAddress(address);
}

/** The areas of an order's place, from its point, else from its address. */
export async function resolveLocation(
  q: Database | Queryable,
  loc: { address?: string | null; lat?: number | null; lng?: number | null },
  key: object = q,
): Promise<{ areas: ResolvedAreas; source: 'point' | 'address' | null }> {
  const r = await resolverFor(q, key);
  if (loc.lat != null && loc.lng != null) {
    const byPoint = r.resolvePoint(loc.lat, loc.lng);
    if (mostSpecific(byPoint) != null) return { areas: byPoint, source: 'point' as const };
  }
  if (loc.address) {
    const byText = r.resolveAddress(loc.address);
    if (mostSpecific(byText) != null) return { areas: byText, source: 'address' as const };
  }
  return { areas: { ...NO_AREAS }, source: null };
}

/** District, sub-district and community of a unit (itself and its ancestors). */
export async function areasOfUnit(q: Database | Queryable, unitId: number | null, key: object = q): Promise<ResolvedAreas> {
  if (unitId == null) return { ...NO_AREAS };
  return (await resolverFor(q, key)).chain(unitId);
}

// ---- import ----

interface Feature {
  type?: unknown;
  geometry?: unknown;
  properties?: Record<string, unknown> | null;
}

export interface ImportReport {
  imported: number;
  aliases: number;
}

/**
 * Imports a FeatureCollection of Polygon/MultiPolygon features. A feature names its unit by
 * `properties.unitId`, or by `properties.name` (with `kind` and `parent` when the name alone is
 * not unique); `properties.aliases` (strings) join the gazetteer. A unit's boundary is replaced.
 * All or nothing: the first bad feature refuses the file, naming it.
 */
export async function importAreas(q: Queryable, body: unknown): Promise<ImportReport> {
  const fc = body as { type?: unknown; features?: unknown };
  if (!fc || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) throw badRequest('areas.notFeatureCollection', {}, 'type');
  const units = (await loadResolverInput(q)).units.filter((u) => u.kind !== 'city');
  const byId = new Map(units.map((u) => [u.id, u]));
  const byName = new Map<string, AreaUnit[]>();
  for (const u of units) byName.set(u.name, [...(byName.get(u.name) ?? []), u]);
  const seen = new Set<number>();
  const rows: { unitId: number; geometry: AreaGeometry; aliases: string[] }[] = [];
  (fc.features as Feature[]).forEach((f, i) => {
    const n = i + 1;
    const field = `features.${i}`;
    if (!f || f.type !== 'Feature') throw badRequest('areas.notFeature', { n }, field);
    const problem = geometryProblem(f.geometry);
    if (problem) throw badRequest(`areas.geometry.${problem}` as 'areas.geometry.type', { n }, `${field}.geometry`);
    const p = f.properties ?? {};
    let unit: AreaUnit | undefined;
    if (p.unitId != null) {
      unit = byId.get(Number(p.unitId));
      if (!unit) throw badRequest('areas.unitUnknown', { n, unit: JSON.stringify(p.unitId) }, `${field}.properties.unitId`);
    } else if (typeof p.name === 'string') {
      const parent = typeof p.parent === 'string' ? p.parent : null;
      const found = (byName.get(p.name) ?? []).filter(
        (u) => (p.kind == null || u.kind === p.kind) && (parent == null || byId.get(u.parentId ?? 0)?.name === parent),
      );
      if (found.length === 0) throw badRequest('areas.unitUnknown', { n, unit: p.name }, `${field}.properties.name`);
      if (found.length > 1) throw badRequest('areas.unitAmbiguous', { n, unit: p.name }, `${field}.properties.name`);
      unit = found[0];
    } else throw badRequest('areas.unitMissing', { n }, `${field}.properties`);
    if (!(AREA_KINDS as readonly string[]).includes(unit!.kind)) throw badRequest('areas.unitKind', { n, unit: unit!.name }, `${field}.properties`);
    if (seen.has(unit!.id)) throw badRequest('areas.unitTwice', { n, unit: unit!.name }, `${field}.properties`);
    seen.add(unit!.id);
    const aliases = Array.isArray(p.aliases) ? p.aliases.filter((a): a is string => typeof a === 'string' && a.trim().length > 0).map((a) => a.trim()) : [];
    rows.push({ unitId: unit!.id, geometry: f.geometry as AreaGeometry, aliases });
  });
  let aliases = 0;
  for (const r of rows) {
    const [minLng, minLat, maxLng, maxLat] = bboxOf(r.geometry);
    await q.query(
      `INSERT INTO areas (unit_id, geometry, min_lng, min_lat, max_lng, max_lat) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (unit_id) DO UPDATE SET geometry = excluded.geometry, min_lng = excluded.min_lng, min_lat = excluded.min_lat,
         max_lng = excluded.max_lng, max_lat = excluded.max_lat, updated_at = now()`,
      [r.unitId, JSON.stringify(r.geometry), minLng, minLat, maxLng, maxLat],
    );
    if (r.aliases.length) {
      const res = await q.query(
        `INSERT INTO area_places (name, kind, unit_id) SELECT a, 'alias', $2 FROM unnest($1::text[]) AS a ON CONFLICT (name, unit_id) DO NOTHING`,
        [r.aliases, r.unitId],
      );
      aliases += res.rowCount ?? 0;
    }
  }
  await bump(q);
  return { imported: rows.length, aliases };
}

export interface PlaceInput {
  name: string;
  kind: PlaceKind;
  /** The unit's id or its unique name. */
  unit: number | string;
}

/** Adds places to the gazetteer (a place already there is kept); all or nothing. */
export async function importPlaces(q: Queryable, places: PlaceInput[]): Promise<{ imported: number; total: number }> {
  const units = (await loadResolverInput(q)).units.filter((u) => u.kind !== 'city');
  const byId = new Map(units.map((u) => [u.id, u]));
  const byName = new Map<string, AreaUnit[]>();
  for (const u of units) byName.set(u.name, [...(byName.get(u.name) ?? []), u]);
  const names: string[] = [];
  const kinds: string[] = [];
  const unitIds: number[] = [];
  places.forEach((p, i) => {
    const n = i + 1;
    const name = p.name?.trim();
    if (!name) throw badRequest('areas.placeName', { n }, `places.${i}.name`);
    if (!(PLACE_KINDS as readonly string[]).includes(p.kind)) throw badRequest('areas.placeKind', { n }, `places.${i}.kind`);
    const asId = typeof p.unit === 'number' ? p.unit : /^\d+$/.test(String(p.unit).trim()) ? Number(p.unit) : null;
    const found = asId != null ? [byId.get(asId)].filter((u) => u != null) : (byName.get(String(p.unit).trim()) ?? []);
    if (found.length === 0) throw badRequest('areas.unitUnknown', { n, unit: String(p.unit) }, `places.${i}.unit`);
    if (found.length > 1) throw badRequest('areas.unitAmbiguous', { n, unit: String(p.unit) }, `places.${i}.unit`);
    names.push(name);
    kinds.push(p.kind);
    unitIds.push(found[0]!.id);
  });
  let imported = 0;
  // In slices, so 100,000 places do not make one enormous statement.
  for (let i = 0; i < names.length; i += 5000) {
    const r = await q.query(
      `INSERT INTO area_places (name, kind, unit_id) SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) ON CONFLICT (name, unit_id) DO NOTHING`,
      [names.slice(i, i + 5000), kinds.slice(i, i + 5000), unitIds.slice(i, i + 5000)],
    );
    imported += r.rowCount ?? 0;
  }
  await bump(q);
  return { imported, total: places.length };
}

/** The city's boundaries as the maps draw them. */
export async function areasFeatureCollection(q: Queryable) {
  const { rows } = await q.query<{ unit_id: number; name: string; kind: string; geometry: AreaGeometry | string }>(
    `SELECT a.unit_id, u.name, u.kind, a.geometry FROM areas a JOIN units u ON u.id = a.unit_id
      ORDER BY array_position(ARRAY['district','subdistrict','community']::text[], u.kind), a.unit_id`,
  );
  return {
    type: 'FeatureCollection' as const,
    features: rows.map((r) => ({
      type: 'Feature' as const,
      id: r.unit_id,
      properties: { unitId: r.unit_id, name: r.name, kind: r.kind },
      geometry: typeof r.geometry === 'string' ? (JSON.parse(r.geometry) as AreaGeometry) : r.geometry,
    })),
  };
}

export async function listPlaces(q: Queryable, filter: { unitId?: number; limit: number }) {
  const { rows } = await q.query<{ id: number; name: string; kind: string; unit_id: number; unit_name: string }>(
    `SELECT p.id, p.name, p.kind, p.unit_id, u.name AS unit_name FROM area_places p JOIN units u ON u.id = p.unit_id
      WHERE ($1::int IS NULL OR p.unit_id = $1) ORDER BY p.id LIMIT $2`,
    [filter.unitId ?? null, filter.limit],
  );
  return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, unitId: r.unit_id, unitName: r.unit_name }));
}

export async function deletePlace(q: Queryable, id: number): Promise<boolean> {
  const r = await q.query('DELETE FROM area_places WHERE id = $1', [id]);
  if (r.rowCount) await bump(q);
  return (r.rowCount ?? 0) > 0;
}
