// Where the demo city lies: its districts tile a box around 30.7°N 114.35°E, four columns by two
// rows; each district is three sub-district strips of three community cells. The lattice's inner
// corners are nudged by a fixed hash, so borders zigzag like real ones, and neighbours share every
// corner, so the tiling has no gap and no overlap. Orders' points are drawn inside their sub-district.
const WEST = 114.1;
const SOUTH = 30.5;
const COLS = 12; // 4 districts × 3 sub-districts
const ROWS = 6; // 2 districts × 3 communities
const DX = 0.5 / COLS;
const DY = 0.4 / ROWS;

const micro = (deg: number) => Math.round(deg * 1e6) / 1e6;

/** A fixed value in [-0.5, 0.5) for a lattice corner. */
function hash(i: number, j: number, salt: number): number {
  let h = (i * 374761393 + j * 668265263 + salt * 2147483647) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296 - 0.5;
}

/** The lattice corner (i, j) as [lng, lat]; the outer edge stays straight. */
export function corner(i: number, j: number): [number, number] {
  const inner = i > 0 && i < COLS && j > 0 && j < ROWS;
  const x = WEST + (i + (inner ? 0.4 * hash(i, j, 1) : 0)) * DX;
  const y = SOUTH + (j + (inner ? 0.4 * hash(i, j, 2) : 0)) * DY;
  return [micro(x), micro(y)];
}

/** The ring around the cells [c0, c1) × [r0, r1), counter-clockwise, through every lattice corner on it. */
function ring(c0: number, r0: number, c1: number, r1: number): [number, number][] {
  const pts: [number, number][] = [];
  for (let i = c0; i < c1; i++) pts.push(corner(i, r0));
  for (let j = r0; j < r1; j++) pts.push(corner(c1, j));
  for (let i = c1; i > c0; i--) pts.push(corner(i, r1));
  for (let j = r1; j > r0; j--) pts.push(corner(c0, j));
  pts.push(pts[0]!);
  return pts;
}

const origin = (district: number) => ({ c: (district % 4) * 3, r: Math.floor(district / 4) * 3 });

export const districtPolygon = (d: number) => {
  const { c, r } = origin(d);
  return { type: 'Polygon' as const, coordinates: [ring(c, r, c + 3, r + 3)] };
};
export const subdistrictPolygon = (d: number, s: number) => {
  const { c, r } = origin(d);
  return { type: 'Polygon' as const, coordinates: [ring(c + s, r, c + s + 1, r + 3)] };
};
export const communityPolygon = (d: number, s: number, k: number) => {
  const { c, r } = origin(d);
  return { type: 'Polygon' as const, coordinates: [ring(c + s, r + k, c + s + 1, r + k + 1)] };
};

/**
 * A point inside sub-district `s` of district `d` for two uniform numbers in [0, 1): a community
 * cell by `v`, then a bilinear blend of that cell's corners, kept off its edges.
 */
export function pointInSubdistrict(d: number, s: number, u: number, v: number): { lat: number; lng: number } {
  const { c, r } = origin(d);
  const k = Math.min(2, Math.floor(v * 3));
  const a = 0.1 + 0.8 * u;
  const b = 0.1 + 0.8 * (v * 3 - k);
  const [p00, p10, p11, p01] = [corner(c + s, r + k), corner(c + s + 1, r + k), corner(c + s + 1, r + k + 1), corner(c + s, r + k + 1)];
  const mix = (i: 0 | 1) => (1 - a) * (1 - b) * p00[i] + a * (1 - b) * p10[i] + a * b * p11[i] + (1 - a) * b * p01[i];
  return { lng: micro(mix(0)), lat: micro(mix(1)) };
}
