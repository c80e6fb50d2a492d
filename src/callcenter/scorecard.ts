// The operator's monthly scorecard (话务外包考核): the contract's measures for a month —
// answer rate, 15 s service level, effective calls, quality score, cost per effective
// call — against the contract's targets, with the deductions the contract sets.
import type { Database } from '../db/database.js';
import type { Actor } from '../core/context.js';
import { badRequest } from '../core/errors.js';
import { checkContract, getContract, type ContractCheck } from './contract.js';
import { callStats } from './service.js';

export async function recordQuality(db: Database, actor: Actor, input: { contactId?: number; agentId?: number; score: number; note?: string }) {
  let agentId = input.agentId ?? null;
  if (input.contactId != null) {
    const c = await db.query<{ agent_id: number | null }>('SELECT agent_id FROM contacts WHERE id = $1', [input.contactId]);
    if (!c.rows[0]) throw badRequest('intake.contactMissing', { id: input.contactId }, 'contactId');
    agentId ??= c.rows[0].agent_id;
  }
  if (agentId == null) throw badRequest('callcenter.contactOrAgent', {}, 'agentId');
  const { rows } = await db.query(
    `INSERT INTO cc_quality (contact_id, agent_id, score, note, inspected_by) VALUES ($1, $2, $3, $4, $5)
     RETURNING id, contact_id AS "contactId", agent_id AS "agentId", score, note, inspected_by AS "inspectedBy", inspected_at AS "inspectedAt"`,
    [input.contactId ?? null, agentId, input.score, input.note ?? null, actor.id],
  );
  return rows[0];
}

/** Month bounds [from, to) in the time zone, as instants. */
export async function monthBounds(db: Database, month: string, timeZone: string): Promise<{ from: string; to: string }> {
  const { rows } = await db.query<{ a: Date; b: Date }>(
    `SELECT (($1 || '-01')::date)::timestamp AT TIME ZONE $2 AS a, ((($1 || '-01')::date) + interval '1 month')::timestamp AT TIME ZONE $2 AS b`,
    [month, timeZone],
  );
  return { from: rows[0]!.a.toISOString(), to: rows[0]!.b.toISOString() };
}

export interface Scorecard {
  month: string;
  measures: {
    offered: number;
    answered: number;
    answerRate: number | null;
    serviceLevel15: number | null;
    asaSeconds: number | null;
    abandonmentRate: number | null;
    effectiveCalls: number;
    qualityScore: number | null;
    qualityInspections: number;
    costPerEffectiveCall: number | null;
  };
  contract: ContractCheck | null;
}

export async function scorecard(db: Database, month: string, timeZone: string): Promise<Scorecard> {
  const { from, to } = await monthBounds(db, month, timeZone);
  const { totals } = await callStats(db, { from, to, groupBy: 'none', slSeconds: [15, 20], timeZone });
  const q = (
    await db.query<{ avg: number | null; n: number }>(
      'SELECT avg(score)::float8 AS avg, count(*)::int AS n FROM cc_quality WHERE inspected_at >= $1 AND inspected_at < $2',
      [from, to],
    )
  ).rows[0]!;
  const qualityScore = q.avg == null ? null : Math.round(q.avg * 100) / 100;
  const stored = await getContract(db);
  const contract = stored ? await checkContract(db, stored, from, to, timeZone, { ...totals, qualityScore } as typeof totals) : null;
  const cost = contract && contract.share > 0 && totals.effectiveCalls > 0 ? Math.round((contract.proratedValue / totals.effectiveCalls) * 100) / 100 : null;
  return {
    month,
    measures: {
      offered: totals.offered,
      answered: totals.answered,
      answerRate: totals.answerRate,
      serviceLevel15: totals.serviceLevel['15'] ?? null,
      asaSeconds: totals.asaSeconds,
      abandonmentRate: totals.abandonmentRate,
      effectiveCalls: totals.effectiveCalls,
      qualityScore,
      qualityInspections: q.n,
      costPerEffectiveCall: cost,
    },
    contract,
  };
}
