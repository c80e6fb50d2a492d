// When the orders come, and how they are cut into parts. The order times are drawn first, in
// order; everything else about an order is drawn from a generator seeded by its id (`mix`),
// so the orders can be generated in parts, on several threads, and the city is the same
// whatever the number of parts.
import type { Rng } from '../core/random.js';
import { HOUR, localMidnights } from './clock.js';
import { HOURLY, WEEKDAY } from './taxonomy.js';
import type { HistoryOptions, OrderPart, OrderTimes } from './types.js';

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/**
 * Spreads the orders over the days by weekday and season, then over the hours of the city's
 * day (its local midnights, so the morning peak is in the morning whenever the seed runs);
 * the last day is today, up to `end`. A hot topic breaks out on the last day.
 */
export function planOrderTimes(rng: Rng, opts: HistoryOptions): OrderTimes {
  const end = opts.end.getTime();
  const midnights = localMidnights(end, opts.days, opts.timeZone);
  const dayWeights: number[] = [];
  for (let d = 0; d < opts.days; d++) {
    const weekday = (midnights[d]!.weekday + 6) % 7; // Monday first
    const season = 1 + 0.15 * Math.sin((2 * Math.PI * d) / 365);
    dayWeights.push(WEEKDAY[weekday]! * season);
  }
  // Today counts for the share of its calls that came before `end`.
  const today = midnights[opts.days - 1]!.at;
  const elapsed = HOURLY.reduce((a, w, h) => a + w * Math.min(1, Math.max(0, (end - today - h * HOUR) / HOUR)), 0);
  dayWeights[opts.days - 1]! *= elapsed / HOURLY.reduce((a, b) => a + b, 0);
  const totalWeight = dayWeights.reduce((a, b) => a + b, 0);
  const counts = dayWeights.map((w) => Math.max(0, Math.round((opts.orders * w) / totalWeight)));
  // The burst: one broken traffic light reported again and again, so the hot-topic list has a spike to raise.
  const burstCount = Math.max(8, Math.round(counts[opts.days - 1]! * 0.03));
  const times = new Float64Array(counts.reduce((a, b) => a + b, 0) + burstCount);
  const burst = new Uint8Array(times.length);
  let n = 0;
  for (let d = 0; d < opts.days; d++) {
    const dayStart = midnights[d]!.at;
    const day: number[] = [];
    const draw = () => dayStart + rng.weighted(HOURS, HOURLY) * HOUR + rng.next() * HOUR;
    for (let i = 0; i < counts[d]!; i++) {
      let t = draw();
      // Today: an hour still to come is drawn again (a few tries; what is left is dropped below).
      for (let tries = 0; t > end && tries < 20; tries++) t = draw();
      day.push(t);
    }
    const hot = new Set<number>();
    if (d === opts.days - 1) for (let i = 0; i < burstCount; i++) hot.add(end - rng.next() * 18 * HOUR);
    day.push(...hot);
    day.sort((a, b) => a - b);
    for (const t of day) {
      if (t > end) continue;
      burst[n] = hot.has(t) ? 1 : 0;
      times[n++] = t;
    }
  }
  return { times: times.subarray(0, n), burst: burst.subarray(0, n) };
}

/**
 * Cuts the orders into parts of about equal work, at local midnights so that each day's
 * numbering stays in one part. An order of the last days costs about two: it is also
 * indexed for the assistant and the duplicate check (segmenting its text, a signature).
 */
export function splitOrders(plan: OrderTimes, parts: number, dayStamp: (at: Date) => string, recentFrom: number): Omit<OrderPart, 'seeds'>[] {
  const n = plan.times.length;
  const work = new Float64Array(n + 1); // work[i]: the cost of the orders before i
  for (let i = 0; i < n; i++) work[i + 1] = work[i]! + (plan.times[i]! >= recentFrom ? 1 + RECENT_EXTRA_COST : 1);
  const cuts = [0];
  for (let p = 1; p < parts; p++) {
    const share = (work[n]! * p) / parts;
    let i = cuts[cuts.length - 1]!;
    while (i < n && work[i]! < share) i++;
    while (i > 0 && i < n && dayStamp(new Date(plan.times[i]!)) === dayStamp(new Date(plan.times[i - 1]!))) i++;
    if (i > cuts[cuts.length - 1]! && i < n) cuts.push(i);
  }
  cuts.push(n);
  return cuts.slice(1).map((to, k) => ({ times: plan.times.slice(cuts[k], to), burst: plan.burst.slice(cuts[k], to), firstId: cuts[k]! + 1 }));
}
/** What indexing a recent order costs besides generating it, in orders (measured on 1M orders in two parts: 0 left the last part 3.7 s behind, 2 the first 1.6 s). */
const RECENT_EXTRA_COST = 1;

/** A 32-bit mix of a seed and an index (murmur3's finaliser), to seed the draws of one order or citizen. */
export function mix(seed: number, i: number): number {
  let h = (seed ^ Math.imul(i, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
