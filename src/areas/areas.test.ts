// Areas through the API and the CLI: importing boundaries and places, resolving points (inside,
// on a border, outside) and addresses (full, partial, misspelled, by alias), and orders placed
// and routed by their coordinates alone (also through Open311 and the portal).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../db/migrate.js';
import { useCity } from '../../test/fixtures.js';
import { ADMIN_PASSWORD, Client, loginAs, seedCity, throwawayDatabase } from '../../test/helpers.js';
import { startPlatform } from '../server.js';

const t = useCity();
const rect = (x0: number, y0: number, x1: number, y1: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ],
  ],
});
// The small city's units, and those added here.
let units: any;

/** 东城区 116.0–116.2 × 39.9–40.0 (东华门街道 the west half, 景山街道 the east, 幸福社区 the west quarter); 西城区 east of it. */
function cityGeoJson() {
  return {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { unitId: units.districtA }, geometry: rect(116.0, 39.9, 116.2, 40.0) },
      { type: 'Feature', properties: { name: '西城区', kind: 'district' }, geometry: rect(116.2, 39.9, 116.4, 40.0) },
      { type: 'Feature', properties: { unitId: units.streetA, aliases: ['东华门街'] }, geometry: rect(116.0, 39.9, 116.1, 40.0) },
      { type: 'Feature', properties: { name: '景山街道', parent: '东城区' }, geometry: rect(116.1, 39.9, 116.2, 40.0) },
      { type: 'Feature', properties: { unitId: units.community }, geometry: rect(116.0, 39.9, 116.05, 40.0) },
    ],
  };
}

beforeAll(async () => {
  const { admin } = t.u;
  const unit = async (name: string, kind: string, parentId: number) => (await admin.post('/api/v1/units', { name, kind, parentId })).body.id as number;
  units = { ...t.city.units };
  units.street2 = await unit('景山街道', 'subdistrict', units.districtA);
  units.community = await unit('东华门幸福社区', 'community', units.streetA);
  units.streetB = await unit('新街口街道', 'subdistrict', units.districtB);
  // A second 幸福家园 in the other district: an estate's name alone does not decide there.
  units.communityB = await unit('新街口社区', 'community', units.streetB);
});

describe('boundaries', () => {
  it('imports a FeatureCollection for admins only, all or nothing, and serves it as GeoJSON', async () => {
    const { admin, agent } = t.u;
    expect((await agent.post('/api/v1/areas/import', cityGeoJson())).status).toBe(403);
    const bad = cityGeoJson();
    (bad.features[3]!.geometry.coordinates[0] as number[][]).splice(1, 2);
    const refused = await admin.post('/api/v1/areas/import', bad);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ field: 'features.3.geometry', message: '第 4 个要素有少于 4 个点的边界环' });
    const unknown = await admin.post('/api/v1/areas/import', {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { name: '不存在区' }, geometry: rect(0, 0, 1, 1) }],
    });
    expect(unknown.body.error.message).toBe('第 1 项：找不到单位“不存在区”');
    const notArea = await admin.post('/api/v1/areas/import', {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { unitId: units.bureau }, geometry: rect(0, 0, 1, 1) }],
    });
    expect(notArea.status).toBe(400);
    expect((await new Client(t.platform).get('/api/v1/areas')).body.features).toEqual([]);

    const ok = await admin.post('/api/v1/areas/import', cityGeoJson());
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toEqual({ imported: 5, aliases: 1 });
    // Public: the portal's map draws the boundaries too.
    const fc = (await new Client(t.platform).get('/api/v1/areas')).body;
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f: any) => f.properties)).toEqual([
      { unitId: units.districtA, name: '东城区', kind: 'district' },
      { unitId: units.districtB, name: '西城区', kind: 'district' },
      { unitId: units.streetA, name: '东华门街道', kind: 'subdistrict' },
      { unitId: units.street2, name: '景山街道', kind: 'subdistrict' },
      { unitId: units.community, name: '东华门幸福社区', kind: 'community' },
    ]);
    expect(fc.features[0].geometry).toEqual(rect(116.0, 39.9, 116.2, 40.0));
  });

  it('resolves points inside, on a border and outside the city', async () => {
    const at = async (lat: number, lng: number) => (await t.u.agent.get(`/api/v1/areas/resolve?lat=${lat}&lng=${lng}`)).body;
    expect(await at(39.95, 116.03)).toEqual({
      district: { id: units.districtA, name: '东城区' },
      subdistrict: { id: units.streetA, name: '东华门街道' },
      community: { id: units.community, name: '东华门幸福社区' },
    });
    expect(await at(39.95, 116.15)).toEqual({
      district: { id: units.districtA, name: '东城区' },
      subdistrict: { id: units.street2, name: '景山街道' },
      community: null,
    });
    // On the border of two sub-districts the point is in both: the first unit of the two, every time.
    expect((await at(39.95, 116.1)).subdistrict).toEqual({ id: units.streetA, name: '东华门街道' });
    // On the border of two districts (no sub-district drawn on 西城区's side).
    expect((await at(39.95, 116.2)).district).toEqual({ id: units.districtA, name: '东城区' });
    expect(await at(39.97, 116.3)).toEqual({ district: { id: units.districtB, name: '西城区' }, subdistrict: null, community: null });
    // Outside the city.
    expect(await at(31.2, 121.5)).toEqual({ district: null, subdistrict: null, community: null });
    expect((await t.u.agent.get('/api/v1/areas/resolve?lat=91&lng=116')).status).toBe(400);
    expect((await t.u.handlerA.get('/api/v1/areas/resolve?lat=39.95&lng=116.03')).status).toBe(403);
  });

  it('puts a re-imported boundary in place of the old one', async () => {
    const moved = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { unitId: units.community }, geometry: rect(116.05, 39.9, 116.1, 40.0) }],
    };
    expect((await t.u.admin.post('/api/v1/areas/import', moved)).body.imported).toBe(1);
    expect((await t.u.agent.get('/api/v1/areas/resolve?lat=39.95&lng=116.03')).body.community).toBeNull();
    expect((await t.u.agent.get('/api/v1/areas/resolve?lat=39.95&lng=116.07')).body.community).toEqual({ id: units.community, name: '东华门幸福社区' });
    expect((await t.u.admin.post('/api/v1/areas/import', cityGeoJson())).status).toBe(200);
  });
});

describe('addresses', () => {
  it('imports places (roads, estates, landmarks) for admins, by unit id or name', async () => {
    const { admin, dispatcher } = t.u;
    const places = [
      { name: '幸福家园', kind: 'estate', unit: units.community },
      { name: '幸福家园', kind: 'estate', unit: '新街口社区' },
      { name: '王府井', kind: 'landmark', unit: '景山街道' },
      { name: '金宝街', kind: 'road', unit: '东城区' },
    ];
    expect((await dispatcher.post('/api/v1/areas/places', { places })).status).toBe(403);
    const bad = await admin.post('/api/v1/areas/places', { places: [{ name: '某处', kind: 'estate', unit: '无此单位' }] });
    expect(bad.body.error).toMatchObject({ field: 'places.0.unit', message: '第 1 项：找不到单位“无此单位”' });
    expect((await admin.post('/api/v1/areas/places', { places })).body).toEqual({ imported: 4, total: 4 });
    expect((await admin.post('/api/v1/areas/places', { places })).body).toEqual({ imported: 0, total: 4 });
    const listed = (await admin.get(`/api/v1/areas/places?unitId=${units.community}`)).body.items;
    expect(listed).toEqual([expect.objectContaining({ name: '幸福家园', kind: 'estate', unitId: units.community, unitName: '东华门幸福社区' })]);
  });

  const read = async (address: string) => {
    const r = await t.u.agent.post('/api/v1/areas/resolve', { address });
    expect(r.status).toBe(200);
    return r.body;
  };

  it('reads a full address down to the community', async () => {
    expect(await read('东城区东华门街道幸福家园小区南门')).toEqual({
      district: { id: units.districtA, name: '东城区' },
      subdistrict: { id: units.streetA, name: '东华门街道' },
      community: { id: units.community, name: '东华门幸福社区' },
    });
    expect((await read('西城区新街口街道幸福家园3号楼')).community).toEqual({ id: units.communityB, name: '新街口社区' });
  });

  it('reads partial addresses, short names and aliases', async () => {
    expect((await read('东华门街道金宝街路口')).subdistrict).toEqual({ id: units.streetA, name: '东华门街道' });
    expect((await read('王府井大街北口')).subdistrict).toEqual({ id: units.street2, name: '景山街道' });
    expect((await read('金宝街88号')).district).toEqual({ id: units.districtA, name: '东城区' });
    // Short forms and imported aliases: 东城 for 东城区, 东华门街 for 东华门街道.
    expect(await read('东城东华门街幸福家园')).toMatchObject({ subdistrict: { id: units.streetA }, community: { id: units.community } });
    // An estate found in two districts, and nothing else: neither is chosen.
    expect(await read('幸福家园')).toEqual({ district: null, subdistrict: null, community: null });
    expect(await read('火星基地')).toEqual({ district: null, subdistrict: null, community: null });
  });

  it('reads a misspelled name one character off, with a common alias', async () => {
    expect(await read('东城东华们街道幸福家园')).toMatchObject({
      district: { id: units.districtA },
      subdistrict: { id: units.streetA, name: '东华门街道' },
    });
    expect((await read('景善街道12号')).subdistrict).toEqual({ id: units.street2, name: '景山街道' });
  });
});

describe('orders', () => {
  let placedId = 0;
  it('places an order by its coordinates alone and routes it to the most specific area', async () => {
    const { admin, agent, dispatcher } = t.u;
    await admin.post('/api/v1/categories', { code: 'SR', name: '市容' });
    await admin.post('/api/v1/dispatch/rules', { categoryCode: 'SR', mainUnitId: units.bureau });
    await admin.post('/api/v1/dispatch/rules', { categoryCode: 'SR', areaUnitId: units.districtA, mainUnitId: units.districtA });
    const streetRule = await admin.post('/api/v1/dispatch/rules', { categoryCode: 'SR', areaUnitId: units.streetA, mainUnitId: units.streetA });
    const o = await agent.post('/api/v1/workorders', {
      type: 'complaint',
      title: '垃圾堆放',
      content: '路边垃圾很多天没人清运',
      categoryCode: 'SR',
      location: { lat: 39.95, lng: 116.03 },
    });
    expect(o.status).toBe(201);
    placedId = o.body.id;
    expect(o.body.location).toMatchObject({ districtUnitId: units.community, lat: 39.95, lng: 116.03 });
    const read = (await dispatcher.get(`/api/v1/workorders/${o.body.id}`)).body;
    expect(read.areas).toEqual({
      district: { id: units.districtA, name: '东城区' },
      subdistrict: { id: units.streetA, name: '东华门街道' },
      community: { id: units.community, name: '东华门幸福社区' },
    });
    const s = (await dispatcher.get(`/api/v1/dispatch/suggestions/${o.body.id}`)).body;
    expect(s.suggestion.route.rule.id).toBe(streetRule.body.id);
    expect(s.suggestion.decision).toMatchObject({ unitId: units.streetA, reason: 'rule' });
    // The suggestion for a draft reads the point as well.
    const draft = await dispatcher.post('/api/v1/dispatch/suggest', {
      title: '垃圾',
      content: '垃圾没人清运',
      categoryCode: 'SR',
      location: { lat: 39.95, lng: 116.15 },
    });
    expect(draft.body.decision).toMatchObject({ unitId: units.districtA });

    // An address alone; an area the agent chose is kept whatever the point says.
    const byText = await agent.post('/api/v1/workorders', { type: 'complaint', title: '噪音', content: '夜间施工', location: { address: '王府井大街北口' } });
    expect(byText.body.location.districtUnitId).toBe(units.street2);
    const chosen = await agent.post('/api/v1/workorders', {
      type: 'complaint',
      title: '噪音',
      content: '夜间施工',
      location: { lat: 39.95, lng: 116.03, districtUnitId: units.districtB },
    });
    expect(chosen.body.location.districtUnitId).toBe(units.districtB);
    // Outside every area: no area.
    const outside = await agent.post('/api/v1/workorders', { type: 'consultation', title: '咨询', content: '外地', location: { lat: 31.2, lng: 121.5 } });
    expect(outside.body.location.districtUnitId).toBeNull();
    expect((await dispatcher.get(`/api/v1/workorders/${outside.body.id}`)).body.areas).toEqual({ district: null, subdistrict: null, community: null });
  });

  it('counts orders by area for the heat map, and by hot topic', async () => {
    const { supervisor, handlerA } = t.u;
    const heat = (await supervisor.get('/api/v1/areas/heat?level=district')).body;
    expect(heat.items).toEqual(
      expect.arrayContaining([
        { unitId: units.districtA, name: '东城区', count: 2 },
        { unitId: units.districtB, name: '西城区', count: 1 },
      ]),
    );
    expect(heat.points.length).toBeGreaterThanOrEqual(3);
    expect(heat.unplaced).toBeGreaterThanOrEqual(1);
    const subs = (await supervisor.get('/api/v1/areas/heat?level=subdistrict')).body.items;
    expect(subs).toEqual(
      expect.arrayContaining([
        { unitId: units.streetA, name: '东华门街道', count: 1 },
        { unitId: units.street2, name: '景山街道', count: 1 },
      ]),
    );
    expect(heat.points).toContainEqual(expect.objectContaining({ id: placedId, lat: 39.95, lng: 116.03 }));
    const topic = (await supervisor.get(`/api/v1/areas/heat?workorderIds=${placedId}`)).body;
    expect(topic.items).toEqual([{ unitId: units.districtA, name: '东城区', count: 1 }]);
    expect((await handlerA.get('/api/v1/areas/heat')).status).toBe(403);
  });

  it('routes Open311 requests by their lat/long and tells the expected time', async () => {
    const { admin } = t.u;
    expect((await admin.post('/api/v1/open311/services', { serviceCode: 'SR', serviceName: '市容环境', orderType: 'complaint' })).status).toBe(201);
    const key = (await admin.post('/api/v1/open311/keys', { name: 'fms' })).body.apiKey as string;
    const anon = new Client(t.platform);
    const posted = await anon.request(
      'POST',
      '/open311/v2/requests.json',
      `api_key=${key}&service_code=SR&lat=39.95&long=116.03&description=${encodeURIComponent('垃圾很多天没人清运')}`,
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
    );
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    const number = posted.body[0].service_request_id as string;
    const order = (await t.u.dispatcher.get(`/api/v1/workorders?q=${number}`)).body.items[0];
    expect(order.location.districtUnitId).toBe(units.community);
    // Dispatched: the reply deadline is the expected time.
    const full = (await t.u.dispatcher.get(`/api/v1/workorders/${order.id}`)).body;
    expect((await t.u.dispatcher.post(`/api/v1/workorders/${order.id}/actions/dispatch`, { version: full.version, unitId: units.streetA })).status).toBe(200);
    const deadlines = (await t.u.dispatcher.get(`/api/v1/workorders/${order.id}`)).body.deadlines;
    const reply = deadlines.find((d: any) => d.kind === 'reply');
    const sr = (await anon.get(`/open311/v2/requests/${number}.json`)).body[0];
    expect(sr.expected_datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(new Date(sr.expected_datetime).getTime()).toBe(new Date(reply.dueAt).getTime());
  });
});

describe('jiesu areas (CLI)', () => {
  const run = promisify(execFile);
  it('imports a GeoJSON file and places, and resolves from the shell', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'jiesu-areas-'));
    const server = await throwawayDatabase();
    const dbArgs = server ? ['--database-url', server.url] : ['--data', join(tmp, 'data')];
    try {
      const p = await startPlatform({ databaseUrl: server?.url, dataDir: server ? undefined : join(tmp, 'data'), adminPassword: ADMIN_PASSWORD });
      const c = await seedCity(p);
      const admin = await loginAs(p, 'admin', ADMIN_PASSWORD);
      units = { ...c.units };
      units.street2 = (await admin.post('/api/v1/units', { name: '景山街道', kind: 'subdistrict', parentId: c.units.districtA })).body.id;
      units.community = (await admin.post('/api/v1/units', { name: '东华门幸福社区', kind: 'community', parentId: c.units.streetA })).body.id;
      await p.close();
      writeFileSync(join(tmp, 'city.geojson'), JSON.stringify(cityGeoJson()));
      writeFileSync(join(tmp, 'places.csv'), 'name,kind,unit\n幸福家园,estate,东华门幸福社区\n');
      const jiesu = async (...args: string[]) => {
        try {
          return { code: 0, ...(await run('node', [join(packageRoot, 'bin', 'jiesu.js'), ...args], { cwd: tmp, env: { ...process.env, DATABASE_URL: '' } })) };
        } catch (e: any) {
          return { code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string };
        }
      };
      const imported = await jiesu('areas', 'import', join(tmp, 'city.geojson'), ...dbArgs);
      expect(imported.stderr).toBe('');
      expect(imported.stdout).toContain('imported 5 area(s), 1 new alias(es)');
      expect((await jiesu('areas', 'import-places', join(tmp, 'places.csv'), ...dbArgs)).stdout).toContain('imported 1 of 1 place(s)');
      const byPoint = await jiesu('areas', 'resolve', '--lat', '39.95', '--lng', '116.15', ...dbArgs);
      expect(byPoint.stdout).toContain('subdistrict: 景山街道');
      const byText = await jiesu('areas', 'resolve', '东城区幸福家园南门', ...dbArgs);
      expect(byText.stdout).toContain('community: 东华门幸福社区');
      writeFileSync(join(tmp, 'bad.geojson'), '{"type":"Feature"}');
      const bad = await jiesu('areas', 'import', join(tmp, 'bad.geojson'), ...dbArgs);
      expect(bad.code).toBe(1);
      expect(bad.stderr.trim()).toBe('jiesu: 文件不是 GeoJSON 要素集合（FeatureCollection）');
    } finally {
      await server?.drop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
