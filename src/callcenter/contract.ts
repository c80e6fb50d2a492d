// The service contract of the call center: period, value, targets and deductions. Stats
// use it when no contractValue is asked for: the value is prorated to the part of the
// queried period that the contract covers, and the targets are checked against the totals.
import type { Database } from '../db/database.js';
import type { Actor } from '../core/context.js';
import { badRequest, notFound } from '../core/errors.js';
import type { StatsRow } from './service.js';

/** `qualityScore` is the month's mean quality-inspection score (0–100), known to the scorecard. */
export const TARGET_MEASURES = ['answerRate', 'serviceLevel15', 'serviceLevel20', 'asaSeconds', 'abandonmentRate', 'qualityScore'] as const;
export type TargetMeasure = (typeof TARGET_MEASURES)[number];
/** Measures where a higher value is worse. */
const LOWER_IS_BETTER = new Set<TargetMeasure>(['asaSeconds', 'abandonmentRate']);

export interface Deduction {
  measure: TargetMeasure;
  /** Applies when the measure misses this threshold (below it, or above it for ASA and abandonment). */
  threshold: number;
  /** Deducted share of the (prorated) value, in percent, or a fixed amount in yuan. */
  percent?: number;
  amount?: number;
  note?: string;
}

export interface Contract {
  periodFrom: string;
  periodTo: string;
  value: number;
  targets: Partial<Record<TargetMeasure, number>>;
  deductions: Deduction[];
  updatedAt?: string;
  updatedBy?: number | null;
}

const dateStr = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));

export async function getContract(db: Database): Promise<Contract | null> {
  const { rows } = await db.query<Record<string, any>>(
    `SELECT to_char(period_from, 'YYYY-MM-DD') AS period_from, to_char(period_to, 'YYYY-MM-DD') AS period_to, value::float8 AS value,
            targets, deductions, updated_by, updated_at FROM cc_contract WHERE id = 1`,
  );
  const r = rows[0];
  if (!r) return null;
  return {
    periodFrom: dateStr(r.period_from),
    periodTo: dateStr(r.period_to),
    value: Number(r.value),
    targets: r.targets,
    deductions: r.deductions,
    updatedBy: r.updated_by ?? null,
    updatedAt: (r.updated_at as Date).toISOString(),
  };
}

export async function requireContract(db: Database): Promise<Contract> {
  const c = await getContract(db);
  if (!c) throw notFound('contract');
  return c;
}

export async function putContract(db: Database, actor: Actor, c: Contract): Promise<Contract> {
  if (c.periodTo < c.periodFrom) throw badRequest('callcenter.periodEndsBeforeStart', {}, 'periodTo');
  for (const [k, v] of Object.entries(c.targets)) {
    if (k === 'qualityScore' && (v < 0 || v > 100)) throw badRequest('callcenter.targetScore', { target: k }, `targets.${k}`);
    if (k !== 'asaSeconds' && k !== 'qualityScore' && (v < 0 || v > 1)) throw badRequest('callcenter.targetShare', { target: k }, `targets.${k}`);
  }
  c.deductions.forEach((d, i) => {
    if ((d.percent == null) === (d.amount == null)) throw badRequest('callcenter.deductionOneOf', {}, `deductions.${i}`);
  });
  await db.query(
    `INSERT INTO cc_contract (id, period_from, period_to, value, targets, deductions, updated_by, updated_at)
     VALUES (1, $1, $2, $3, $4, $5, $6, now())
     ON CONFLICT (id) DO UPDATE SET period_from = $1, period_to = $2, value = $3, targets = $4, deductions = $5, updated_by = $6, updated_at = now()`,
    [c.periodFrom, c.periodTo, c.value, JSON.stringify(c.targets), JSON.stringify(c.deductions), actor.id],
  );
  return (await getContract(db))!;
}

export interface ContractCheck {
  periodFrom: string;
  periodTo: string;
  value: number;
  /** Share of the contract period covered by the queried period, and the value prorated to it. */
  share: number;
  proratedValue: number;
  targets: { measure: TargetMeasure; target: number; actual: number | null; met: boolean | null }[];
  deductions: (Deduction & { actual: number | null; deducted: number })[];
  totalDeducted: number;
}

const measureOf = (t: StatsRow, m: TargetMeasure): number | null =>
  m === 'serviceLevel15'
    ? (t.serviceLevel['15'] ?? null)
    : m === 'serviceLevel20'
      ? (t.serviceLevel['20'] ?? null)
      : m === 'qualityScore'
        ? ((t as StatsRow & { qualityScore?: number | null }).qualityScore ?? null)
        : t[m];
const misses = (m: TargetMeasure, actual: number, threshold: number) => (LOWER_IS_BETTER.has(m) ? actual > threshold : actual < threshold);

/** The contract applied to the totals of [from, to): prorated value, targets met, deductions due. */
export async function checkContract(db: Database, c: Contract, from: string, to: string, timeZone: string, totals: StatsRow): Promise<ContractCheck> {
  const { rows } = await db.query<{ overlap: number; length: number }>(
    `WITH p AS (SELECT ($1::date)::timestamp AT TIME ZONE $3 AS a, ($2::date + 1)::timestamp AT TIME ZONE $3 AS b)
     SELECT greatest(0, extract(epoch FROM least(b, $5::timestamptz) - greatest(a, $4::timestamptz)))::float8 AS overlap,
            extract(epoch FROM b - a)::float8 AS length FROM p`,
    [c.periodFrom, c.periodTo, timeZone, from, to],
  );
  const share = rows[0]!.length > 0 ? Number(rows[0]!.overlap) / Number(rows[0]!.length) : 0;
  const prorated = Math.round(c.value * share * 100) / 100;
  const targets = Object.entries(c.targets).map(([m, target]) => {
    const actual = measureOf(totals, m as TargetMeasure);
    return { measure: m as TargetMeasure, target: target, actual, met: actual == null ? null : !misses(m as TargetMeasure, actual, target) };
  });
  const deductions = c.deductions.map((d) => {
    const actual = measureOf(totals, d.measure);
    const due = actual != null && misses(d.measure, actual, d.threshold);
    const deducted = !due ? 0 : d.amount != null ? d.amount * share : (prorated * d.percent!) / 100;
    return { ...d, actual, deducted: Math.round(deducted * 100) / 100 };
  });
  return {
    periodFrom: c.periodFrom,
    periodTo: c.periodTo,
    value: c.value,
    share: Math.round(share * 10000) / 10000,
    proratedValue: prorated,
    targets,
    deductions,
    totalDeducted: Math.round(deductions.reduce((s, d) => s + d.deducted, 0) * 100) / 100,
  };
}
