// Call center: CTI/ACD events, Asterisk CDR import, agent states and the measures.
//
// Every event is stored once (unique (call_id, type, at), so a re-sent batch changes
// nothing) and merged into one `cc_calls` row per call with commutative rules (earliest
// answer, latest end, …): batches may arrive late, out of order or concurrently.
import type { Database, Queryable } from '../db/database.js';
import type { Actor } from '../core/context.js';
import { hasRole } from '../core/context.js';
import { badRequest, forbidden, notFound } from '../core/errors.js';

export const EVENT_TYPES = ['offered', 'queued', 'answered', 'abandoned', 'transferred', 'ended'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const AGENT_STATES = ['ready', 'busy', 'wrap_up', 'break', 'offline'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

export interface CallEvent {
  callId: string;
  type: EventType;
  at: string;
  agentId?: number | null;
  queue?: string | null;
}

/** Stores new events and merges them into their calls; returns how many were new. */
export async function ingestEvents(q: Queryable, events: CallEvent[], source: 'cti' | 'cdr'): Promise<{ accepted: number; duplicates: number }> {
  if (events.length === 0) return { accepted: 0, duplicates: 0 };
  const ins = await q.query<{ call_id: string; type: string; at: Date; agent_id: number | null; queue: string | null }>(
    `INSERT INTO cc_events (call_id, type, at, agent_id, queue, source)
     SELECT e.call_id, e.type, e.at, e.agent_id, e.queue, $6
     FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::text[]) AS e(call_id, type, at, agent_id, queue)
     ON CONFLICT (call_id, type, at) DO NOTHING
     RETURNING call_id, type, at, agent_id, queue`,
    [
      events.map((e) => e.callId),
      events.map((e) => e.type),
      events.map((e) => e.at),
      events.map((e) => e.agentId ?? null),
      events.map((e) => e.queue ?? null),
      source,
    ],
  );
  const n = ins.rows.length;
  if (n > 0) {
    const r = ins.rows;
    // Rows are upserted in call_id order so that concurrent batches lock them in one order (no deadlock).
    await q.query(
      `INSERT INTO cc_calls (call_id, queue, agent_id, first_at, answered_at, abandoned_at, transferred_at, ended_at)
       SELECT call_id, max(queue),
              (array_agg(agent_id ORDER BY at) FILTER (WHERE agent_id IS NOT NULL AND type = 'answered'))[1],
              min(at),
              min(at) FILTER (WHERE type = 'answered'),
              min(at) FILTER (WHERE type = 'abandoned'),
              min(at) FILTER (WHERE type = 'transferred'),
              max(at) FILTER (WHERE type = 'ended')
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::text[]) AS e(call_id, type, at, agent_id, queue)
       GROUP BY call_id ORDER BY call_id
       ON CONFLICT (call_id) DO UPDATE SET
         queue          = COALESCE(cc_calls.queue, EXCLUDED.queue),
         agent_id       = CASE WHEN EXCLUDED.answered_at < cc_calls.answered_at OR cc_calls.agent_id IS NULL
                               THEN COALESCE(EXCLUDED.agent_id, cc_calls.agent_id) ELSE cc_calls.agent_id END,
         first_at       = LEAST(cc_calls.first_at, EXCLUDED.first_at),
         answered_at    = LEAST(cc_calls.answered_at, EXCLUDED.answered_at),
         abandoned_at   = LEAST(cc_calls.abandoned_at, EXCLUDED.abandoned_at),
         transferred_at = LEAST(cc_calls.transferred_at, EXCLUDED.transferred_at),
         ended_at       = GREATEST(cc_calls.ended_at, EXCLUDED.ended_at)`,
      [r.map((e) => e.call_id), r.map((e) => e.type), r.map((e) => e.at), r.map((e) => e.agent_id), r.map((e) => e.queue)],
    );
  }
  return { accepted: n, duplicates: events.length - n };
}

/** POST /callcenter/events: one transaction per batch; unknown agents are a 400 naming the event. */
export async function postEvents(db: Database, events: CallEvent[]) {
  const soon = Date.now() + 5 * 60_000;
  events.forEach((e, i) => {
    if (Date.parse(e.at) > soon) throw badRequest('validation.inFuture', { field: `events.${i}.at` }, `events.${i}.at`);
  });
  return db.tx(async (q) => {
    const ids = [...new Set(events.map((e) => e.agentId).filter((a): a is number => a != null))];
    if (ids.length) {
      const { rows } = await q.query<{ id: number }>('SELECT id FROM users WHERE id = ANY($1::int[])', [ids]);
      const known = new Set(rows.map((r) => r.id));
      const i = events.findIndex((e) => e.agentId != null && !known.has(e.agentId));
      if (i >= 0) throw badRequest('callcenter.agentMissing', { id: events[i]!.agentId ?? '' }, `events.${i}.agentId`);
    }
    return ingestEvents(q, events, 'cti');
  });
}

// ---------------------------------------------------------------- agent states

export interface AgentStateRecord {
  agentId: number;
  state: AgentState;
  startedAt: string;
  endedAt: string | null;
}

/** Sets an agent's state (the agent itself, or a supervisor/admin); closes the previous state. */
export async function setAgentState(db: Database, actor: Actor, agentId: number, state: AgentState, at?: string): Promise<AgentStateRecord> {
  if (actor.id !== agentId && !hasRole(actor, 'supervisor', 'admin')) throw forbidden('callcenter.ownStateOnly');
  const when = at ? new Date(at) : new Date();
  if (when.getTime() > Date.now() + 5 * 60_000) throw badRequest('validation.inFuture', { field: 'at' }, 'at');
  return db.tx(async (q) => {
    if ((await q.query('SELECT 1 FROM users WHERE id = $1', [agentId])).rowCount === 0) throw notFound('agent', agentId);
    // The current-state row is the per-agent lock: concurrent changes serialise here.
    const cur = await q.query<{ state: string; since: Date }>('SELECT state, since FROM cc_agent_current WHERE agent_id = $1 FOR UPDATE', [agentId]);
    const prev = cur.rows[0];
    if (prev && when < prev.since) throw badRequest('callcenter.beforeCurrentState', {}, 'at');
    if (prev?.state === state) return { agentId, state, startedAt: prev.since.toISOString(), endedAt: null };
    await q.query(
      `INSERT INTO cc_agent_current (agent_id, state, since) VALUES ($1, $2, $3)
       ON CONFLICT (agent_id) DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since`,
      [agentId, state, when],
    );
    await q.query('UPDATE cc_agent_states SET ended_at = $2 WHERE agent_id = $1 AND ended_at IS NULL', [agentId, when]);
    await q.query('INSERT INTO cc_agent_states (agent_id, state, started_at, set_by) VALUES ($1, $2, $3, $4)', [agentId, state, when, actor.id]);
    return { agentId, state, startedAt: when.toISOString(), endedAt: null };
  });
}

export async function agentStateHistory(db: Database, agentId: number, from?: string, to?: string): Promise<AgentStateRecord[]> {
  const { rows } = await db.query<{ agent_id: number; state: AgentState; started_at: Date; ended_at: Date | null }>(
    `SELECT agent_id, state, started_at, ended_at FROM cc_agent_states
     WHERE agent_id = $1 AND ($2::timestamptz IS NULL OR coalesce(ended_at, 'infinity') > $2) AND ($3::timestamptz IS NULL OR started_at < $3)
     ORDER BY started_at, id LIMIT 5000`,
    [agentId, from ?? null, to ?? null],
  );
  return rows.map((r) => ({ agentId: r.agent_id, state: r.state, startedAt: r.started_at.toISOString(), endedAt: r.ended_at?.toISOString() ?? null }));
}

export async function currentAgentStates(db: Database) {
  const { rows } = await db.query<{ agent_id: number; state: AgentState; since: Date }>(
    'SELECT agent_id, state, since FROM cc_agent_current ORDER BY agent_id',
  );
  return rows.map((r) => ({ agentId: r.agent_id, state: r.state, since: r.since.toISOString() }));
}

// ---------------------------------------------------------------- measures

export const GROUP_BY = ['hour', 'day', 'month', 'agent', 'queue', 'none'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface StatsQuery {
  from: string;
  to: string;
  groupBy: GroupBy;
  /** Service-level thresholds in seconds (default 15 and 20). */
  slSeconds: number[];
  /** Contract value in yuan for the period, for the cost per effective call. */
  contractValue?: number;
  timeZone: string;
}

export interface StatsRow {
  key: string;
  offered: number;
  answered: number;
  abandoned: number;
  inProgress: number;
  answerRate: number | null;
  serviceLevel: Record<string, number | null>;
  asaSeconds: number | null;
  abandonmentRate: number | null;
  ahtSeconds: number | null;
  occupancy: number | null;
  contacts: number;
  effectiveCalls: number;
  costPerEffectiveCall?: number | null;
}

const FORMATS: Record<string, string> = { hour: 'YYYY-MM-DD HH24:00', day: 'YYYY-MM-DD', month: 'YYYY-MM' };

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10000) / 10000 : null);
const secs = (v: unknown) => (v == null ? null : Math.round(Number(v) * 10) / 10);

/**
 * The measures, per group and in total. Definitions (each call is one `cc_calls` row,
 * counted in the period and bucket of `first_at`, the moment it asked for an agent):
 * - offered 呼入: calls that asked for an agent.
 * - answered 接通: calls an agent answered (an `answered` event).
 * - abandoned 放弃: calls not answered that were abandoned or ended; inProgress: neither yet.
 * - answerRate 人工接通率 = answered / offered.
 * - serviceLevel[N] = answered within N s of first_at / answered (the 12345 contracts' 15 s and 20 s).
 * - asaSeconds ASA = mean(answered_at − first_at) over answered calls.
 * - abandonmentRate = abandoned / offered.
 * - ahtSeconds AHT = mean(ended_at − answered_at) over answered calls that ended (talk time;
 *   the after-call work shows in occupancy through the wrap_up state).
 * - occupancy = time in busy + wrap_up / time in ready + busy + wrap_up, from agent states
 *   clipped to the bucket (not per queue).
 * - contacts / effectiveCalls 有效来电: phone-channel contacts started in the bucket / those not invalid.
 * - costPerEffectiveCall (totals only) = contractValue / effectiveCalls.
 */
export async function callStats(db: Database, s: StatsQuery): Promise<{ rows: StatsRow[]; totals: StatsRow }> {
  if (Date.parse(s.to) <= Date.parse(s.from)) throw badRequest('validation.toAfterFrom', {}, 'to');
  const maxDays = s.groupBy === 'hour' ? 93 : 3700;
  if (Date.parse(s.to) - Date.parse(s.from) > maxDays * 86400_000) throw badRequest('validation.periodTooLong', { days: maxDays }, 'to');
  const rows = s.groupBy === 'none' ? [] : await measure(db, s, s.groupBy);
  const [totals] = await measure(db, s, 'none');
  const t = totals ?? emptyRow('total', s.slSeconds);
  t.key = 'total';
  if (s.contractValue != null) t.costPerEffectiveCall = t.effectiveCalls > 0 ? Math.round((s.contractValue / t.effectiveCalls) * 100) / 100 : null;
  return { rows, totals: t };
}

function emptyRow(key: string, sl: number[]): StatsRow {
  return {
    key,
    offered: 0,
    answered: 0,
    abandoned: 0,
    inProgress: 0,
    answerRate: null,
    serviceLevel: Object.fromEntries(sl.map((n) => [String(n), null])),
    asaSeconds: null,
    abandonmentRate: null,
    ahtSeconds: null,
    occupancy: null,
    contacts: 0,
    effectiveCalls: 0,
  };
}

async function measure(db: Database, s: StatsQuery, groupBy: GroupBy): Promise<StatsRow[]> {
  // $1 from, $2 to, $3 time zone, $4 bucket format; the SL thresholds follow.
  const timeKey = (col: string) => `to_char(${col} AT TIME ZONE $3, $4)`;
  const fmt = FORMATS[groupBy] ?? '';
  const callKey = groupBy in FORMATS ? timeKey('first_at') : groupBy === 'agent' ? 'agent_id::text' : groupBy === 'queue' ? "coalesce(queue, '')" : "'total'";
  const slCols = s.slSeconds.map((n, i) => `count(*) FILTER (WHERE answered_at - first_at <= $${5 + i} * interval '1 second') AS sl${i}`).join(', ');
  const calls = await db.query<Record<string, any>>(
    `SELECT ${callKey} AS key, count(*) AS offered, count(answered_at) AS answered,
       count(*) FILTER (WHERE answered_at IS NULL AND (abandoned_at IS NOT NULL OR ended_at IS NOT NULL)) AS abandoned,
       ${slCols},
       avg(extract(epoch FROM answered_at - first_at)) FILTER (WHERE answered_at IS NOT NULL) AS asa,
       avg(extract(epoch FROM ended_at - answered_at)) FILTER (WHERE answered_at IS NOT NULL AND ended_at >= answered_at) AS aht
     FROM cc_calls WHERE first_at >= $1 AND first_at < $2 AND $3::text IS NOT NULL AND $4::text IS NOT NULL
     GROUP BY 1 ORDER BY 1`,
    [s.from, s.to, s.timeZone, fmt, ...s.slSeconds],
  );
  const contactKey =
    groupBy in FORMATS ? timeKey('c.started_at') : groupBy === 'agent' ? 'c.agent_id::text' : groupBy === 'queue' ? "coalesce(k.queue, '')" : "'total'";
  const contacts = await db.query<{ key: string; contacts: number; effective: number }>(
    `SELECT ${contactKey} AS key, count(*) AS contacts, count(*) FILTER (WHERE c.outcome <> 'invalid') AS effective
     FROM contacts c ${groupBy === 'queue' ? 'LEFT JOIN cc_calls k ON k.call_id = c.call_id' : ''}
     WHERE c.channel = 'phone' AND c.started_at >= $1 AND c.started_at < $2 AND $3::text IS NOT NULL AND $4::text IS NOT NULL
     GROUP BY 1`,
    [s.from, s.to, s.timeZone, fmt],
  );
  const occ = groupBy === 'queue' ? [] : await occupancy(db, s, groupBy);

  const byKey = new Map<string, StatsRow>();
  const row = (key: string | null) => {
    const k = key ?? '';
    let r = byKey.get(k);
    if (!r) byKey.set(k, (r = emptyRow(k, s.slSeconds)));
    return r;
  };
  for (const c of calls.rows) {
    const r = row(c.key);
    r.offered = Number(c.offered);
    r.answered = Number(c.answered);
    r.abandoned = Number(c.abandoned);
    r.inProgress = r.offered - r.answered - r.abandoned;
    r.answerRate = ratio(r.answered, r.offered);
    r.abandonmentRate = ratio(r.abandoned, r.offered);
    s.slSeconds.forEach((n, i) => (r.serviceLevel[String(n)] = ratio(Number(c[`sl${i}`]), r.answered)));
    r.asaSeconds = secs(c.asa);
    r.ahtSeconds = secs(c.aht);
  }
  for (const c of contacts.rows) {
    const r = row(c.key);
    r.contacts = Number(c.contacts);
    r.effectiveCalls = Number(c.effective);
  }
  for (const o of occ) {
    if (o.staffed > 0) row(o.key).occupancy = ratio(o.busy, o.staffed);
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Seconds busy (busy + wrap_up) and staffed (ready + busy + wrap_up) per bucket, states clipped to it. */
async function occupancy(db: Database, s: StatsQuery, groupBy: GroupBy): Promise<{ key: string; busy: number; staffed: number }[]> {
  const step = groupBy === 'hour' || groupBy === 'day' || groupBy === 'month' ? `1 ${groupBy}` : null;
  const buckets = step
    ? `SELECT g AT TIME ZONE $3 AS b_start, (g + interval '${step}') AT TIME ZONE $3 AS b_end, to_char(g, $4) AS key
       FROM generate_series(date_trunc('${groupBy}', $1::timestamptz AT TIME ZONE $3), $2::timestamptz AT TIME ZONE $3, interval '${step}') AS g`
    : `SELECT $1::timestamptz AS b_start, $2::timestamptz AS b_end, 'total' AS key WHERE $3::text IS NOT NULL AND $4::text IS NOT NULL`;
  const key = groupBy === 'agent' ? 's.agent_id::text' : 'b.key';
  const { rows } = await db.query<{ key: string; busy: number; staffed: number }>(
    `WITH b AS (${buckets}),
     clipped AS (
       SELECT ${key} AS key, s.state,
              extract(epoch FROM least(coalesce(s.ended_at, now()), b.b_end, $2::timestamptz)
                               - greatest(s.started_at, b.b_start, $1::timestamptz)) AS secs
       FROM b JOIN cc_agent_states s
         ON s.started_at < least(b.b_end, $2::timestamptz) AND coalesce(s.ended_at, now()) > greatest(b.b_start, $1::timestamptz)
       WHERE s.state IN ('ready', 'busy', 'wrap_up'))
     SELECT key, coalesce(sum(secs) FILTER (WHERE state IN ('busy', 'wrap_up')), 0) AS busy, coalesce(sum(secs), 0) AS staffed
     FROM clipped GROUP BY key`,
    [s.from, s.to, s.timeZone, groupBy in FORMATS ? FORMATS[groupBy] : ''],
  );
  return rows.map((r) => ({ key: r.key, busy: Number(r.busy), staffed: Number(r.staffed) }));
}

// ---------------------------------------------------------------- wallboard

export interface Wallboard {
  at: string;
  callsWaiting: number;
  longestWaitSeconds: number | null;
  agentsByState: Record<string, number>;
  today: { offered: number; answered: number; answerRate: number | null };
}

/** A live picture: calls waiting now (offered in the last 4 h, not answered, abandoned or ended). */
export async function wallboard(db: Database, timeZone: string): Promise<Wallboard> {
  const waiting = await db.query<{ n: number; oldest: Date | null }>(
    `SELECT count(*) AS n, min(first_at) AS oldest FROM cc_calls
     WHERE answered_at IS NULL AND abandoned_at IS NULL AND ended_at IS NULL AND first_at > now() - interval '4 hours'`,
  );
  const agents = await db.query<{ state: string; n: number }>('SELECT state, count(*) AS n FROM cc_agent_current GROUP BY state');
  const today = await db.query<{ offered: number; answered: number }>(
    `SELECT count(*) AS offered, count(answered_at) AS answered FROM cc_calls
     WHERE first_at >= date_trunc('day', now() AT TIME ZONE $1) AT TIME ZONE $1`,
    [timeZone],
  );
  const w = waiting.rows[0]!;
  const t = today.rows[0]!;
  return {
    at: new Date().toISOString(),
    callsWaiting: Number(w.n),
    longestWaitSeconds: w.oldest ? Math.round((Date.now() - w.oldest.getTime()) / 1000) : null,
    agentsByState: Object.fromEntries(AGENT_STATES.map((st) => [st, Number(agents.rows.find((r) => r.state === st)?.n ?? 0)])),
    today: { offered: Number(t.offered), answered: Number(t.answered), answerRate: ratio(Number(t.answered), Number(t.offered)) },
  };
}
