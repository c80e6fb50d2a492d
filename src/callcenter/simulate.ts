// A discrete-event simulation of a call center over a whole year, to check a staffing plan:
// calls arrive by a daily/hourly profile (non-homogeneous Poisson, exactly `calls` of them),
// are answered first come first served by the agents on duty in that hour, hold for an
// exponential (or constant) handling time, and hang up when their patience (exponential)
// runs out before an agent takes them. When the plan drops at an hour boundary, agents
// finish the call in hand first. Seeded, so a run can be reproduced.

export interface SimulationInput {
  calls: number;
  /** First day of the simulated year (UTC date, local hours are taken as is). */
  startDate?: string;
  days?: number;
  ahtSeconds: number;
  service?: 'exponential' | 'constant';
  /** Mean patience; none = callers wait for ever. */
  patienceSeconds?: number;
  /** Relative call volume per hour of the day (24 weights). */
  hourlyProfile?: number[];
  /** Relative call volume per weekday, Monday first (7 weights). */
  weekdayProfile?: number[];
  /** Agents on duty: 1 value (all hours), 24 (per hour of day), 168 (per hour of week, Monday 00:00 first) or one per hour of the period. */
  agents: number[];
  targetSeconds?: number[];
  seed?: number;
}

export interface SimulationResult {
  calls: number;
  answered: number;
  abandoned: number;
  answerRate: number;
  /** Answered within N s / offered, per target. */
  serviceLevel: Record<string, number>;
  asaSeconds: number;
  /** Mean wait of the calls that gave up. */
  meanAbandonWaitSeconds: number;
  /** Talk time / staffed time. */
  occupancy: number;
  maxQueue: number;
  agentHours: number;
  elapsedMs: number;
}

/** A typical 12345 day: quiet at night, peaks mid-morning and early afternoon. */
export const DEFAULT_HOURLY_PROFILE = [
  0.6, 0.4, 0.3, 0.25, 0.25, 0.4, 0.9, 2.2, 4.6, 6.9, 7.4, 6.8, 5.3, 5.0, 6.2, 6.6, 6.2, 5.5, 4.6, 4.0, 3.6, 3.0, 2.1, 1.2,
];
/** Mondays are the busiest, weekends quieter. */
export const DEFAULT_WEEKDAY_PROFILE = [1.15, 1.05, 1.0, 1.0, 1.0, 0.9, 0.85];

/** sfc32: small, fast, seedable PRNG (uniform in [0, 1)). */
export function rng(seed: number): () => number {
  let a = 0x9e3779b9,
    b = 0x243f6a88,
    c = 0xb7e15162,
    d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

/** Agents on duty in each hour of the period, from a plan of 1, 24, 168 or one value per hour. */
export function expandPlan(plan: number[], hours: number, firstWeekday: number): Int32Array {
  const out = new Int32Array(hours);
  if (![1, 24, 168, hours].includes(plan.length)) {
    throw new Error(`staffing plan: 1, 24, 168 or ${hours} values expected, got ${plan.length}`);
  }
  for (let h = 0; h < hours; h++) {
    const v = plan.length === 1 ? plan[0]! : plan.length === 24 ? plan[h % 24]! : plan.length === 168 ? plan[(firstWeekday * 24 + h) % 168]! : plan[h]!;
    out[h] = v;
  }
  return out;
}

export function simulateYear(input: SimulationInput): SimulationResult {
  const t0 = performance.now();
  const start = new Date(`${input.startDate ?? '2025-01-01'}T00:00:00Z`);
  if (Number.isNaN(start.getTime())) throw new Error(`startDate: not a date: ${input.startDate}`);
  const days = input.days ?? 365;
  const hours = days * 24;
  const firstWeekday = (start.getUTCDay() + 6) % 7; // Monday = 0
  const hourly = input.hourlyProfile ?? DEFAULT_HOURLY_PROFILE;
  const weekday = input.weekdayProfile ?? DEFAULT_WEEKDAY_PROFILE;
  if (hourly.length !== 24) throw new Error('hourly profile: 24 weights expected');
  if (weekday.length !== 7) throw new Error('weekday profile: 7 weights expected');
  const staff = expandPlan(input.agents, hours, firstWeekday);
  const random = rng(input.seed ?? 1);
  const exp = (mean: number) => -mean * Math.log(1 - random());
  const targets = input.targetSeconds ?? [15, 20];

  // Cumulative weight per hour of the period; each call picks its hour, then a uniform time in it.
  const cum = new Float64Array(hours);
  let acc = 0;
  for (let h = 0; h < hours; h++) {
    acc += hourly[h % 24]! * weekday[(firstWeekday + Math.floor(h / 24)) % 7]!;
    cum[h] = acc;
  }
  const n = input.calls;
  const arrivals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = random() * acc;
    let lo = 0,
      hi = hours - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    arrivals[i] = (lo + random()) * 3600;
  }
  arrivals.sort();

  // Departure times of calls in service: a binary min-heap.
  const heap = new Float64Array(Math.max(1, ...staff) + 1);
  let heapSize = 0;
  const push = (v: number) => {
    let i = heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]! <= v) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = v;
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap[--heapSize]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= heapSize) break;
      if (c + 1 < heapSize && heap[c + 1]! < heap[c]!) c++;
      if (heap[c]! >= last) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
    return top;
  };
  // Waiting callers, FIFO: arrival time and the moment they give up (lazy removal).
  const qArr = new Float64Array(n);
  const qGive = new Float64Array(n);
  let qHead = 0,
    qTail = 0;

  const aht = input.ahtSeconds;
  const serviceTime = input.service === 'constant' ? () => aht : () => exp(aht);
  const patience = input.patienceSeconds;
  let answered = 0,
    abandoned = 0,
    waitSum = 0,
    abandonWaitSum = 0,
    talk = 0,
    maxQueue = 0;
  const within = new Array<number>(targets.length).fill(0);
  const answer = (arrivedAt: number, now: number) => {
    const wait = now - arrivedAt;
    answered++;
    waitSum += wait;
    for (let k = 0; k < targets.length; k++) if (wait <= targets[k]!) within[k]!++;
    const s = serviceTime();
    talk += s;
    push(now + s);
  };
  // Agents free at `now` take waiting callers; those whose patience ran out have hung up.
  const dispatch = (now: number, onDuty: number) => {
    while (heapSize < onDuty && qHead < qTail) {
      const a = qArr[qHead]!,
        g = qGive[qHead]!;
      qHead++;
      if (g < now) {
        abandoned++;
        abandonWaitSum += g - a;
      } else answer(a, now);
    }
  };

  let i = 0;
  let hour = 0; // after the period the last hour's agents stay until the queue is empty
  const onDuty = () => staff[Math.min(hour, hours - 1)]!;
  for (;;) {
    const nextArrival = i < n ? arrivals[i]! : Infinity;
    const nextDeparture = heapSize > 0 ? heap[0]! : Infinity;
    const nextBoundary = hour + 1 < hours ? (hour + 1) * 3600 : Infinity;
    const t = Math.min(nextArrival, nextDeparture, nextBoundary);
    if (t === Infinity) break;
    if (t === nextBoundary) {
      hour++;
      dispatch(t, onDuty());
    } else if (t === nextDeparture) {
      pop();
      dispatch(t, onDuty());
    } else {
      i++;
      if (qHead === qTail && heapSize < onDuty()) answer(t, t);
      else {
        qArr[qTail] = t;
        qGive[qTail] = patience ? t + exp(patience) : Infinity;
        qTail++;
        if (qTail - qHead > maxQueue) maxQueue = qTail - qHead;
      }
    }
  }
  // Left waiting with nobody on duty at the end: they hang up.
  for (; qHead < qTail; qHead++) {
    abandoned++;
    abandonWaitSum += Number.isFinite(qGive[qHead]!) ? qGive[qHead]! - qArr[qHead]! : 0;
  }
  let agentHours = 0;
  for (let h = 0; h < hours; h++) agentHours += staff[h]!;
  const sl: Record<string, number> = {};
  targets.forEach((s, k) => (sl[String(s)] = n ? within[k]! / n : 1));
  return {
    calls: n,
    answered,
    abandoned,
    answerRate: n ? answered / n : 1,
    serviceLevel: sl,
    asaSeconds: answered ? waitSum / answered : 0,
    meanAbandonWaitSeconds: abandoned ? abandonWaitSum / abandoned : 0,
    occupancy: agentHours ? talk / (agentHours * 3600) : 0,
    maxQueue,
    agentHours,
    elapsedMs: performance.now() - t0,
  };
}
