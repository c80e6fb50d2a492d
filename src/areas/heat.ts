// The heat map's figures: orders of a period counted by district or sub-district (an order's
// area may be a community or a sub-district; it counts for the area above it), and the points
// of those with coordinates. For center staff, who see every order.
import type { Database } from '../db/database.js';
import { resolverFor } from './service.js';

export const HEAT_LEVELS = ['district', 'subdistrict'] as const;
export type HeatLevel = (typeof HEAT_LEVELS)[number];

const MAX_POINTS = 2000;

export async function areaHeat(db: Database, q: { level: HeatLevel; from: string; to: string; openOnly: boolean; ids?: number[] }) {
  const params: unknown[] = [q.from, q.to];
  const where = ['w.created_at >= $1', 'w.created_at < $2'];
  if (q.openOnly) where.push(`w.status <> 'closed'`);
  if (q.ids) where.push(`w.id = ANY($${params.push(q.ids)}::int[])`);
  const sql = where.join(' AND ');
  const [counts, points, resolver] = await Promise.all([
    db.query<{ unit: number | null; n: number }>(`SELECT w.district_unit_id AS unit, count(*)::int AS n FROM workorders w WHERE ${sql} GROUP BY 1`, params),
    db.query<{ id: number; number: string; title: string; status: string; lat: number; lng: number }>(
      `SELECT w.id, w.number, w.title, w.status, w.lat, w.lng FROM workorders w WHERE ${sql} AND w.lat IS NOT NULL AND w.lng IS NOT NULL
        ORDER BY w.created_at DESC LIMIT ${MAX_POINTS}`,
      params,
    ),
    resolverFor(db),
  ]);
  const perArea = new Map<number, { unitId: number; name: string; count: number }>();
  let unplaced = 0;
  let total = 0;
  for (const r of counts.rows) {
    total += r.n;
    const area = resolver.chain(r.unit)[q.level];
    if (!area) {
      unplaced += r.n;
      continue;
    }
    const e = perArea.get(area.id) ?? { unitId: area.id, name: area.name, count: 0 };
    e.count += r.n;
    perArea.set(area.id, e);
  }
  return {
    level: q.level,
    from: q.from,
    to: q.to,
    total,
    unplaced,
    items: [...perArea.values()].sort((a, b) => b.count - a.count),
    points: points.rows,
    pointsTruncated: points.rows.length >= MAX_POINTS,
  };
}
