// The city on a map (Leaflet, loaded with the pages that draw one: see CityMap.tsx). The
// boundaries are drawn as vectors from GET /api/v1/areas, so with no tile server configured the
// map still shows the city, offline; tiles, when set (JIESU_MAP_TILE_URL), go underneath.
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { AreaCollection, AreaMapProps } from './CityMap';

/** Light to dark: the share of the busiest area's orders. */
const HEAT = ['#fff5eb', '#fdd0a2', '#fd8d3c', '#e6550d', '#a63603'];
export const heatColor = (count: number, max: number) => (count <= 0 || max <= 0 ? HEAT[0]! : HEAT[Math.min(4, 1 + Math.floor((3.999 * count) / max))]!);

const STROKE: Record<string, number> = { district: 2, subdistrict: 1, community: 0.5 };

export default function AreaMap(props: AreaMapProps & AreaCollection) {
  const { areas, tileUrl, attribution, kinds, point, onPick, points, heat, heatKind = 'district', height = 320, label, onPointClick } = props;
  const kindKey = (kinds ?? ['district', 'subdistrict']).join(',');
  const picking = !!onPick;
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layers = useRef<{ areas?: L.GeoJSON; point?: L.CircleMarker; points?: L.LayerGroup }>({});
  const fitted = useRef(false);
  const pick = useRef(onPick);
  pick.current = onPick;
  const pointClick = useRef(onPointClick);
  pointClick.current = onPointClick;

  // The map itself, once; a click picks a point when the page asks for one.
  useEffect(() => {
    const m = L.map(el.current!, { zoomSnap: 0.25, attributionControl: !!tileUrl }).setView([30.7, 114.35], 10);
    map.current = m;
    fitted.current = false;
    if (tileUrl) L.tileLayer(tileUrl, { attribution: attribution ?? '', maxZoom: 19 }).addTo(m);
    m.on('click', (e: L.LeafletMouseEvent) => pick.current?.(Math.round(e.latlng.lat * 1e6) / 1e6, Math.round(e.latlng.lng * 1e6) / 1e6));
    const ro = new ResizeObserver(() => m.invalidateSize());
    ro.observe(el.current!);
    return () => {
      ro.disconnect();
      m.remove();
      map.current = null;
    };
  }, [tileUrl, attribution]);

  // The boundaries, shaded by the heat figures when there are some.
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    layers.current.areas?.remove();
    const max = heat ? Math.max(0, ...Object.values(heat)) : 0;
    const drawn = kindKey.split(',');
    const shown = { ...areas, features: areas.features.filter((f) => drawn.includes(f.properties.kind)) };
    const layer = L.geoJSON(shown, {
      style: (f) => {
        const p = (f as unknown as AreaCollection['areas']['features'][number]).properties;
        const shaded = heat && p.kind === heatKind;
        return {
          color: '#1f4e79',
          weight: STROKE[p.kind] ?? 1,
          opacity: 0.8,
          fillColor: shaded ? heatColor(heat[p.unitId] ?? 0, max) : '#d9e6f2',
          fillOpacity: shaded ? 0.75 : tileUrl ? 0.05 : 0.35,
          className: `area area-${p.kind} area-unit-${p.unitId}${shaded ? ' area-heat' : ''}`,
          // Clicks pass through to the map, which picks the point.
          interactive: !picking,
        };
      },
      onEachFeature: (f, l) => {
        const p = (f as unknown as AreaCollection['areas']['features'][number]).properties;
        if (!picking) l.bindTooltip(heat && p.kind === heatKind ? `${p.name}: ${heat[p.unitId] ?? 0}` : p.name, { sticky: true });
      },
    }).addTo(m);
    layer.bringToBack();
    layers.current.areas = layer;
    const b = layer.getBounds();
    if (!fitted.current && b.isValid()) {
      m.fitBounds(b, { padding: [8, 8] });
      fitted.current = true;
    }
  }, [areas, kindKey, heat, heatKind, tileUrl, picking]);

  // The order's point (or the one picked).
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    layers.current.point?.remove();
    layers.current.point = undefined;
    if (point) {
      layers.current.point = L.circleMarker([point.lat, point.lng], {
        radius: 8,
        color: '#c00000',
        weight: 3,
        fillColor: '#ff4d4f',
        fillOpacity: 0.9,
        className: 'map-point',
      }).addTo(m);
    }
  }, [point]);

  // Orders as dots.
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    layers.current.points?.remove();
    if (!points?.length) return;
    const g = L.layerGroup(
      points.map((p) =>
        L.circleMarker([p.lat, p.lng], { radius: 4, color: '#08519c', weight: 1, fillColor: '#3182bd', fillOpacity: 0.8, className: 'map-order' })
          .bindTooltip(p.label)
          .on('click', () => pointClick.current?.(p.id)),
      ),
    ).addTo(m);
    layers.current.points = g;
  }, [points]);

  return (
    <div
      ref={el}
      role="region"
      aria-label={label}
      data-testid="area-map"
      style={{ width: '100%', height, background: '#f4f6f8', borderRadius: 6, isolation: 'isolate' }}
    />
  );
}
