// Which counters an order event adds to, and in which month and unit. One pure function,
// used by the live listener and by the rebuild from history, so both agree.
import type { OrderEvent, WorkOrder } from '../workorders/index.js';

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
  const fact = (k: { unitId: number; at: string } | null, add: Fact['add']): Fact[] =>
    k
      ? [{ month: monthOf(k.at, timeZone), unitId: k.unitId, categoryCode: order.categoryCode ?? '', districtId: order.location?.districtUnitId ?? 0, add }]
      : [];
  const d = event.data;
  switch (event.type) {
    case 'dispatched':
      return fact(key(d.unitId, event.at), { received: 1 });
    case 'signed': {
      return fact(key(order.mainUnitId, order.dispatchedAt), { signed: 1, signed_on_time: onTime ? 1 : 0 });
    }
    case 'returned':
      return fact(key(previous?.mainUnitId ?? null, previous?.dispatchedAt ?? null), { returned: 1 });
    case 'extension_approved':
      return fact(key(order.mainUnitId, order.dispatchedAt), { extended: 1 });
    case 'replied': {
      const hours = order.dispatchedAt ? workingHours(order.dispatchedAt, event.at) : 0;
      return fact(key(order.mainUnitId, event.at), { replied: 1, replied_on_time: onTime ? 1 : 0, handling_hours: hours });
    }
    case 'surveyed':
      return fact(key(order.mainUnitId, event.at), {
        surveyed: 1,
        resolved: d.resolved ? 1 : 0,
        satisfied: d.satisfaction === 'satisfied' ? 1 : 0,
        basically_satisfied: d.satisfaction === 'basically_satisfied' ? 1 : 0,
        unsatisfied: d.satisfaction === 'unsatisfied' ? 1 : 0,
        reopened: d.reopened ? 1 : 0,
      });
    case 'survey_failed':
      return d.final ? fact(key(order.mainUnitId, event.at), { unreachable: 1 }) : [];
    case 'supervised':
      return fact(key(order.mainUnitId, event.at), { supervised: 1 });
    default:
      return [];
  }
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
