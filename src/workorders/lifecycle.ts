// The work-order state machine. An action checks who may do what in which state and
// yields one event; `applyEvent` folds events into the order. The stored order is
// always `events.reduce(applyEvent)`, which a test checks.
import type { Actor, Role } from '../core/context.js';
import { hasRole } from '../core/context.js';
import { badRequest, conflict, forbidden } from '../core/errors.js';
import type { CloseReason, OrderEvent, Satisfaction, Status, TransferStep, WorkOrder } from './model.js';

export type { OrderEvent } from './vocabulary.js';

/** What the `created` event carries: the order's fields as they were given. */
export type CreatedData = Pick<WorkOrder, 'number' | 'type' | 'title' | 'content' | 'categoryCode' | 'urgency' | 'location' | 'citizen' | 'contactId'>;

/** Folds one event into the order (null before `created`). Pure. */
export function applyEvent(order: WorkOrder | null, ev: OrderEvent, id = order?.id ?? 0): WorkOrder {
  if (ev.type === 'created') {
    const d = ev.data as CreatedData;
    return {
      id,
      number: d.number,
      type: d.type,
      title: d.title,
      content: d.content,
      categoryCode: d.categoryCode,
      urgency: d.urgency,
      status: 'new',
      location: d.location,
      citizen: d.citizen,
      contactId: d.contactId,
      mainUnitId: null,
      coUnitIds: [],
      transferChain: [],
      internalDueAt: null,
      assigneeId: null,
      coReplies: [],
      pendingSuspension: null,
      suspended: false,
      suspension: null,
      pendingReturn: null,
      awaitingRuling: false,
      finalUnitId: null,
      pendingExtension: null,
      pendingReply: null,
      extensionDays: 0,
      reply: null,
      survey: null,
      surveyAttempts: 0,
      lastSurveyAttemptAt: null,
      closeReason: null,
      duplicateOf: null,
      dispatchCount: 0,
      returnCount: 0,
      reopenCount: 0,
      supervisionCount: 0,
      version: 1,
      createdBy: ev.actorId,
      createdAt: ev.at,
      updatedAt: ev.at,
      dispatchedAt: null,
      signedAt: null,
      repliedAt: null,
      closedAt: null,
    };
  }
  if (!order) throw new Error(`event ${ev.type} before created`);
  return foldInto({ ...order }, ev);
}

/**
 * Folds a later event (not `created`) into the order itself, changing it in place: for bulk
 * folds that keep only the result (applyEvent is this on a copy).
 */
export function foldInto(o: WorkOrder, ev: OrderEvent): WorkOrder {
  o.version++;
  o.updatedAt = ev.at;
  const d = ev.data;
  switch (ev.type) {
    case 'dispatched':
      o.status = 'dispatched';
      o.mainUnitId = d.unitId;
      o.coUnitIds = d.coUnitIds ?? [];
      o.dispatchCount++;
      o.dispatchedAt = ev.at;
      o.signedAt = null;
      o.pendingExtension = null;
      o.pendingReply = null;
      o.reply = null;
      clearHandling(o);
      return o;
    case 'signed':
      o.status = 'accepted';
      o.signedAt = ev.at;
      return o;
    case 'returned':
      o.status = 'returned';
      o.returnCount++;
      o.pendingExtension = null;
      o.pendingReply = null;
      clearHandling(o);
      // Returned twice under return review: a supervisor names the unit (终审).
      o.awaitingRuling = d.toRuling === true;
      return o;
    case 'extension_requested':
      // `endorsed`: the unit's manager has backed the request (always, in a unit without review; older events lack it).
      o.pendingExtension = { days: d.days, reason: d.reason, requestedBy: ev.actorId, requestedAt: ev.at, endorsed: d.endorsed ?? true };
      return o;
    case 'extension_endorsed':
      o.pendingExtension = o.pendingExtension && { ...o.pendingExtension, endorsed: true };
      return o;
    case 'extension_approved':
      o.pendingExtension = null;
      o.extensionDays += d.days;
      return o;
    case 'extension_rejected':
      o.pendingExtension = null;
      return o;
    case 'reply_submitted':
      // Older events carry no stage: the unit manager's review.
      o.pendingReply = { content: d.content, resolved: d.resolved, by: ev.actorId, at: ev.at, stage: d.stage ?? 'unit', reviewUnitId: d.reviewUnitId ?? null };
      return o;
    case 'reply_forwarded':
      // Approved on its way: now the unit above reviews it (after a transfer down).
      o.pendingReply = o.pendingReply && { ...o.pendingReply, content: d.content, resolved: d.resolved, stage: 'upper', reviewUnitId: d.reviewUnitId };
      return o;
    case 'reply_rejected':
      o.pendingReply = null;
      return o;
    case 'replied':
      o.status = 'replied';
      o.reply = { content: d.content, resolved: d.resolved, by: ev.actorId, at: ev.at };
      o.repliedAt = ev.at;
      o.pendingExtension = null;
      o.pendingReply = null;
      o.surveyAttempts = 0;
      o.lastSurveyAttemptAt = null;
      return o;
    case 'survey_failed':
      o.surveyAttempts++;
      o.lastSurveyAttemptAt = ev.at;
      if (d.final) {
        o.status = 'closed';
        o.closeReason = 'unreachable';
        o.closedAt = ev.at;
      }
      return o;
    case 'surveyed':
      o.survey = { satisfaction: d.satisfaction, resolved: d.resolved, note: d.note ?? null, by: ev.actorId, at: ev.at };
      if (d.reopened) {
        o.status = 'reopened';
        o.reopenCount++;
      } else {
        o.status = 'closed';
        o.closedAt = ev.at;
      }
      return o;
    case 'closed':
      o.status = 'closed';
      o.closeReason = d.reason;
      o.duplicateOf = d.duplicateOf ?? null;
      o.closedAt = ev.at;
      return o;
    case 'supervised':
      o.supervisionCount++;
      return o;
    case 'supervision_replied':
      return o;
    case 'transferred_down': {
      const step: TransferStep = {
        fromUnitId: d.fromUnitId,
        unitId: d.unitId,
        by: ev.actorId,
        at: ev.at,
        note: d.note ?? null,
        internalDueAt: d.internalDueAt ?? null,
        signedAt: null,
        upperAssigneeId: o.assigneeId,
      };
      o.transferChain = [...o.transferChain, step];
      o.mainUnitId = d.unitId;
      o.assigneeId = null;
      o.internalDueAt = step.internalDueAt;
      return o;
    }
    case 'transfer_signed':
      o.transferChain = o.transferChain.map((s, i, all) => (i === all.length - 1 ? { ...s, signedAt: ev.at } : s));
      return o;
    case 'transfer_returned': {
      // Back up one level: the unit that passed it down holds it again, with its named handler.
      const step = o.transferChain[o.transferChain.length - 1];
      o.transferChain = o.transferChain.slice(0, -1);
      if (step) {
        o.mainUnitId = step.fromUnitId;
        o.assigneeId = step.upperAssigneeId;
      }
      o.internalDueAt = o.transferChain[o.transferChain.length - 1]?.internalDueAt ?? null;
      o.pendingExtension = null;
      o.pendingReply = null;
      o.pendingSuspension = null;
      return o;
    }
    case 'assigned':
      o.assigneeId = d.userId;
      return o;
    case 'co_replied':
      o.coReplies = [...o.coReplies, { unitId: d.unitId, content: d.content, by: ev.actorId, at: ev.at, dueAt: d.dueAt ?? null, onTime: d.onTime ?? null }];
      return o;
    case 'suspension_requested':
      o.pendingSuspension = { reason: d.reason, workingDays: d.workingDays, requestedBy: ev.actorId, requestedAt: ev.at };
      return o;
    case 'suspension_approved':
      o.pendingSuspension = null;
      o.suspended = true;
      o.suspension = {
        reason: d.reason,
        workingDays: d.workingDays,
        requestedBy: d.requestedBy ?? null,
        approvedBy: ev.actorId,
        startedAt: d.startedAt,
        endsAt: d.endsAt,
      };
      return o;
    case 'suspension_rejected':
      o.pendingSuspension = null;
      return o;
    case 'suspension_ended': {
      // The internal deadlines move by the suspended working time, as the center's do (src/sla).
      const moved: (string | null)[] | undefined = d.internalDueAts;
      if (moved) o.transferChain = o.transferChain.map((s, i) => ({ ...s, internalDueAt: moved[i] ?? s.internalDueAt }));
      o.internalDueAt = o.transferChain[o.transferChain.length - 1]?.internalDueAt ?? null;
      o.suspended = false;
      o.suspension = null;
      return o;
    }
    case 'return_requested':
      o.pendingReturn = { reason: d.reason, unitId: o.mainUnitId, by: ev.actorId, at: ev.at };
      return o;
    case 'return_rejected':
      o.pendingReturn = null;
      return o;
    case 'final_ruling':
      // The order then goes to the unit named (a `dispatched` event, appended by the system).
      o.finalUnitId = d.unitId;
      o.awaitingRuling = false;
      return o;
    case 'unmerged':
      // A merge undone (src/duplicates): the order closed as a duplicate is new again.
      o.status = 'new';
      o.closeReason = null;
      o.duplicateOf = null;
      o.closedAt = null;
      return o;
    case 'citizen_commented':
      // A citizen's comment through Open311 (servicerequestupdates, src/open311): the unit reads it in the history.
      return o;
    case 'appeal_filed':
    case 'appeal_ruled':
      // 申诉 (src/appeals): it changes the unit's assessment, not the order; that module keeps the appeal.
      return o;
    default:
      throw new Error(`unknown event ${ev.type}`);
  }
}

/** The unit the center dispatched to: it answers to the center (assessment, reopening) whoever below holds the order now. */
export const dispatchedUnitId = (o: Pick<WorkOrder, 'mainUnitId' | 'transferChain'>): number | null => o.transferChain?.[0]?.fromUnitId ?? o.mainUnitId;

/** What a new dispatch or a return to the center leaves behind of the units' handling. */
function clearHandling(o: WorkOrder) {
  o.transferChain = [];
  o.internalDueAt = null;
  o.assigneeId = null;
  o.coReplies = [];
  o.pendingSuspension = null;
  o.suspended = false;
  o.suspension = null;
  o.pendingReturn = null;
  o.awaitingRuling = false;
}

/** The center's switches for the departments' side (workorder_settings). */
export interface WorkorderSettings {
  /** The lead unit's reply waits (409) until every co-unit has given its part. */
  requireCoReplies: boolean;
  /** A return to the center waits for a dispatcher's approval; the second goes to a supervisor's final ruling. */
  returnReview: boolean;
}
export const DEFAULT_WORKORDER_SETTINGS: WorkorderSettings = { requireCoReplies: false, returnReview: false };

/** Working time on the city's calendar (src/sla provides it). Instants are epoch ms. */
export interface WorkingClock {
  addWorkingMs(t: number, ms: number): number;
  workingMsBetween(a: number, b: number): number;
  readonly workingDayMs: number;
}

/** Wall-clock time, for contexts without the working calendar (CLI jobs without the time-limit module). */
export const WALL_CLOCK: WorkingClock = { addWorkingMs: (t, ms) => t + ms, workingMsBetween: (a, b) => Math.max(0, b - a), workingDayMs: 86_400_000 };

/** A suspension's end: its working days of working time after it starts. */
export const suspensionEnd = (clock: WorkingClock, startedAt: number, workingDays: number) => clock.addWorkingMs(startedAt, workingDays * clock.workingDayMs);

/**
 * The `suspension_ended` event's data: the suspended working time, and each internal deadline
 * still ahead when the clock stopped moved by it (the center's deadlines move in src/sla).
 */
export function suspensionEnded(o: WorkOrder, clock: WorkingClock, endedAt: number, how: { automatic: boolean; by?: 'unit' | 'center' }): Decided {
  const s = o.suspension!;
  const from = Date.parse(s.startedAt);
  const end = Math.max(from, endedAt);
  const workingMs = clock.workingMsBetween(from, end);
  const internalDueAts = o.transferChain.map((t) =>
    t.internalDueAt && Date.parse(t.internalDueAt) > from
      ? new Date(clock.addWorkingMs(Date.parse(t.internalDueAt), workingMs)).toISOString()
      : t.internalDueAt,
  );
  return {
    type: 'suspension_ended',
    data: {
      startedAt: s.startedAt,
      endedAt: new Date(end).toISOString(),
      workingMs,
      reason: s.reason,
      automatic: how.automatic,
      by: how.by ?? null,
      internalDueAts,
    },
  };
}

export interface ActionContext {
  actor: Actor;
  now: Date;
  /** Follow-up retry rules: attempts before closing as unreachable, minutes between attempts. */
  survey: { maxAttempts: number; retryAfterMinutes: number };
  /** True when the actor belongs to the order's main unit. */
  isMainUnit: boolean;
  /** Checks that a unit exists (the service looks it up). */
  unitExists: (id: number) => Promise<boolean>;
  orderExists: (id: number) => Promise<boolean>;
  /** Whether the unit's manager approves its handlers' replies (答复审核) and extension requests. */
  managerReviews: (unitId: number) => Promise<boolean>;
  /** The center's settings; the defaults (all off) when not given. */
  settings?: () => Promise<WorkorderSettings>;
  /** Whether `unitId` is an active unit strictly below `aboveId`. */
  isBelow?: (unitId: number, aboveId: number) => Promise<boolean>;
  /** Whether the user is an active handler or manager of the unit. */
  isUnitStaff?: (userId: number, unitId: number) => Promise<boolean>;
  /** The order's reply deadline as it stands, to time co-units' parts; null without one. */
  replyDueAt?: () => Promise<string | null>;
  /** The city's working calendar, for suspensions; wall-clock time when not given. */
  clock?: () => Promise<WorkingClock>;
}

interface ActionDef {
  roles: Role[];
  from: readonly Status[];
  /** Only users of the order's main unit may act. */
  mainUnitOnly?: boolean;
  /** Who else, given the order (the unit above reviews, a co-unit gives its part, …): 403 otherwise. */
  may?: (order: WorkOrder, actor: Actor) => boolean;
  /** What else the order must hold (a waiting reply, no pending request, …); decide() refuses otherwise. */
  available?: (order: WorkOrder, actor: Actor) => boolean;
  /** Called by the system, not offered to people (no route). */
  internal?: boolean;
  /** Validates the body against the order and returns the event to append. */
  decide(order: WorkOrder, body: Record<string, any>, ctx: ActionContext): Decided | Promise<Decided>;
}

const OPEN: readonly Status[] = ['new', 'dispatched', 'accepted', 'returned', 'replied', 'reopened'];

// What the review actions act on, or 409 when there is none.
function waitingReply(o: WorkOrder) {
  if (!o.pendingReply) throw conflict('invalid_transition', 'workorders.noPendingReply');
  return o.pendingReply;
}
function extensionAtUnit(o: WorkOrder) {
  if (!o.pendingExtension || o.pendingExtension.endorsed) throw conflict('invalid_transition', 'workorders.noExtensionAtUnit');
  return o.pendingExtension;
}
function extensionAtCenter(o: WorkOrder) {
  if (!o.pendingExtension) throw conflict('invalid_transition', 'workorders.noPendingExtension');
  if (!o.pendingExtension.endorsed) throw conflict('invalid_transition', 'workorders.extensionNotEndorsed');
  return o.pendingExtension;
}

// The departments' side (转派, 协办, 挂起, 退单审核): what the order holds decides who acts.
const lastStep = (o: WorkOrder): TransferStep | undefined => o.transferChain[o.transferChain.length - 1];
/** The unit holding the order got it by a transfer down and has not signed yet. */
const awaitingTransferSign = (o: WorkOrder) => o.status === 'accepted' && !!lastStep(o) && lastStep(o)!.signedAt == null;
/** The holding unit has signed for the order (dispatched to it, or passed down to it). */
const holderSigned = (o: WorkOrder) => o.status === 'accepted' && !awaitingTransferSign(o);
/** The unit whose review a waiting reply is at, when it is the unit above's (after a transfer down). */
const upperReviewer = (o: WorkOrder) => (o.pendingReply?.stage === 'upper' ? (o.pendingReply.reviewUnitId ?? null) : null);
const isMainUnitOf = (actor: Actor, o: WorkOrder) => actor.unitId != null && actor.unitId === o.mainUnitId;
/** Who reviews a waiting reply: the unit above (its handlers and managers) or the unit's own manager. */
const mayReview = (o: WorkOrder, a: Actor) => {
  const up = upperReviewer(o);
  return up != null ? a.unitId === up : isMainUnitOf(a, o) && hasRole(a, 'unit_manager');
};
const isCoUnit = (o: WorkOrder, a: Actor) => a.unitId != null && o.coUnitIds.includes(a.unitId);
const coReplied = (o: WorkOrder, unitId: number | null) => o.coReplies.some((c) => c.unitId === unitId);
/** The ruled unit holds the order itself: it may not return it to the center. */
const ruledHolder = (o: WorkOrder) => o.finalUnitId != null && o.finalUnitId === o.mainUnitId && o.transferChain.length === 0;

function refuseWhile(o: WorkOrder, what: { suspended?: boolean; unsigned?: boolean; returnPending?: boolean }) {
  if (what.unsigned && awaitingTransferSign(o)) throw conflict('invalid_transition', 'workorders.transferNotSigned');
  if (what.suspended && o.suspended) throw conflict('invalid_transition', 'workorders.suspended');
  if (what.returnPending && o.pendingReturn) throw conflict('invalid_transition', 'workorders.returnPending');
}

/** What an action yields: the event before the service stamps it with `at` and `actorId`. */
export interface Decided {
  type: string;
  data: Record<string, any>;
}

/**
 * The event of each action, from values decide() has checked: pure and synchronous, so that a
 * bulk load builds its events with the same code as the actions (the demo's history, src/demo).
 */
export const EVENTS = {
  dispatched: (b: { unitId: number; coUnitIds: number[]; note?: string | null }): Decided => ({
    type: 'dispatched',
    data: { unitId: b.unitId, coUnitIds: b.coUnitIds, note: b.note ?? null },
  }),
  signed: (): Decided => ({ type: 'signed', data: {} }),
  returned: (b: { reason: string }): Decided => ({ type: 'returned', data: { reason: b.reason } }),
  /** `endorsed`: the unit's manager backs the request (a manager's own, or a unit without review). */
  extensionRequested: (b: { days: number; reason: string }, endorsed: boolean): Decided => ({
    type: 'extension_requested',
    data: { days: b.days, reason: b.reason, endorsed },
  }),
  extensionApproved: (b: { days: number; note?: string | null }): Decided => ({ type: 'extension_approved', data: { days: b.days, note: b.note ?? null } }),
  extensionRejected: (b: { reason?: string | null }): Decided => ({ type: 'extension_rejected', data: { reason: b.reason ?? null } }),
  /** `review`: the reply waits for the unit's manager (答复审核) instead of going out. */
  reply: (b: { content: string; resolved: boolean }, review: boolean): Decided =>
    review ? EVENTS.replySubmitted(b, 'unit', null) : { type: 'replied', data: { content: b.content, resolved: b.resolved } },
  /** A reply waiting for review: the unit's manager's (`unit`) or the unit above's (`upper`, after a transfer down). */
  replySubmitted: (b: { content: string; resolved: boolean }, stage: 'unit' | 'upper', reviewUnitId: number | null): Decided => ({
    type: 'reply_submitted',
    data: { content: b.content, resolved: b.resolved, stage, reviewUnitId },
  }),
  transferredDown: (b: { fromUnitId: number; unitId: number; note?: string | null; internalDueAt?: string | null }): Decided => ({
    type: 'transferred_down',
    data: { fromUnitId: b.fromUnitId, unitId: b.unitId, note: b.note ?? null, internalDueAt: b.internalDueAt ?? null },
  }),
  /** An unsatisfied or unresolved survey reopens the order. */
  surveyed(b: { satisfaction: Satisfaction; resolved: boolean; note?: string | null }): Decided {
    const reopened = b.satisfaction === 'unsatisfied' || b.resolved === false;
    return { type: 'surveyed', data: { satisfaction: b.satisfaction, resolved: b.resolved, note: b.note ?? null, reopened } };
  },
  closed: (b: { reason: CloseReason; duplicateOf?: number | null }): Decided => ({
    type: 'closed',
    data: { reason: b.reason, duplicateOf: b.reason === 'duplicate' ? b.duplicateOf : null },
  }),
  supervised: (b: { note: string }): Decided => ({ type: 'supervised', data: { note: b.note } }),
};

export const ACTIONS: Record<string, ActionDef> = {
  dispatch: {
    roles: ['dispatcher'],
    from: ['new', 'returned', 'reopened'],
    // An order returned twice under return review waits for a supervisor's final ruling.
    available: (o) => !o.awaitingRuling,
    async decide(o, b, ctx) {
      if (o.awaitingRuling) throw conflict('invalid_transition', 'workorders.awaitingRuling');
      if (!(await ctx.unitExists(b.unitId))) throw badRequest('org.unitMissing', { id: b.unitId }, 'unitId');
      const coUnitIds: number[] = [...new Set<number>(b.coUnitIds ?? [])];
      if (coUnitIds.includes(b.unitId)) throw badRequest('workorders.mainIsCoUnit', {}, 'coUnitIds');
      for (const id of coUnitIds) if (!(await ctx.unitExists(id))) throw badRequest('org.unitMissing', { id }, 'coUnitIds');
      return EVENTS.dispatched({ unitId: b.unitId, coUnitIds, note: b.note });
    },
  },
  // The unit the center dispatched to signs the dispatch; a unit below signs what was passed down to it.
  sign: {
    roles: ['handler', 'unit_manager'],
    from: ['dispatched', 'accepted'],
    mainUnitOnly: true,
    available: (o) => o.status === 'dispatched' || awaitingTransferSign(o),
    decide(o) {
      if (o.status === 'dispatched') return EVENTS.signed();
      if (!awaitingTransferSign(o)) throw conflict('invalid_transition', 'workorders.alreadySigned');
      return { type: 'transfer_signed', data: { unitId: o.mainUnitId } };
    },
  },
  // A unit below returns the order up one level, to the unit that passed it down; the unit the
  // center dispatched to returns it to the center (through a dispatcher under return review).
  return: {
    roles: ['handler', 'unit_manager'],
    from: ['dispatched', 'accepted'],
    mainUnitOnly: true,
    available: (o) => !o.suspended && !o.pendingReturn && !ruledHolder(o),
    async decide(o, b, ctx) {
      refuseWhile(o, { suspended: true, returnPending: true });
      const step = lastStep(o);
      if (step) return { type: 'transfer_returned', data: { reason: b.reason, fromUnitId: o.mainUnitId, toUnitId: step.fromUnitId } };
      if (ruledHolder(o)) throw conflict('invalid_transition', 'workorders.finalRulingNoReturn');
      const settings = (await ctx.settings?.()) ?? DEFAULT_WORKORDER_SETTINGS;
      if (settings.returnReview) return { type: 'return_requested', data: { reason: b.reason } };
      // The second return to the center waits for a supervisor's final ruling (终审), reviewed or not.
      const returned = EVENTS.returned({ reason: b.reason });
      return o.returnCount + 1 >= 2 ? { ...returned, data: { ...returned.data, toRuling: true } } : returned;
    },
  },
  'request-extension': {
    roles: ['handler', 'unit_manager'],
    from: ['accepted'],
    mainUnitOnly: true,
    available: (o) => !o.pendingExtension && holderSigned(o) && !o.suspended,
    async decide(o, b, ctx) {
      refuseWhile(o, { unsigned: true, suspended: true });
      if (o.pendingExtension) throw conflict('invalid_transition', 'workorders.extensionPending');
      // In a unit whose manager reviews, a handler's request goes to the manager first.
      const endorsed = hasRole(ctx.actor, 'unit_manager') || !(await ctx.managerReviews(o.mainUnitId!));
      return EVENTS.extensionRequested({ days: b.days, reason: b.reason }, endorsed);
    },
  },
  // The unit's manager backs a handler's request, which then goes to the center…
  'endorse-extension': {
    roles: ['unit_manager'],
    from: ['accepted'],
    mainUnitOnly: true,
    available: (o) => !!o.pendingExtension && !o.pendingExtension.endorsed,
    decide(o) {
      extensionAtUnit(o);
      return { type: 'extension_endorsed', data: {} };
    },
  },
  // …or turns it down (the same event as the center's refusal).
  'decline-extension': {
    roles: ['unit_manager'],
    from: ['accepted'],
    mainUnitOnly: true,
    available: (o) => !!o.pendingExtension && !o.pendingExtension.endorsed,
    decide(o, b) {
      extensionAtUnit(o);
      return { type: 'extension_rejected', data: { reason: b.reason ?? null, by: 'unit' } };
    },
  },
  'approve-extension': {
    roles: ['dispatcher', 'supervisor'],
    from: ['accepted'],
    available: (o) => !!o.pendingExtension?.endorsed,
    decide(o, b) {
      // There must be an endorsed request even when the body names the days.
      const days = b.days ?? extensionAtCenter(o).days;
      extensionAtCenter(o);
      return EVENTS.extensionApproved({ days, note: b.note });
    },
  },
  'reject-extension': {
    roles: ['dispatcher', 'supervisor'],
    from: ['accepted'],
    available: (o) => !!o.pendingExtension?.endorsed,
    decide(o, b) {
      extensionAtCenter(o);
      return EVENTS.extensionRejected({ reason: b.reason });
    },
  },
  // In a unit that reviews replies, a handler's reply waits for the manager; a manager's goes out.
  // After a transfer down the reply waits for the unit above, which reviews it before the center sees it.
  reply: {
    roles: ['handler', 'unit_manager'],
    from: ['accepted'],
    mainUnitOnly: true,
    available: (o) => !o.pendingReply && holderSigned(o) && !o.suspended && !o.pendingReturn,
    async decide(o, b, ctx) {
      refuseWhile(o, { unsigned: true, suspended: true, returnPending: true });
      if (o.pendingReply) throw conflict('invalid_transition', 'workorders.replyPending');
      const settings = (await ctx.settings?.()) ?? DEFAULT_WORKORDER_SETTINGS;
      if (settings.requireCoReplies) {
        const missing = o.coUnitIds.filter((u) => !coReplied(o, u));
        if (missing.length) throw conflict('co_replies_missing', 'workorders.coRepliesMissing', { count: missing.length });
      }
      const review = !hasRole(ctx.actor, 'unit_manager') && (await ctx.managerReviews(o.mainUnitId!));
      const reply = { content: b.content, resolved: b.resolved };
      if (review) return EVENTS.replySubmitted(reply, 'unit', null);
      const step = lastStep(o);
      return step ? EVENTS.replySubmitted(reply, 'upper', step.fromUnitId) : EVENTS.reply(reply, false);
    },
  },
  // The reviewer sends the waiting reply on, as written or amended: out to the center, or (after a
  // transfer down) to the next unit up, until the unit the center dispatched to approves it.
  'approve-reply': {
    roles: ['handler', 'unit_manager'],
    from: ['accepted'],
    may: mayReview,
    available: (o) => !!o.pendingReply,
    decide(o, b) {
      const draft = waitingReply(o);
      const content = b.content ?? draft.content;
      const resolved = b.resolved ?? draft.resolved;
      const amended = content !== draft.content || resolved !== draft.resolved;
      // The reviewer's own place in the chain: the unit above it reviews next, if any.
      const reviewer = upperReviewer(o) ?? o.mainUnitId;
      const above = o.transferChain.find((t) => t.unitId === reviewer)?.fromUnitId ?? null;
      if (above != null) return { type: 'reply_forwarded', data: { content, resolved, reviewUnitId: above, amended } };
      return { type: 'replied', data: { content, resolved, submittedBy: draft.by, amended } };
    },
  },
  // …or sends it back to its writer with what to change.
  'reject-reply': {
    roles: ['handler', 'unit_manager'],
    from: ['accepted'],
    may: mayReview,
    available: (o) => !!o.pendingReply,
    decide(o, b) {
      const draft = waitingReply(o);
      return { type: 'reply_rejected', data: { reason: b.reason, stage: draft.stage ?? 'unit' } };
    },
  },
  survey: {
    roles: ['followup'],
    from: ['replied'],
    decide: (_o, b) => EVENTS.surveyed({ satisfaction: b.satisfaction, resolved: b.resolved, note: b.note }),
  },
  'survey-unreachable': {
    roles: ['followup'],
    from: ['replied'],
    decide(o, b, ctx) {
      if (o.lastSurveyAttemptAt) {
        const wait = ctx.survey.retryAfterMinutes * 60_000 - (ctx.now.getTime() - Date.parse(o.lastSurveyAttemptAt));
        if (wait > 0) throw conflict('retry_too_soon', 'workorders.retryTooSoon', { minutes: Math.ceil(wait / 60_000) });
      }
      const attempt = o.surveyAttempts + 1;
      return { type: 'survey_failed', data: { reason: 'unreachable', attempt, final: attempt >= ctx.survey.maxAttempts, note: b.note ?? null } };
    },
  },
  close: {
    roles: ['agent', 'dispatcher'],
    from: ['new'],
    async decide(o, b, ctx) {
      const reason = b.reason as CloseReason;
      if (reason === 'duplicate') {
        if (b.duplicateOf == null) throw badRequest('workorders.duplicateOfRequired', {}, 'duplicateOf');
        if (b.duplicateOf === o.id) throw badRequest('workorders.duplicateOfSelf', {}, 'duplicateOf');
        if (!(await ctx.orderExists(b.duplicateOf))) throw badRequest('workorders.orderMissing', { id: b.duplicateOf }, 'duplicateOf');
      } else if (b.duplicateOf != null) {
        throw badRequest('workorders.duplicateOfOnlyForDuplicate', {}, 'duplicateOf');
      }
      return EVENTS.closed({ reason, duplicateOf: b.duplicateOf });
    },
  },
  // No route of its own: the duplicates module calls it when a wrong merge is undone.
  unmerge: {
    roles: ['agent', 'dispatcher'],
    from: ['closed'],
    internal: true,
    available: (o) => o.closeReason === 'duplicate',
    decide(o) {
      if (o.closeReason !== 'duplicate') throw conflict('invalid_transition', 'workorders.notClosedAsDuplicate');
      return { type: 'unmerged', data: { duplicateOf: o.duplicateOf } };
    },
  },
  supervise: {
    roles: ['supervisor'],
    from: OPEN,
    decide: (_o, b) => EVENTS.supervised({ note: b.note }),
  },
  // The unit answers a supervision notice (督办回复): what it has done, when it will finish.
  'reply-supervision': {
    roles: ['handler', 'unit_manager'],
    from: OPEN,
    mainUnitOnly: true,
    available: (o) => o.supervisionCount > 0,
    decide(o, b) {
      if (o.supervisionCount === 0) throw conflict('invalid_transition', 'workorders.noSupervision');
      return { type: 'supervision_replied', data: { note: b.note } };
    },
  },
  // 转派: the holding unit passes the order to a unit below it, which becomes the main unit and
  // signs; the units above keep seeing it and the center's deadlines keep running.
  'transfer-down': {
    roles: ['handler', 'unit_manager'],
    from: ['accepted'],
    mainUnitOnly: true,
    available: (o) => holderSigned(o) && !o.suspended && !o.pendingReply && !o.pendingReturn,
    async decide(o, b, ctx) {
      refuseWhile(o, { unsigned: true, suspended: true, returnPending: true });
      if (o.pendingReply) throw conflict('invalid_transition', 'workorders.replyPending');
      if (!(await ctx.unitExists(b.unitId))) throw badRequest('org.unitMissing', { id: b.unitId }, 'unitId');
      if (!(await ctx.isBelow?.(b.unitId, o.mainUnitId!))) throw badRequest('workorders.transferNotBelow', {}, 'unitId');
      if (o.coUnitIds.includes(b.unitId)) throw badRequest('workorders.transferToCoUnit', {}, 'unitId');
      let internalDueAt: string | null = null;
      if (b.internalDueAt != null) {
        const due = Date.parse(b.internalDueAt);
        if (!(due > ctx.now.getTime())) throw badRequest('workorders.internalDueInPast', {}, 'internalDueAt');
        internalDueAt = new Date(due).toISOString();
      }
      return EVENTS.transferredDown({ fromUnitId: o.mainUnitId!, unitId: b.unitId, note: b.note, internalDueAt });
    },
  },
  // A named handler of the holding unit (its manager names them).
  assign: {
    roles: ['unit_manager'],
    from: ['dispatched', 'accepted'],
    mainUnitOnly: true,
    async decide(o, b, ctx) {
      if (!(await ctx.isUnitStaff?.(b.userId, o.mainUnitId!))) throw badRequest('workorders.assigneeNotMember', {}, 'userId');
      return { type: 'assigned', data: { userId: b.userId, unitId: o.mainUnitId, previousId: o.assigneeId } };
    },
  },
  // 协办: a co-unit gives its part, timed against the order's reply deadline.
  'co-reply': {
    roles: ['handler', 'unit_manager'],
    from: ['dispatched', 'accepted'],
    may: isCoUnit,
    available: (o, a) => !coReplied(o, a.unitId),
    async decide(o, b, ctx) {
      if (coReplied(o, ctx.actor.unitId)) throw conflict('invalid_transition', 'workorders.coReplyGiven');
      const dueAt = (await ctx.replyDueAt?.()) ?? null;
      const onTime = dueAt == null ? null : ctx.now.getTime() <= Date.parse(dueAt);
      return { type: 'co_replied', data: { unitId: ctx.actor.unitId, content: b.content, dueAt, onTime } };
    },
  },
  // 挂起: the holding unit asks the center to stop the clock for some working days.
  'request-suspension': {
    roles: ['handler', 'unit_manager'],
    from: ['accepted'],
    mainUnitOnly: true,
    available: (o) => holderSigned(o) && !o.suspended && !o.pendingSuspension && !o.pendingReturn,
    decide(o, b) {
      refuseWhile(o, { unsigned: true, suspended: true, returnPending: true });
      if (o.pendingSuspension) throw conflict('invalid_transition', 'workorders.suspensionPending');
      return { type: 'suspension_requested', data: { reason: b.reason, workingDays: b.workingDays } };
    },
  },
  'approve-suspension': {
    roles: ['dispatcher', 'supervisor'],
    from: ['accepted'],
    available: (o) => !!o.pendingSuspension,
    async decide(o, b, ctx) {
      const req = o.pendingSuspension;
      if (!req) throw conflict('invalid_transition', 'workorders.noPendingSuspension');
      const workingDays: number = b.workingDays ?? req.workingDays;
      const clock = (await ctx.clock?.()) ?? WALL_CLOCK;
      const startedAt = ctx.now.getTime();
      return {
        type: 'suspension_approved',
        data: {
          reason: req.reason,
          workingDays,
          requestedBy: req.requestedBy,
          note: b.note ?? null,
          startedAt: new Date(startedAt).toISOString(),
          endsAt: new Date(suspensionEnd(clock, startedAt, workingDays)).toISOString(),
        },
      };
    },
  },
  'reject-suspension': {
    roles: ['dispatcher', 'supervisor'],
    from: ['accepted'],
    available: (o) => !!o.pendingSuspension,
    decide(o, b) {
      if (!o.pendingSuspension) throw conflict('invalid_transition', 'workorders.noPendingSuspension');
      return { type: 'suspension_rejected', data: { reason: b.reason ?? null } };
    },
  },
  // The clock runs again before the end (the job ends suspensions that reach it, src/sla).
  resume: {
    roles: ['handler', 'unit_manager', 'dispatcher', 'supervisor'],
    from: ['accepted'],
    may: (o, a) => hasRole(a, 'dispatcher', 'supervisor') || isMainUnitOf(a, o),
    available: (o) => o.suspended,
    async decide(o, _b, ctx) {
      if (!o.suspended || !o.suspension) throw conflict('invalid_transition', 'workorders.notSuspended');
      const clock = (await ctx.clock?.()) ?? WALL_CLOCK;
      const by = hasRole(ctx.actor, 'dispatcher', 'supervisor') && !isMainUnitOf(ctx.actor, o) ? 'center' : 'unit';
      return suspensionEnded(o, clock, ctx.now.getTime(), { automatic: false, by });
    },
  },
  // 退单审核: a dispatcher lets a unit's return take effect, or sends the order back to the unit.
  'approve-return': {
    roles: ['dispatcher'],
    from: ['dispatched', 'accepted'],
    available: (o) => !!o.pendingReturn,
    decide(o, b) {
      const req = o.pendingReturn;
      if (!req) throw conflict('invalid_transition', 'workorders.noPendingReturn');
      // The second return goes to a supervisor, who names the responsible unit once (终审).
      const toRuling = o.returnCount + 1 >= 2;
      return { type: 'returned', data: { reason: req.reason, reviewed: true, note: b.note ?? null, ...(toRuling ? { toRuling } : {}) } };
    },
  },
  'reject-return': {
    roles: ['dispatcher'],
    from: ['dispatched', 'accepted'],
    available: (o) => !!o.pendingReturn,
    decide(o, b) {
      if (!o.pendingReturn) throw conflict('invalid_transition', 'workorders.noPendingReturn');
      return { type: 'return_rejected', data: { reason: b.reason } };
    },
  },
  // 终审: the supervisor names the unit that must handle an order returned twice; it cannot return it.
  'final-ruling': {
    roles: ['supervisor'],
    from: ['returned'],
    available: (o) => o.awaitingRuling,
    async decide(o, b, ctx) {
      if (!o.awaitingRuling) throw conflict('invalid_transition', 'workorders.noRulingAwaited');
      if (!(await ctx.unitExists(b.unitId))) throw badRequest('org.unitMissing', { id: b.unitId }, 'unitId');
      return { type: 'final_ruling', data: { unitId: b.unitId, note: b.note ?? null } };
    },
  },
};

/**
 * The actions this actor may take on the order as it stands: role, main unit, state and the
 * order's own preconditions, exactly what decide() checks before it reads the body. The
 * server sends it with every order so that clients draw buttons from it, not from a copy.
 */
export function allowedActions(order: WorkOrder, actor: Actor): string[] {
  return Object.entries(ACTIONS)
    .filter(([, def]) => !def.internal && hasRole(actor, ...def.roles) && (!def.mainUnitOnly || isMainUnitOf(actor, order)))
    .filter(([, def]) => !def.may || def.may(order, actor))
    .filter(([, def]) => def.from.includes(order.status) && (def.available?.(order, actor) ?? true))
    .map(([name]) => name);
}

/** Checks role, unit, version and state, then returns the event the action yields. */
export async function decide(order: WorkOrder, action: string, body: Record<string, any>, ctx: ActionContext) {
  const def = ACTIONS[action]!;
  if (!hasRole(ctx.actor, ...def.roles)) throw forbidden('workorders.actionRequiresRole', { action, roles: def.roles });
  if (def.mainUnitOnly && !ctx.isMainUnit) throw forbidden('workorders.mainUnitOnly', { action });
  if (def.may && !def.may(order, ctx.actor)) throw forbidden('workorders.notYourStep', { action });
  if (body.version !== order.version) {
    throw conflict('version_conflict', 'workorders.versionConflict', { version: order.version, sent: body.version });
  }
  if (!def.from.includes(order.status)) {
    throw conflict('invalid_transition', 'workorders.invalidTransition', { status: order.status, action, from: def.from });
  }
  return def.decide(order, body, ctx);
}
