// The signature table and the near-duplicate lookup.
import type { Database, Queryable } from '../db/database.js';
import type { WorkOrder } from '../workorders/index.js';
import { scopeSql } from '../workorders/index.js';
import { bandKeys, distanceM, minhash, textScore, tokenize } from './text.js';
import { setting } from '../core/config.js';

export interface DuplicateSettings {
  /** Orders created within this many days are candidates (open orders are, whatever their age). */
  windowDays: number;
  /** Candidates scoring below this are not shown. */
  minScore: number;
  /** Both orders with coordinates further apart than this are not the same problem. */
  radiusM: number;
  /** Band matches read at most (the lookup's worst case). */
  maxCandidates: number;
}

export const settings = (): DuplicateSettings => ({
  windowDays: setting('JIESU_DUP_WINDOW_DAYS'),
  minScore: setting('JIESU_DUP_MIN_SCORE'),
  radiusM: setting('JIESU_DUP_RADIUS_M'),
  maxCandidates: setting('JIESU_DUP_MAX_CANDIDATES'),
});

export const orderText = (title: string, content: string) => `${title}\n${content}`;

export interface Signature {
  tokens: string[];
  bands: number[];
}

export function signature(title: string, content: string, districtUnitId: number | null | undefined): Signature {
  const tokens = tokenize(orderText(title, content));
  return { tokens, bands: tokens.length ? bandKeys(minhash(tokens), districtUnitId ?? 0) : [] };
}

/** Writes (or rewrites) the signature of an order. */
export async function upsertSignature(q: Queryable, o: WorkOrder): Promise<void> {
  const loc = o.location;
  const sig = signature(o.title, o.content, loc?.districtUnitId);
  await q.query(
    `INSERT INTO dup_signatures (workorder_id, created_at, district_unit_id, lat, lng, open, tokens, bands)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (workorder_id) DO UPDATE SET created_at = EXCLUDED.created_at, district_unit_id = EXCLUDED.district_unit_id,
       lat = EXCLUDED.lat, lng = EXCLUDED.lng, open = EXCLUDED.open, tokens = EXCLUDED.tokens, bands = EXCLUDED.bands`,
    [o.id, o.createdAt, loc?.districtUnitId ?? null, loc?.lat ?? null, loc?.lng ?? null, o.status !== 'closed', sig.tokens, sig.bands],
  );
}

export interface CheckInput {
  title: string;
  content: string;
  districtUnitId?: number | null;
  lat?: number | null;
  lng?: number | null;
  /** Reference time (default now): the window ends here. */
  at?: string;
  /** An order to leave out (the order being checked itself). */
  excludeId?: number;
  limit?: number;
  windowDays?: number;
  minScore?: number;
}

export interface Candidate {
  workorderId: number;
  number: string;
  title: string;
  status: string;
  createdAt: string;
  districtUnitId: number | null;
  score: number;
  reason: { sharedWords: string[]; jaccard: number; containment: number; distanceM: number | null; sameDistrict: boolean | null };
}

/** District ids for a lookup without a district: every district, plus 0 (orders without one). */
async function allAreas(q: Queryable): Promise<number[]> {
  const { rows } = await q.query<{ id: number }>(`SELECT id FROM units WHERE kind = 'district'`);
  return [0, ...rows.map((r) => r.id)];
}

const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

/** Orders about the same problem as the given text, best first. */
/** Candidates among the orders the reader may see (`scope` from orderScope; null: the city). */
export async function checkDuplicates(
  db: Database,
  input: CheckInput,
  scope: number[] | null = null,
): Promise<{ candidates: Candidate[]; tokens: string[]; examined: number }> {
  const s = settings();
  const windowDays = input.windowDays ?? s.windowDays;
  const minScore = input.minScore ?? s.minScore;
  const limit = input.limit ?? 10;
  const tokens = tokenize(orderText(input.title, input.content));
  if (tokens.length === 0) return { candidates: [], tokens, examined: 0 };
  const sig = minhash(tokens);
  const areas = input.districtUnitId != null ? [input.districtUnitId, 0] : await allAreas(db);
  const keys = [...new Set(areas.flatMap((a) => bandKeys(sig, a)))];
  const at = input.at ? new Date(input.at) : new Date();
  const from = new Date(at.getTime() - windowDays * 86400_000);
  type Row = { workorder_id: number; district_unit_id: number | null; lat: number | null; lng: number | null; tokens: string[] };
  // With many band keys the planner overestimates the matches and scans the table or the date index;
  // the GIN lookup (a materialized CTE with the band test alone) is always the right plan here.
  const { rows } = await db.tx(async (q) => {
    await q.query('SET LOCAL enable_seqscan = off');
    return q.query<Row>(
      `WITH m AS MATERIALIZED (SELECT workorder_id, created_at, open, district_unit_id, lat, lng, tokens FROM dup_signatures WHERE bands && $1::int[])
       SELECT workorder_id, district_unit_id, lat, lng, tokens FROM m
        WHERE created_at <= $3 AND (created_at >= $2 OR open) AND workorder_id <> $4
        LIMIT $5`,
      [keys, from.toISOString(), at.toISOString(), input.excludeId ?? 0, s.maxCandidates],
    );
  });
  const hasPoint = input.lat != null && input.lng != null;
  const scored: { id: number; score: number; reason: Candidate['reason']; districtUnitId: number | null }[] = [];
  for (const r of rows) {
    const t = textScore(tokens, r.tokens);
    const dist = hasPoint && r.lat != null && r.lng != null ? distanceM(input.lat!, input.lng!, r.lat, r.lng) : null;
    if (dist != null && dist > s.radiusM) continue;
    // Nearby reports of similar text are very likely the same problem; far ones less so.
    let score = t.score;
    if (dist != null) score = dist <= 200 ? Math.min(1, score + 0.15) : dist > 1000 ? score * 0.8 : score;
    if (score < minScore) continue;
    scored.push({
      id: r.workorder_id,
      score: round(score),
      districtUnitId: r.district_unit_id,
      reason: {
        sharedWords: t.shared.slice(0, 20),
        jaccard: round(t.jaccard),
        containment: round(t.containment),
        distanceM: dist == null ? null : Math.round(dist),
        sameDistrict: input.districtUnitId != null && r.district_unit_id != null ? input.districtUnitId === r.district_unit_id : null,
      },
    });
  }
  scored.sort((a, b) => b.score - a.score || b.id - a.id);
  const top = scored.slice(0, limit);
  if (top.length === 0) return { candidates: [], tokens, examined: rows.length };
  const params: unknown[] = [top.map((c) => c.id)];
  const { rows: orders } = await db.query<{ id: number; number: string; title: string; status: string; created_at: Date | string }>(
    `SELECT id, number, title, status, created_at FROM workorders WHERE id = ANY($1::int[]) AND ${scopeSql(scope, params)}`,
    params,
  );
  const byId = new Map(orders.map((o) => [o.id, o]));
  const candidates = top.flatMap((c) => {
    const o = byId.get(c.id);
    if (!o) return [];
    const createdAt = o.created_at instanceof Date ? o.created_at.toISOString() : new Date(o.created_at).toISOString();
    return [
      { workorderId: c.id, number: o.number, title: o.title, status: o.status, createdAt, districtUnitId: c.districtUnitId, score: c.score, reason: c.reason },
    ];
  });
  return { candidates, tokens, examined: rows.length };
}

/** Builds the signatures of orders that have none (or all, with `all`), in batches; resumable. */
export async function reindex(
  db: Database,
  opts: { all?: boolean; batchSize?: number; from?: string; to?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ indexed: number }> {
  const batch = opts.batchSize ?? 2000;
  if (opts.all) await db.query('DELETE FROM dup_signatures');
  const range =
    opts.from && opts.to ? ` AND w.created_at >= '${new Date(opts.from).toISOString()}' AND w.created_at < '${new Date(opts.to).toISOString()}'` : '';
  const { rows: cnt } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM workorders w WHERE NOT EXISTS (SELECT 1 FROM dup_signatures s WHERE s.workorder_id = w.id)${range}`,
  );
  const total = cnt[0]!.n;
  let done = 0;
  let after = 0;
  opts.onProgress?.(0, total);
  for (;;) {
    const { rows } = await db.query<{
      id: number;
      title: string;
      content: string;
      created_at: Date | string;
      status: string;
      district_unit_id: number | null;
      lat: number | null;
      lng: number | null;
    }>(
      `SELECT id, title, content, created_at, status, district_unit_id, lat, lng FROM workorders w
        WHERE id > $1 AND NOT EXISTS (SELECT 1 FROM dup_signatures s WHERE s.workorder_id = w.id)${range}
        ORDER BY id LIMIT $2`,
      [after, batch],
    );
    if (rows.length === 0) break;
    // ON CONFLICT: an order created meanwhile already got its signature from the listener.
    await insertSignatures(
      db,
      rows.map((r) => ({ ...r, createdAt: r.created_at, open: r.status !== 'closed', districtUnitId: r.district_unit_id })),
    );
    done += rows.length;
    after = rows[rows.length - 1]!.id;
    opts.onProgress?.(done, total);
  }
  return { indexed: done };
}

/** What a signature row is made of. */
export interface SignedOrder {
  id: number;
  title: string;
  content: string;
  createdAt: Date | string;
  open: boolean;
  districtUnitId: number | null;
  lat: number | null;
  lng: number | null;
}

/** Writes the signatures of orders in one statement; an order that already has one keeps it. */
export async function insertSignatures(q: Queryable, orders: readonly SignedOrder[]): Promise<void> {
  if (!orders.length) return;
  const cols: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const o of orders) {
    const sig = signature(o.title, o.content, o.districtUnitId);
    const vals = [o.id, new Date(o.createdAt).toISOString(), o.districtUnitId, o.lat, o.lng, o.open, pgArray(sig.tokens), `{${sig.bands.join(',')}}`];
    vals.forEach((v, i) => cols[i]!.push(v));
  }
  await q.query(
    `INSERT INTO dup_signatures (workorder_id, created_at, district_unit_id, lat, lng, open, tokens, bands)
     SELECT a, b, c, d, e, f, g::text[], h::int[]
       FROM unnest($1::int[], $2::timestamptz[], $3::int[], $4::float8[], $5::float8[], $6::bool[], $7::text[], $8::text[])
         AS u(a, b, c, d, e, f, g, h)
     ON CONFLICT (workorder_id) DO NOTHING`,
    cols,
  );
}

/** A PostgreSQL array literal of text values. */
export const pgArray = (xs: readonly string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, (c) => '\\' + c)}"`).join(',')}}`;
