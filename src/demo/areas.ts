// The demo city's boundaries (geography.ts) imported through the areas module, as an admin would
// import a GeoJSON file, and a gazetteer: each community's estate (幸福 community → 幸福家园) and a
// landmark per sub-district, so addresses such as 青山区望湖街道幸福家园小区南门 resolve.
import type { Database } from '../db/database.js';
import { importAreas, importPlaces, type PlaceInput } from '../areas/index.js';
import { communityPolygon, districtPolygon, subdistrictPolygon } from './geography.js';
import type { DemoCity } from './types.js';

export async function seedAreas(db: Database, city: DemoCity): Promise<{ areas: number; places: number }> {
  const features: { type: 'Feature'; properties: { unitId: number }; geometry: ReturnType<typeof districtPolygon> }[] = [];
  const places: PlaceInput[] = [];
  city.districts.forEach((district, d) => {
    features.push({ type: 'Feature', properties: { unitId: district.id }, geometry: districtPolygon(d) });
    city.subdistrictsOf.get(district.id)!.forEach((sub, s) => {
      features.push({ type: 'Feature', properties: { unitId: sub.id }, geometry: subdistrictPolygon(d, s) });
      const root = sub.name.slice(0, 2);
      places.push({ name: `${root}公园`, kind: 'landmark', unit: sub.id });
      city.units
        .filter((u) => u.kind === 'community' && u.parentId === sub.id)
        .forEach((community, k) => {
          features.push({ type: 'Feature', properties: { unitId: community.id }, geometry: communityPolygon(d, s, k) });
          // 望湖幸福社区 → 幸福家园
          places.push({ name: `${community.name.slice(2, -2)}家园`, kind: 'estate', unit: community.id });
        });
    });
  });
  return db.tx(async (q) => {
    const a = await importAreas(q, { type: 'FeatureCollection', features });
    const p = await importPlaces(q, places);
    return { areas: a.imported, places: p.imported };
  });
}
