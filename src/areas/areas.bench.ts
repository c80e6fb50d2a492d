// Areas: resolving a point and an address with 5,000 areas (10 districts × 20 sub-districts × 24
// communities, rings of 40 corners with zigzag borders) and 100,000 gazetteer entries (estates,
// roads, landmarks of random dictionary words), in memory as each node holds them.
import { performance } from 'node:perf_hooks';
import { dict } from '@node-rs/jieba/dict.js';
import { percentile, round, type Benchmark, type BenchResult } from '../../bench/harness.js';
import { randomSource } from '../core/random.js';
import { AreaResolver, type AreaUnit, type GazetteerEntry } from './index.js';

function words(n: number, rand: () => number): string[] {
  const all = Buffer.from(dict)
    .toString('utf8')
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((w) => /^\p{Script=Han}{2}$/u.test(w));
  const out = new Set<string>();
  while (out.size < n) out.add(all[Math.floor(rand() * all.length)]!);
  return [...out];
}

/** A cell's ring with `k` corners a side, the shared edges jittered the same way from both sides. */
function cellRing(x0: number, y0: number, w: number, h: number, k: number, jitter: (x: number, y: number) => number): number[][] {
  const pts: number[][] = [];
  const at = (x: number, y: number) => [x + jitter(x, y) * w * 0.02, y + jitter(y, x) * h * 0.02];
  for (let i = 0; i < k; i++) pts.push(at(x0 + (w * i) / k, y0));
  for (let i = 0; i < k; i++) pts.push(at(x0 + w, y0 + (h * i) / k));
  for (let i = k; i > 0; i--) pts.push(at(x0 + (w * i) / k, y0 + h));
  for (let i = k; i > 0; i--) pts.push(at(x0, y0 + (h * i) / k));
  pts.push(pts[0]!);
  return pts;
}

function timeSync(n: number, fn: (i: number) => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

export const benchmark: Benchmark = {
  module: 'areas',
  title: 'Areas: resolving points and addresses',
  run({ quick }): BenchResult[] {
    const rand = randomSource(26);
    const [D, S, C] = [10, 20, 24];
    const names = words(D + D * S + D * S * C + 30_000, rand);
    let next = 0;
    const units: AreaUnit[] = [{ id: 1, name: '示范市', kind: 'city', parentId: null }];
    const areas: { unitId: number; geometry: { type: 'Polygon'; coordinates: number[][][] } }[] = [];
    const communities: AreaUnit[] = [];
    // Districts are columns of the box 113–115 E × 30–31 N; sub-districts rows of a column; communities cells of a row.
    const jitter = (x: number, y: number) => Math.sin(x * 7919 + y * 104729);
    const [W, H] = [2 / D, 1];
    for (let d = 0; d < D; d++) {
      const district: AreaUnit = { id: units.length + 1, name: `${names[next++]}区`, kind: 'district', parentId: 1 };
      units.push(district);
      areas.push({ unitId: district.id, geometry: { type: 'Polygon', coordinates: [cellRing(113 + d * W, 30, W, H, 10, jitter)] } });
      for (let s = 0; s < S; s++) {
        const sub: AreaUnit = { id: units.length + 1, name: `${names[next++]}街道`, kind: 'subdistrict', parentId: district.id };
        units.push(sub);
        const y = 30 + (s * H) / S;
        areas.push({ unitId: sub.id, geometry: { type: 'Polygon', coordinates: [cellRing(113 + d * W, y, W, H / S, 10, jitter)] } });
        for (let c = 0; c < C; c++) {
          const com: AreaUnit = { id: units.length + 1, name: `${names[next++]}社区`, kind: 'community', parentId: sub.id };
          units.push(com);
          communities.push(com);
          areas.push({ unitId: com.id, geometry: { type: 'Polygon', coordinates: [cellRing(113 + d * W + (c * W) / C, y, W / C, H / S, 10, jitter)] } });
        }
      }
    }
    const places: GazetteerEntry[] = [];
    const suffixes = ['小区', '花园', '家园', '大厦', '路', '街', '广场', '公寓', '新村', '苑'];
    const kinds: GazetteerEntry['kind'][] = ['estate', 'estate', 'estate', 'landmark', 'estate', 'road', 'landmark', 'estate', 'estate', 'estate'];
    for (let i = 0; places.length < 100_000; i++) {
      const w = names[next + (i % 30_000)]! + (i >= 30_000 ? names[next + ((i * 7) % 30_000)]! : '');
      const k = Math.floor(rand() * suffixes.length);
      places.push({ name: w + suffixes[k], kind: kinds[k]!, unitId: communities[Math.floor(rand() * communities.length)]!.id });
    }
    let t = performance.now();
    const resolver = new AreaResolver({ units, areas, places });
    const buildMs = performance.now() - t;

    const n = quick ? 2000 : 20_000;
    const pts = Array.from({ length: n }, () => [30 + rand() * 1.02 - 0.01, 113 + rand() * 2.02 - 0.01] as const);
    for (const [la, ln] of pts.slice(0, 500)) resolver.resolvePoint(la, ln); // warm up
    const pointMs = timeSync(n, (i) => resolver.resolvePoint(pts[i]![0], pts[i]![1]));
    let found = 0;
    for (const [la, ln] of pts) if (resolver.resolvePoint(la, ln).community) found++;

    // Addresses: full, partial (estate and house number only), and with one character mistyped.
    const byId = new Map(units.map((u) => [u.id, u]));
    const addresses = Array.from({ length: quick ? 1000 : 5000 }, (_, i) => {
      const p = places[Math.floor(rand() * places.length)]!;
      const com = byId.get(p.unitId)!;
      const sub = byId.get(com.parentId!)!;
      const dis = byId.get(sub.parentId!)!;
      const house = `${1 + (i % 30)}号楼${1 + (i % 6)}单元`;
      if (i % 3 === 0) return { text: `${dis.name}${sub.name}${p.name}${house}`, sub: sub.id };
      if (i % 3 === 1) return { text: `${p.name}${house}`, sub: sub.id };
      return { text: `${dis.name.slice(0, 2)}${sub.name[0]}冖${sub.name.slice(2)}${p.name}南门`, sub: sub.id };
    });
    for (const a of addresses.slice(0, 200)) resolver.resolveAddress(a.text);
    t = performance.now();
    const addrMs = timeSync(addresses.length, (i) => resolver.resolveAddress(addresses[i]!.text));
    const right = addresses.filter((a) => resolver.resolveAddress(a.text).subdistrict?.id === a.sub).length;
    const p95Point = percentile(pointMs, 95);
    const p95Addr = percentile(addrMs, 95);
    return [
      { name: 'index build (5,010 areas, 100,000 places)', value: round(buildMs, 0), unit: 'ms', notes: 'once per node and per change' },
      {
        name: 'resolve a point, p95',
        value: round(p95Point, 4),
        unit: 'ms',
        target: '< 1 ms',
        pass: p95Point < 1,
        notes: `mean ${round(pointMs.reduce((s, x) => s + x, 0) / n, 4)} ms; ${n} points, ${round((100 * found) / n, 1)} % inside a community`,
      },
      {
        name: 'resolve an address, p95',
        value: round(p95Addr, 3),
        unit: 'ms',
        target: '< 5 ms',
        pass: p95Addr < 5,
        notes: `mean ${round(addrMs.reduce((s, x) => s + x, 0) / addresses.length, 3)} ms; ${addresses.length} addresses (full, partial, mistyped)`,
      },
      {
        name: 'addresses resolved to the right sub-district',
        value: round((100 * right) / addresses.length, 1),
        unit: '%',
        notes: 'a partial address whose estate name recurs elsewhere resolves only what its candidates share',
      },
    ];
  },
};
