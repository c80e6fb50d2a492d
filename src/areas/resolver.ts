// From a point or an address to {district, subdistrict, community}: the deepest area whose
// polygon holds the point, or the unit that the most names in the address agree on.
import { Gazetteer, shortNames, type GazetteerEntry } from './gazetteer.js';
import { PointIndex, bboxOf, polygonsOf, type AreaGeometry } from './geo.js';

export const AREA_KINDS = ['district', 'subdistrict', 'community'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];
const DEPTH: Record<string, number> = { city: 0, district: 1, subdistrict: 2, community: 3 };

export interface AreaUnit {
  id: number;
  name: string;
  kind: string;
  parentId: number | null;
}

export interface NamedRef {
  id: number;
  name: string;
}
export interface ResolvedAreas {
  district: NamedRef | null;
  subdistrict: NamedRef | null;
  community: NamedRef | null;
}

export const NO_AREAS: ResolvedAreas = { district: null, subdistrict: null, community: null };

/** The most specific unit resolved (community, else sub-district, else district), or null. */
export function mostSpecific(r: ResolvedAreas): number | null {
  return r.community?.id ?? r.subdistrict?.id ?? r.district?.id ?? null;
}

export interface ResolverInput {
  /** The city's territorial units (city, districts, sub-districts, communities). */
  units: AreaUnit[];
  areas: { unitId: number; geometry: AreaGeometry }[];
  places: GazetteerEntry[];
}

export class AreaResolver {
  private readonly units = new Map<number, AreaUnit>();
  private readonly points: PointIndex;
  readonly gazetteer: Gazetteer;

  constructor(input: ResolverInput) {
    for (const u of input.units) if (u.kind in DEPTH) this.units.set(u.id, u);
    this.points = new PointIndex(
      input.areas
        .filter((a) => this.units.has(a.unitId))
        .map((a) => ({ unitId: a.unitId, depth: DEPTH[this.units.get(a.unitId)!.kind]!, polygons: polygonsOf(a.geometry), bbox: bboxOf(a.geometry) })),
    );
    const entries: GazetteerEntry[] = [];
    for (const u of this.units.values()) {
      if (u.kind === 'city') continue;
      entries.push({ name: u.name, unitId: u.id, kind: 'unit' });
      for (const s of shortNames(u.name)) entries.push({ name: s, unitId: u.id, kind: 'unit' });
    }
    for (const p of input.places) if (this.units.has(p.unitId)) entries.push(p);
    this.gazetteer = new Gazetteer(entries);
  }

  get areaCount() {
    return this.points.size;
  }

  /** The unit and its territorial ancestors, by kind. */
  chain(unitId: number | null): ResolvedAreas {
    const out: ResolvedAreas = { district: null, subdistrict: null, community: null };
    for (let u = unitId == null ? undefined : this.units.get(unitId); u; u = u.parentId == null ? undefined : this.units.get(u.parentId)) {
      if (u.kind === 'district' || u.kind === 'subdistrict' || u.kind === 'community') out[u.kind] ??= { id: u.id, name: u.name };
    }
    return out;
  }

  private ancestry(unitId: number): number[] {
    const ids: number[] = [];
    for (let u = this.units.get(unitId); u; u = u.parentId == null ? undefined : this.units.get(u.parentId)) ids.push(u.id);
    return ids;
  }

  resolvePoint(lat: number, lng: number): ResolvedAreas {
    const hit = this.points.deepestAt(lng, lat);
    return hit ? this.chain(hit.unitId) : { ...NO_AREAS };
  }

  /**
   * Each unit a name points to is scored by the matches on it and its ancestors (青山区 and 望湖街道
   * both speak for 望湖街道 in 青山区); the best wins. Several equally good candidates (an estate
   * name found in two districts, and nothing else) give only what they have in common.
   */
  resolveAddress(address: string): ResolvedAreas {
    const found = this.gazetteer.match(address);
    let best = 0;
    let winners: number[][] = [];
    for (const unitId of found.keys()) {
      const line = this.ancestry(unitId);
      let score = 0;
      for (const id of line) score += found.get(id) ?? 0;
      if (score > best) {
        best = score;
        winners = [line];
      } else if (score === best) winners.push(line);
    }
    if (winners.length === 0) return { ...NO_AREAS };
    // The deepest unit on every winner's line (lines run from the unit up to the city).
    let common = winners[0]!;
    for (const w of winners.slice(1)) common = common.filter((id) => w.includes(id));
    return this.chain(common[0] ?? null);
  }
}
