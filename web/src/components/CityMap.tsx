// The city's map for any page: fetches the boundaries and the tile setting once, and loads the
// map library (AreaMap.tsx, Leaflet) only when a page first draws a map, so no first visit pays
// for it.
import { lazy, Suspense, useEffect, useState } from 'react';
import { Skeleton } from 'antd';

export interface AreaFeature {
  type: 'Feature';
  id?: number;
  properties: { unitId: number; name: string; kind: 'district' | 'subdistrict' | 'community' };
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
}
export interface AreaCollection {
  areas: { type: 'FeatureCollection'; features: AreaFeature[] };
  tileUrl: string | null;
  attribution: string | null;
}
export interface MapPoint {
  id: number;
  lat: number;
  lng: number;
  label: string;
}
export interface AreaMapProps {
  /** What the map shows, for screen readers. */
  label: string;
  /** The kinds of area drawn (default: districts and sub-districts). */
  kinds?: string[];
  /** One point (the order's, the one picked). */
  point?: { lat: number; lng: number } | null;
  /** Given: a click on the map picks a point. */
  onPick?: (lat: number, lng: number) => void;
  /** Orders as dots. */
  points?: MapPoint[];
  onPointClick?: (id: number) => void;
  /** Orders per area (unit id → count): the areas of `heatKind` are shaded by it. */
  heat?: Record<number, number>;
  heatKind?: 'district' | 'subdistrict';
  height?: number;
}

const AreaMap = lazy(() => import('./AreaMap'));

let loading: Promise<AreaCollection> | null = null;
/** The boundaries and the tile setting (public, fetched once per page load). */
export function loadCity(): Promise<AreaCollection> {
  loading ??= Promise.all([fetch('/api/v1/areas').then((r) => r.json()), fetch('/api/v1/areas/map').then((r) => r.json())])
    .then(([areas, m]: [AreaCollection['areas'], { tileUrl: string | null; attribution: string | null }]) => ({
      areas,
      tileUrl: m.tileUrl,
      attribution: m.attribution,
    }))
    .catch((e: unknown) => {
      loading = null;
      throw e;
    });
  return loading;
}

/** After an import: the next map fetches the boundaries again. */
export function forgetCity() {
  loading = null;
}

export function CityMap(props: AreaMapProps) {
  const [city, setCity] = useState<AreaCollection | null>(null);
  useEffect(() => {
    let live = true;
    loadCity()
      .then((c) => live && setCity(c))
      .catch(() => undefined);
    return () => void (live = false);
  }, []);
  const fallback = <Skeleton.Node active style={{ width: '100%', height: props.height ?? 320 }} />;
  if (!city) return fallback;
  return (
    <Suspense fallback={fallback}>
      <AreaMap {...props} {...city} />
    </Suspense>
  );
}
