// Boundaries: GeoJSON polygons checked on import, and the point index (a static R-tree of
// bounding boxes, flatbush, then an exact point-in-polygon test with robust predicates).
import Flatbush from 'flatbush';
import pointInPolygon from 'point-in-polygon-hao';
import type { Polygon, MultiPolygon } from 'geojson';

export type AreaGeometry = Polygon | MultiPolygon;
export type BBox = [minLng: number, minLat: number, maxLng: number, maxLat: number];

/** Why a geometry is refused (an i18n key under `areas.geometry.*`), or null when it is good. */
export function geometryProblem(g: unknown): string | null {
  if (!g || typeof g !== 'object') return 'missing';
  const { type, coordinates } = g as { type?: unknown; coordinates?: unknown };
  if (type !== 'Polygon' && type !== 'MultiPolygon') return 'type';
  const polygons = type === 'Polygon' ? [coordinates] : coordinates;
  if (!Array.isArray(polygons) || polygons.length === 0) return 'coordinates';
  for (const poly of polygons) {
    if (!Array.isArray(poly) || poly.length === 0) return 'coordinates';
    for (const ring of poly) {
      if (!Array.isArray(ring) || ring.length < 4) return 'ring';
      for (const p of ring) {
        if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return 'coordinates';
        if (Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) return 'range';
      }
      const a = ring[0] as number[];
      const b = ring[ring.length - 1] as number[];
      if (a[0] !== b[0] || a[1] !== b[1]) return 'open';
    }
  }
  return null;
}

/** The polygons of a geometry, each a list of rings of [lng, lat]. */
export function polygonsOf(g: AreaGeometry): number[][][][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

export function bboxOf(g: AreaGeometry): BBox {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const poly of polygonsOf(g))
    for (const [x, y] of poly[0]!) {
      if (x! < minX) minX = x!;
      if (y! < minY) minY = y!;
      if (x! > maxX) maxX = x!;
      if (y! > maxY) maxY = y!;
    }
  return [minX, minY, maxX, maxY];
}

export interface IndexedArea {
  unitId: number;
  /** Depth of the unit's kind: district 1, sub-district 2, community 3. */
  depth: number;
  polygons: number[][][][];
  bbox: BBox;
}

/** The areas that contain a point, found through a static R-tree of their bounding boxes. */
export class PointIndex {
  private readonly tree: Flatbush | null;
  constructor(private readonly areas: IndexedArea[]) {
    if (areas.length === 0) {
      this.tree = null;
      return;
    }
    this.tree = new Flatbush(areas.length);
    for (const a of areas) this.tree.add(a.bbox[0], a.bbox[1], a.bbox[2], a.bbox[3]);
    this.tree.finish();
  }

  get size() {
    return this.areas.length;
  }

  /**
   * The deepest area containing the point; a point on a shared border is inside both areas, and
   * the one with the lower unit id wins, so the answer never depends on the order of import.
   */
  deepestAt(lng: number, lat: number): IndexedArea | null {
    if (!this.tree) return null;
    let best: IndexedArea | null = null;
    for (const i of this.tree.search(lng, lat, lng, lat)) {
      const a = this.areas[i]!;
      if (best && (a.depth < best.depth || (a.depth === best.depth && a.unitId > best.unitId))) continue;
      if (a.polygons.some((poly) => pointInPolygon([lng, lat], poly) !== false)) best = a;
    }
    return best;
  }
}
