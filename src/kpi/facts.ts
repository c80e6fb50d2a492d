// Which counters an order event adds to, and in which month and unit. One pure function,
// used by the live listener and by the rebuild from history, so both agree.
import { applyEvent, dispatchedUnitId, type OrderEvent, type WorkOrder } from '../workorders/index.js';

export const COUNTERS = [
  'received',
  'signed',
  'signed_on_time',
  'returned',
  'extended',
  'replied',
  'replied_on_time',
  'handling_hours',
  'surveyed',
  'resolved',
  'satisfied',
  'basically_satisfied',
  'unsatisfied',
  'reopened',
  'unreachable',
  'supervised',
  // Appeals (申诉, src/appeals), counted for the unit that appealed in the month of the survey it contests.
  'appeals_filed',
  'appeals_upheld',
  'appeals_rejected',
  // Co-units' parts (协办), for the co-unit, in the month of the part.
  'co_replied',
  'co_replied_on_time',
] as const;
export type Counter = (typeof COUNTERS)[number];

export interface FactKey {
  month: string;
  unitId: number;
  categoryCode: string;
  districtId: number;
}
export interface Fact extends FactKey {
  add: Partial<Record<Counter, number>>;
  /**
   * An upheld appeal: the drill-down row this unit's survey made at this instant loses its survey
   * measures (the counters above take the survey back out by negative amounts).
   */
  unlog?: string;
}

/** The counters a survey adds to; an upheld appeal takes them back from the unit (or moves them). */
export const SURVEY_COUNTERS = ['surveyed', 'resolved', 'satisfied', 'basically_satisfied', 'unsatisfied', 'reopened'] as const satisfies readonly Counter[];

/** The assessment fact of the survey an appeal contests, as its `surveyed` event made it (carried in the appeal's events). */
export interface AssessedSurvey extends FactKey {
  /** The `surveyed` event: its place in the order's history and its time. */
  seq: number;
  at: string;
  add: Partial<Record<Counter, number>>;
}

/** Answers what the facts need beyond the order itself (deadlines, working time). */
export interface FactJudge {
  /** Whether the sign or reply of the current dispatch cycle, made at `at`, met its deadline. */
  onTime(kind: 'sign' | 'reply', order: WorkOrder, at: string): Promise<boolean> | boolean;
  /** Working hours between two instants on the city's calendar. */
  workingHours: (from: string, to: string) => number;
}

const monthCaches = new Map<string, Map<number, string>>();
/** YYYY-MM of an instant in the time zone; cached per quarter hour, since Intl formatting is slow in bulk. */
export function monthOf(at: string | Date, timeZone: string): string {
  // Bulk folds ask for the same instant several times in a row (an order's dispatch time).
  if (at === last.at && timeZone === last.timeZone) return last.month;
  const month = monthAt(at, timeZone);
  if (typeof at === 'string') Object.assign(last, { at, timeZone, month });
  return month;
}
const last = { at: '', timeZone: '', month: '' };
function monthAt(at: string | Date, timeZone: string): string {
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime();
  const quarter = Math.floor(t / 900_000); // every real UTC offset is a multiple of 15 min
  let cache = monthCaches.get(timeZone);
  if (!cache) monthCaches.set(timeZone, (cache = new Map()));
  let m = cache.get(quarter);
  if (m === undefined) {
    if (cache.size > 100_000) cache.clear();
    cache.set(quarter, (m = monthFormatter(timeZone).format(new Date(t)).slice(0, 7)));
  }
  return m;
}
const formatters = new Map<string, Intl.DateTimeFormat>();
function monthFormatter(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f;
}

/**
 * The increments one event makes. `previous` is the order before the event, `order` after it.
 * Work done under a dispatch (signing, returning, extending) counts in the month of that dispatch;
 * replies in the month of the reply; survey results in the month of the survey.
 */
export async function factsOf(previous: WorkOrder | null, order: WorkOrder, event: OrderEvent, judge: FactJudge, timeZone: string): Promise<Fact[]> {
  const kind = event.type === 'signed' ? 'sign' : event.type === 'replied' ? 'reply' : null;
  const onTime = kind ? await judge.onTime(kind, order, event.at) : true;
  return factsFor(previous, order, event, onTime, judge.workingHours, timeZone);
}

/** factsOf with the deadline already judged (`onTime`: whether a sign or reply event met it), without a promise per event (bulk folds). */
export function factsFor(
  previous: Pick<WorkOrder, 'mainUnitId' | 'dispatchedAt'> | null,
  order: WorkOrder,
  event: OrderEvent,
  onTime: boolean,
  workingHours: FactJudge['workingHours'],
  timeZone: string,
): Fact[] {
  const key = (unitId: number | null, at: string | null) => (unitId == null || at == null ? null : { unitId, at });
  // After a transfer down (转派) the center still assesses the unit it dispatched to.
  const assessed = dispatchedUnitId(order);
  const fact = (k: { unitId: number; at: string } | null, add: Fact['add']): Fact[] =>
    k
      ? [{ month: monthOf(k.at, timeZone), unitId: k.unitId, categoryCode: order.categoryCode ?? '', districtId: order.location?.districtUnitId ?? 0, add }]
      : [];
  const d = event.data;
  switch (event.type) {
    case 'dispatched':
      return fact(key(d.unitId, event.at), { received: 1 });
    case 'signed': {
      return fact(key(assessed, order.dispatchedAt), { signed: 1, signed_on_time: onTime ? 1 : 0 });
    }
    case 'returned':
      return fact(key(previous?.mainUnitId ?? null, previous?.dispatchedAt ?? null), { returned: 1 });
    case 'extension_approved':
      return fact(key(assessed, order.dispatchedAt), { extended: 1 });
    case 'replied': {
      const hours = order.dispatchedAt ? workingHours(order.dispatchedAt, event.at) : 0;
      return fact(key(assessed, event.at), { replied: 1, replied_on_time: onTime ? 1 : 0, handling_hours: hours });
    }
    case 'surveyed':
      return fact(key(assessed, event.at), {
        surveyed: 1,
        resolved: d.resolved ? 1 : 0,
        satisfied: d.satisfaction === 'satisfied' ? 1 : 0,
        basically_satisfied: d.satisfaction === 'basically_satisfied' ? 1 : 0,
        unsatisfied: d.satisfaction === 'unsatisfied' ? 1 : 0,
        reopened: d.reopened ? 1 : 0,
      });
    case 'survey_failed':
      return d.final ? fact(key(assessed, event.at), { unreachable: 1 }) : [];
    case 'supervised':
      return fact(key(assessed, event.at), { supervised: 1 });
    case 'co_replied':
      return fact(key(d.unitId, event.at), { co_replied: 1, co_replied_on_time: d.onTime === false ? 0 : 1 });
    case 'appeal_filed':
    case 'appeal_ruled':
      return appealFacts(event);
    default:
      return [];
  }
}

/**
 * An appeal counts for the unit that appealed, in the month and category of the survey it
 * contests (`data.assessed`). Upheld, the survey leaves that unit's counters; for `not_our_duty`
 * it goes into the account of the unit the supervisor named (`data.unitId`) instead.
 */
function appealFacts(event: OrderEvent): Fact[] {
  const a = event.data.assessed as AssessedSurvey;
  const key = { month: a.month, unitId: a.unitId, categoryCode: a.categoryCode, districtId: a.districtId };
  if (event.type === 'appeal_filed') return [{ ...key, add: { appeals_filed: 1 } }];
  if (event.data.decision !== 'upheld') return [{ ...key, add: { appeals_rejected: 1 } }];
  const back: Fact['add'] = { appeals_upheld: 1 };
  const moved: Fact['add'] = {};
  for (const c of SURVEY_COUNTERS) {
    const n = a.add[c] ?? 0;
    if (n) {
      back[c] = -n;
      moved[c] = n;
    }
  }
  const facts: Fact[] = [{ ...key, add: back, unlog: a.at }];
  if (event.data.unitId != null) facts.push({ ...key, unitId: event.data.unitId, add: moved });
  return facts;
}

/**
 * The fact of the order's latest survey, the one an appeal contests: the history folded as the
 * live listener saw it, that event's fact as `factsFor` makes it. Null before any survey.
 */
export function lastSurveyFact(events: readonly (OrderEvent & { seq: number })[], id: number, timeZone: string): AssessedSurvey | null {
  let order: WorkOrder | null = null;
  let found: AssessedSurvey | null = null;
  for (const ev of events) {
    const previous: WorkOrder | null = order;
    order = applyEvent(ev.type === 'created' ? null : order, ev, id);
    if (ev.type !== 'surveyed') continue;
    const f = factsFor(previous, order, ev, true, () => 0, timeZone).find((x) => x.add.surveyed);
    found = f ? { month: f.month, unitId: f.unitId, categoryCode: f.categoryCode, districtId: f.districtId, seq: ev.seq, at: ev.at, add: f.add } : null;
  }
  return found;
}

/** Where each counter sits in an accumulated fact's values. */
const COUNTER_AT: Readonly<Record<string, number>> = Object.fromEntries(COUNTERS.map((c, i) => [c, i]));

/** Facts summed per key: the counters as one array in COUNTERS order (fast to add to in bulk). */
export interface SummedFact extends FactKey {
  values: Float64Array;
}

/**
 * Facts summed per key (the rebuild accumulates in memory before writing). A bulk fold's facts
 * mostly have the key of the one before (one order, one unit, one month), so the last sum is
 * kept at hand: building the key string and looking it up was most of the cost.
 */
export class FactTotals {
  private readonly sums = new Map<string, SummedFact>();
  private last: SummedFact | null = null;

  add(facts: readonly (Fact | SummedFact)[]) {
    for (const f of facts) {
      let cur = this.last;
      if (!cur || cur.month !== f.month || cur.unitId !== f.unitId || cur.categoryCode !== f.categoryCode || cur.districtId !== f.districtId) {
        const k = `${f.month}|${f.unitId}|${f.categoryCode}|${f.districtId}`;
        cur = this.sums.get(k) ?? null;
        if (!cur)
          this.sums.set(
            k,
            (cur = { month: f.month, unitId: f.unitId, categoryCode: f.categoryCode, districtId: f.districtId, values: new Float64Array(COUNTERS.length) }),
          );
        this.last = cur;
      }
      const v = cur.values;
      if ('values' in f) {
        for (let i = 0; i < COUNTERS.length; i++) v[i]! += f.values[i]!;
      } else {
        const add = f.add as Record<string, number>;
        for (const c in add) v[COUNTER_AT[c]!]! += add[c]!;
      }
    }
  }

  values(): SummedFact[] {
    return [...this.sums.values()];
  }
}
