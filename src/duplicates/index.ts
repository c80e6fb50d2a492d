// The signature table and the near-duplicate lookup.
import type { Database, Queryable } from '../db/database.js';
import type { WorkOrder } from '../workorders/index.js';
import { scopeSql } from '../workorders/index.js';
import { bandKeys, distanceM, minhash, placeNames, problemScore, rarityWeight, textScore, tokenize } from './text.js';
import { setting } from '../core/config.js';
import { phoneIndexes, phoneOrThrow } from '../privacy/index.js';

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
  /** The places it names: its address (without spaces) and the estates and lanes in it. */
  places: string[];
}

export const orderPlaces = (title: string, content: string, address?: string | null): string[] => {
  const addr = address?.replace(/\s+/g, '') ?? '';
  return [...new Set([...(addr.length >= 4 ? [addr] : []), ...placeNames(`${addr}\n${title}\n${content}`)])];
};

export function signature(title: string, content: string, districtUnitId: number | null | undefined, address?: string | null): Signature {
  const tokens = tokenize(orderText(title, content));
  return { tokens, bands: tokens.length ? bandKeys(minhash(tokens), districtUnitId ?? 0) : [], places: orderPlaces(title, content, address) };
}

/** Writes (or rewrites) the signature of an order. */
export async function upsertSignature(q: Queryable, o: WorkOrder): Promise<void> {
  const loc = o.location;
  const sig = signature(o.title, o.content, loc?.districtUnitId, loc?.address);
  await q.query(
    `INSERT INTO dup_signatures (workorder_id, created_at, district_unit_id, lat, lng, open, tokens, bands, places)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (workorder_id) DO UPDATE SET created_at = EXCLUDED.created_at, district_unit_id = EXCLUDED.district_unit_id,
       lat = EXCLUDED.lat, lng = EXCLUDED.lng, open = EXCLUDED.open, tokens = EXCLUDED.tokens, bands = EXCLUDED.bands, places = EXCLUDED.places`,
    [o.id, o.createdAt, loc?.districtUnitId ?? null, loc?.lat ?? null, loc?.lng ?? null, o.status !== 'closed', sig.tokens, sig.bands, sig.places],
  );
}

export interface CheckInput {
  title: string;
  content: string;
  districtUnitId?: number | null;
  lat?: number | null;
  lng?: number | null;
  /** The address said on the call: the same address or estate is the same place. */
  address?: string | null;
  /** The caller's phone: their own earlier orders are listed, and count as the same caller (by blind index only). */
  phone?: string | null;
  /** Reference time (default now): the window ends here. */
  at?: string;
  /** An order to leave out (the order being checked itself). */
  excludeId?: number;
  limit?: number;
  windowDays?: number;
  minScore?: number;
}

export interface Reason {
  sharedWords: string[];
  jaccard: number;
  containment: number;
  distanceM: number | null;
  sameDistrict: boolean | null;
  /** The same caller (the phone's blind index) made that order or called about it again. */
  sameCaller: boolean;
  /** Points within SAME_PLACE_M, the same address, or the same estate or lane named. */
  samePlace: boolean;
  /** The place both name (an estate, a lane, the address), when that is how they meet. */
  sharedPlaces: string[];
  /** The similarity of the problem's words alone (rare words weigh most). */
  textScore: number;
  /** Days between the two. */
  daysApart: number;
}

export interface Candidate {
  workorderId: number;
  number: string;
  title: string;
  status: string;
  createdAt: string;
  districtUnitId: number | null;
  score: number;
  reason: Reason;
}

/** District ids for a lookup without a district: every district, plus 0 (orders without one). */
async function allAreas(q: Queryable): Promise<number[]> {
  const { rows } = await q.query<{ id: number }>(`SELECT id FROM units WHERE kind = 'district'`);
  return [0, ...rows.map((r) => r.id)];
}

const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

/** Points this close are the same place (a gate, a lamp post, a building). */
export const SAME_PLACE_M = 200;
/** How much the same place, and the same caller, raise the words' score (each). */
const CONTEXT_BOOST = 1.5;

/**
 * The score of one candidate (0…1): the problem's words (problemScore: rare words weigh most,
 * the places' own words left out, as the place is judged apart), raised by CONTEXT_BOOST for the
 * same place and again for the same caller, lowered a little with the days apart and for points
 * over a kilometre. The context multiplies the words' score and never adds to it: another problem
 * at the same place, or from the same caller, shares no problem words and stays below the
 * threshold. The benchmark scores its labelled pairs with this function.
 */
export function scorePair(
  a: { tokens: readonly string[]; places: readonly string[] },
  b: { tokens: readonly string[]; places: readonly string[] },
  weight: (token: string) => number,
  ctx: { distanceM?: number | null; sameCaller?: boolean; daysApart?: number; windowDays?: number } = {},
) {
  const sharedPlaces = a.places.filter((p) => b.places.includes(p));
  const samePlace = sharedPlaces.length > 0 || (ctx.distanceM != null && ctx.distanceM <= SAME_PLACE_M);
  // The place's own words (银杏 of 银杏小区) say where, not what.
  const placeWords = new Set([...a.places, ...b.places].flatMap(placeTokens));
  const problem = (ts: readonly string[]) => ts.filter((t) => !placeWords.has(t));
  // The same place or caller is itself the rare thing shared; it never makes up for other words.
  const words = problemScore(problem(a.tokens), problem(b.tokens), weight, (samePlace ? 1 : 0) + (ctx.sameCaller ? 1 : 0));
  const t = textScore(a.tokens, b.tokens);
  let score = words * (samePlace ? CONTEXT_BOOST : 1) * (ctx.sameCaller ? CONTEXT_BOOST : 1);
  // The same problem is reported again within days, less often months later; far points are less likely the same.
  score *= 1 - 0.2 * Math.min(1, (ctx.daysApart ?? 0) / (ctx.windowDays ?? 90));
  if (ctx.distanceM != null && ctx.distanceM > 1000) score *= 0.8;
  return {
    score: Math.min(1, score),
    words,
    samePlace,
    sharedPlaces,
    sharedWords: t.shared.filter((w) => !placeWords.has(w)),
    jaccard: t.jaccard,
    containment: t.containment,
  };
}

const placeTokenCache = new Map<string, string[]>();
/** The words of a place name (memoised: the same estates come back on every check). */
function placeTokens(place: string): string[] {
  let t = placeTokenCache.get(place);
  if (!t) {
    if (placeTokenCache.size > 10_000) placeTokenCache.clear();
    placeTokenCache.set(place, (t = tokenize(place)));
  }
  return t;
}

// ---- Document frequencies -------------------------------------------------------------------
/** Signatures read per rebuild: the latest ones, so the frequencies follow how people write now at a bounded cost. */
const DF_SAMPLE = 50_000;
const DF_LOCK = 0x6475_7066; // 'dupf'

/**
 * Rebuilds `dup_token_df` from the latest signatures in one transaction, by one node at a time
 * (a transaction-scoped advisory lock; a node that does not get it skips, the other is at it).
 * Skipped while the last rebuild is younger than `maxAgeMs` (so many nodes rebuild once).
 */
export async function refreshDocumentFrequencies(db: Database, maxAgeMs = 0): Promise<{ refreshed: boolean; docs: number; tokens: number }> {
  return db.tx(async (q) => {
    const { rows: lock } = await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [DF_LOCK]);
    if (!lock[0]!.ok) return { refreshed: false, docs: 0, tokens: 0 };
    const { rows: st } = await q.query<{ docs: number; refreshed_at: Date | string }>('SELECT docs, refreshed_at FROM dup_df_state WHERE id = 1');
    if (st[0] && Date.now() - new Date(st[0].refreshed_at).getTime() < maxAgeMs) return { refreshed: false, docs: st[0].docs, tokens: 0 };
    await q.query('DELETE FROM dup_token_df');
    const { rows } = await q.query<{ docs: number; tokens: number }>(
      `WITH s AS (SELECT tokens FROM dup_signatures ORDER BY created_at DESC LIMIT ${DF_SAMPLE}),
            ins AS (INSERT INTO dup_token_df (token, df) SELECT t, count(*) FROM s, unnest(s.tokens) t GROUP BY t RETURNING 1)
       SELECT (SELECT count(*) FROM s)::int AS docs, (SELECT count(*) FROM ins)::int AS tokens`,
    );
    const { docs, tokens } = rows[0]!;
    await q.query(
      `INSERT INTO dup_df_state (id, docs, refreshed_at) VALUES (1, $1, now())
       ON CONFLICT (id) DO UPDATE SET docs = EXCLUDED.docs, refreshed_at = EXCLUDED.refreshed_at`,
      [docs],
    );
    dfCache.delete(db);
    return { refreshed: true, docs, tokens };
  });
}

interface DfTable {
  df: Map<string, number>;
  docs: number;
  refreshedAt: string | null;
  loadedAt: number;
}
const dfCache = new WeakMap<Queryable, DfTable>();

/** The frequencies as this node last read them (re-read when a rebuild is newer, checked at most once a minute). */
async function documentFrequencies(db: Database): Promise<DfTable> {
  const cached = dfCache.get(db);
  if (cached && Date.now() - cached.loadedAt < 60_000) return cached;
  let { rows: st } = await db.query<{ docs: number; refreshed_at: Date | string }>('SELECT docs, refreshed_at FROM dup_df_state WHERE id = 1');
  if (!st[0]) {
    // Never built (a new installation, before the first run of the job): build it now.
    await refreshDocumentFrequencies(db);
    ({ rows: st } = await db.query<{ docs: number; refreshed_at: Date | string }>('SELECT docs, refreshed_at FROM dup_df_state WHERE id = 1'));
  }
  const refreshedAt = st[0] ? new Date(st[0].refreshed_at).toISOString() : null;
  if (cached && cached.refreshedAt === refreshedAt) return Object.assign(cached, { loadedAt: Date.now() });
  const { rows } = await db.query<{ token: string; df: number }>('SELECT token, df FROM dup_token_df');
  const table = { df: new Map(rows.map((r) => [r.token, r.df])), docs: st[0]?.docs ?? 0, refreshedAt, loadedAt: Date.now() };
  dfCache.set(db, table);
  return table;
}

/** Ids of orders by this caller (citizen of the order, or a repeat caller on it) in the window, newest first. */
async function callerOrderIds(db: Database, phone: string, from: Date, at: Date): Promise<number[]> {
  const idx = phoneIndexes(phoneOrThrow(phone, 'phone'));
  const { rows } = await db.query<{ id: number }>(
    `SELECT id FROM (
       SELECT id, created_at FROM workorders
        WHERE citizen_phone_bidx = ANY($1::text[]) AND citizen_phone_bidx IS NOT NULL AND created_at >= $2 AND created_at <= $3
       UNION
       SELECT w.id, w.created_at FROM dup_callers c JOIN workorders w ON w.id = c.workorder_id
        WHERE c.phone_bidx = ANY($1::text[]) AND c.phone_bidx IS NOT NULL AND c.removed_at IS NULL AND w.created_at >= $2 AND w.created_at <= $3
     ) x ORDER BY created_at DESC, id DESC LIMIT 20`,
    [idx, from.toISOString(), at.toISOString()],
  );
  return rows.map((r) => r.id);
}

/**
 * Orders about the same problem as the given text, best first, among the orders the reader may
 * see (`scope` from orderScope; null: the city), and the caller's own earlier orders.
 *
 * The score is the problem's words (problemScore: rare words weigh most, the places' own words
 * left out, as the place is judged apart), raised by CONTEXT_BOOST for the same place and again
 * for the same caller, lowered a little with the days apart and for points over a kilometre. The
 * context multiplies the words' score and never adds to it: another problem at the same place, or
 * from the same caller, shares no problem words and stays below the threshold.
 */
export async function checkDuplicates(
  db: Database,
  input: CheckInput,
  scope: number[] | null = null,
): Promise<{ candidates: Candidate[]; callerOrders: Candidate[]; tokens: string[]; examined: number }> {
  const s = settings();
  const windowDays = input.windowDays ?? s.windowDays;
  const minScore = input.minScore ?? s.minScore;
  const limit = input.limit ?? 10;
  const tokens = tokenize(orderText(input.title, input.content));
  const at = input.at ? new Date(input.at) : new Date();
  const from = new Date(at.getTime() - windowDays * 86400_000);
  const callerIds = input.phone ? await callerOrderIds(db, input.phone, from, at) : [];
  if (tokens.length === 0 && callerIds.length === 0) return { candidates: [], callerOrders: [], tokens, examined: 0 };
  const sig = minhash(tokens);
  const areas = input.districtUnitId != null ? [input.districtUnitId, 0] : await allAreas(db);
  const keys = tokens.length ? [...new Set(areas.flatMap((a) => bandKeys(sig, a)))] : [];
  type Row = {
    workorder_id: number;
    created_at: Date | string;
    district_unit_id: number | null;
    lat: number | null;
    lng: number | null;
    tokens: string[];
    places: string[];
  };
  // With many band keys the planner overestimates the matches and scans the table or the date index;
  // the GIN lookup (a materialized CTE with the band test alone) is always the right plan here.
  // The caller's own orders are read by id whatever their words.
  const cols = 'workorder_id, created_at, open, district_unit_id, lat, lng, tokens, places';
  const { rows } = await db.tx(async (q) => {
    await q.query('SET LOCAL enable_seqscan = off');
    return q.query<Row>(
      `WITH m AS MATERIALIZED (SELECT ${cols} FROM dup_signatures WHERE bands && $1::int[]
                                ${callerIds.length ? `UNION SELECT ${cols} FROM dup_signatures WHERE workorder_id = ANY($6::int[])` : ''})
       SELECT workorder_id, created_at, district_unit_id, lat, lng, tokens, places FROM m
        WHERE created_at <= $3 AND (created_at >= $2 OR open) AND workorder_id <> $4
        LIMIT $5`,
      [keys, from.toISOString(), at.toISOString(), input.excludeId ?? 0, s.maxCandidates, ...(callerIds.length ? [callerIds] : [])],
    );
  });
  const freq = await documentFrequencies(db);
  const weight = rarityWeight(freq.df, freq.docs);
  const places = orderPlaces(input.title, input.content, input.address);
  const byCaller = new Set(callerIds);
  const hasPoint = input.lat != null && input.lng != null;
  type Scored = { id: number; score: number; reason: Reason; districtUnitId: number | null };
  const scored: Scored[] = [];
  const mine: Scored[] = [];
  for (const r of rows) {
    const dist = hasPoint && r.lat != null && r.lng != null ? distanceM(input.lat!, input.lng!, r.lat, r.lng) : null;
    const sameCaller = byCaller.has(r.workorder_id);
    if (dist != null && dist > s.radiusM && !sameCaller) continue;
    const days = Math.abs(at.getTime() - new Date(r.created_at).getTime()) / 86400_000;
    const p = scorePair({ tokens, places }, r, weight, { distanceM: dist, sameCaller, daysApart: days, windowDays });
    const c: Scored = {
      id: r.workorder_id,
      score: round(p.score),
      districtUnitId: r.district_unit_id,
      reason: {
        sharedWords: p.sharedWords.slice(0, 20),
        jaccard: round(p.jaccard),
        containment: round(p.containment),
        distanceM: dist == null ? null : Math.round(dist),
        sameDistrict: input.districtUnitId != null && r.district_unit_id != null ? input.districtUnitId === r.district_unit_id : null,
        sameCaller,
        samePlace: p.samePlace,
        sharedPlaces: p.sharedPlaces,
        textScore: round(p.words),
        daysApart: Math.round(days),
      },
    };
    if (sameCaller) mine.push(c);
    if (p.score >= minScore) scored.push(c);
  }
  scored.sort((a, b) => b.score - a.score || b.id - a.id);
  const top = scored.slice(0, limit);
  const callers = mine.sort((a, b) => callerIds.indexOf(a.id) - callerIds.indexOf(b.id));
  const ids = [...new Set([...top, ...callers].map((c) => c.id))];
  if (ids.length === 0) return { candidates: [], callerOrders: [], tokens, examined: rows.length };
  const params: unknown[] = [ids];
  const { rows: orders } = await db.query<{ id: number; number: string; title: string; status: string; created_at: Date | string }>(
    `SELECT id, number, title, status, created_at FROM workorders WHERE id = ANY($1::int[]) AND ${scopeSql(scope, params)}`,
    params,
  );
  const byId = new Map(orders.map((o) => [o.id, o]));
  const shown = (list: Scored[]) =>
    list.flatMap((c) => {
      const o = byId.get(c.id);
      if (!o) return [];
      const createdAt = new Date(o.created_at).toISOString();
      return [
        {
          workorderId: c.id,
          number: o.number,
          title: o.title,
          status: o.status,
          createdAt,
          districtUnitId: c.districtUnitId,
          score: c.score,
          reason: c.reason,
        },
      ];
    });
  return { candidates: shown(top), callerOrders: shown(callers), tokens, examined: rows.length };
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
      address: string | null;
    }>(
      `SELECT id, title, content, created_at, status, district_unit_id, lat, lng, address FROM workorders w
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
  address?: string | null;
}

/** Writes the signatures of orders in one statement; an order that already has one keeps it. */
export async function insertSignatures(q: Queryable, orders: readonly SignedOrder[]): Promise<void> {
  if (!orders.length) return;
  const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
  for (const o of orders) {
    const sig = signature(o.title, o.content, o.districtUnitId, o.address);
    const vals = [
      o.id,
      new Date(o.createdAt).toISOString(),
      o.districtUnitId,
      o.lat,
      o.lng,
      o.open,
      pgArray(sig.tokens),
      `{${sig.bands.join(',')}}`,
      pgArray(sig.places),
    ];
    vals.forEach((v, i) => cols[i]!.push(v));
  }
  await q.query(
    `INSERT INTO dup_signatures (workorder_id, created_at, district_unit_id, lat, lng, open, tokens, bands, places)
     SELECT a, b, c, d, e, f, g::text[], h::int[], i::text[]
       FROM unnest($1::int[], $2::timestamptz[], $3::int[], $4::float8[], $5::float8[], $6::bool[], $7::text[], $8::text[], $9::text[])
         AS u(a, b, c, d, e, f, g, h, i)
     ON CONFLICT (workorder_id) DO NOTHING`,
    cols,
  );
}

/** A PostgreSQL array literal of text values. */
export const pgArray = (xs: readonly string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, (c) => '\\' + c)}"`).join(',')}}`;
