// One order's life after it is created: dispatch (sometimes to the wrong unit first), signing,
// supervision, extensions, the reply, the survey and reopening. Each event is made by the
// lifecycle's own builders (EVENTS in src/workorders/lifecycle.ts), the ones its actions use.
// The history predates the first district's manager review (seedOrg switches it on), so
// every unit's requests are endorsed and its replies go out directly.
import type { Rng } from '../core/random.js';
import { EVENTS } from '../workorders/index.js';
import type { CloseReason, Satisfaction, Decided } from '../workorders/index.js';
import { HOUR } from './clock.js';
import * as T from './taxonomy.js';

/** Who works on an order, and what its unit may answer. */
export interface Staff {
  unit: number;
  /** What the unit may reply, for this order's type and problem. */
  replies: readonly string[];
  wrongUnit: () => number;
  handlerOf: (unitId: number) => number;
  dispatchers: number[];
  followups: number[];
  supervisors: number[];
  agents: number[];
}

/** Stamps an event with its time and actor and appends it to the order's events; returns it. */
export type Append = (time: number, actorId: number | null, event: Decided) => Decided;

/** Appends the events of an order's life up to `now`: dispatch, returns, signing, extensions, reply, survey, reopening. */
export function walkLifecycle(rng: Rng, append: Append, created: number, now: number, s: Staff) {
  let t = created;
  const next = (meanHours: number) => (t += Math.max(60_000, rng.exp(meanHours) * HOUR));
  // Some orders are closed by the center itself.
  if (rng.chance(0.06)) {
    if (next(0.3) < now) append(t, rng.pick(s.agents), EVENTS.closed({ reason: rng.weighted<CloseReason>(['answered', 'invalid'], [4, 1]) }));
    return;
  }
  for (let round = 0; round < 3; round++) {
    // Dispatch, sometimes to the wrong unit first, which returns it.
    const misrouted = round === 0 && rng.chance(0.07);
    if (next(round === 0 ? 0.6 : 2) > now) return;
    const unit = misrouted ? s.wrongUnit() : s.unit;
    append(t, rng.pick(s.dispatchers), EVENTS.dispatched({ unitId: unit, coUnitIds: [] }));
    if (misrouted && unit !== s.unit) {
      if (next(5) > now) return;
      append(t, s.handlerOf(unit), EVENTS.returned({ reason: rng.pick(T.RETURN_REASONS) }));
      if (next(1.5) > now) return;
      append(t, rng.pick(s.dispatchers), EVENTS.dispatched({ unitId: s.unit, coUnitIds: [], note: '重新派单' }));
    }
    if (next(rng.chance(0.08) ? 30 : 4) > now) return;
    const handler = s.handlerOf(s.unit);
    append(t, handler, EVENTS.signed());
    if (rng.chance(0.02) && next(20) < now) append(t, rng.pick(s.supervisors), EVENTS.supervised({ note: '请加快办理进度' }));
    if (rng.chance(0.05)) {
      if (next(24) > now) return;
      const days = rng.int(3, 10);
      append(t, handler, EVENTS.extensionRequested({ days, reason: '需协调多个部门，申请延期' }, true));
      if (next(4) > now) return;
      if (rng.chance(0.8)) append(t, rng.pick(s.dispatchers), EVENTS.extensionApproved({ days }));
      else append(t, rng.pick(s.dispatchers), EVENTS.extensionRejected({ reason: '时限内可以完成' }));
    }
    if (next(rng.chance(0.1) ? 200 : 50) > now) return;
    append(t, handler, EVENTS.reply({ content: rng.pick(s.replies), resolved: rng.chance(0.93) }, false));
    if (next(30) > now) return;
    const satisfaction = round > 0 ? 'satisfied' : rng.weighted<Satisfaction>(['satisfied', 'basically_satisfied', 'unsatisfied'], [76, 15, 9]);
    const resolved = round > 0 || rng.chance(0.93);
    const survey = append(t, rng.pick(s.followups), EVENTS.surveyed({ satisfaction, resolved }));
    if (!survey.data.reopened) return;
  }
}
