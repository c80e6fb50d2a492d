// The work-order state machine. An action checks who may do what in which state and
// yields one event; `applyEvent` folds events into the order. The stored order is
// always `events.reduce(applyEvent)`, which a test checks.
import type { Actor, Role } from '../core/context.js';
import { hasRole } from '../core/context.js';
import { badRequest, conflict, forbidden } from '../core/errors.js';
import type { CloseReason, OrderEvent, Satisfaction, Status, WorkOrder } from './model.js';

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
      o.pendingReply = { content: d.content, resolved: d.resolved, by: ev.actorId, at: ev.at };
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
    case 'unmerged':
      // A merge undone (src/duplicates): the order closed as a duplicate is new again.
      o.status = 'new';
      o.closeReason = null;
      o.duplicateOf = null;
      o.closedAt = null;
      return o;
    default:
      throw new Error(`unknown event ${ev.type}`);
  }
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
}

interface ActionDef {
  roles: Role[];
  from: readonly Status[];
  /** Only users of the order's main unit may act. */
  mainUnitOnly?: boolean;
  /** What else the order must hold (a waiting reply, no pending request, …); decide() refuses otherwise. */
  available?: (order: WorkOrder) => boolean;
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
  reply: (b: { content: string; resolved: boolean }, review: boolean): Decided => ({
    type: review ? 'reply_submitted' : 'replied',
    data: { content: b.content, resolved: b.resolved },
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
    async decide(_o, b, ctx) {
      if (!(await ctx.unitExists(b.unitId))) throw badRequest('org.unitMissing', { id: b.unitId }, 'unitId');
      const coUnitIds: number[] = [...new Set<number>(b.coUnitIds ?? [])];
      if (coUnitIds.includes(b.unitId)) throw badRequest('workorders.mainIsCoUnit', {}, 'coUnitIds');
      for (const id of coUnitIds) if (!(await ctx.unitExists(id))) throw badRequest('org.unitMissing', { id }, 'coUnitIds');
      return EVENTS.dispatched({ unitId: b.unitId, coUnitIds, note: b.note });
    },
  },
  sign: {
    roles: ['handler', 'unit_manager'],
    from: ['dispatched'],
    mainUnitOnly: true,
    decide: () => EVENTS.signed(),
  },
  return: {
    roles: ['handler', 'unit_manager'],
    from: ['dispatched', 'accepted'],
    mainUnitOnly: true,
    decide: (_o, b) => EVENTS.returned({ reason: b.reason }),
  },
  'request-extension': {
    roles: ['handler', 'unit_manager'],
    from: ['accepted'],
    mainUnitOnly: true,
    available: (o) => !o.pendingExtension,
    async decide(o, b, ctx) {
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
  reply: {
    roles: ['handler', 'unit_manager'],
    from: ['accepted'],
    mainUnitOnly: true,
    available: (o) => !o.pendingReply,
    async decide(o, b, ctx) {
      if (o.pendingReply) throw conflict('invalid_transition', 'workorders.replyPending');
      const review = !hasRole(ctx.actor, 'unit_manager') && (await ctx.managerReviews(o.mainUnitId!));
      return EVENTS.reply({ content: b.content, resolved: b.resolved }, review);
    },
  },
  // The manager sends the waiting reply out, as written or amended.
  'approve-reply': {
    roles: ['unit_manager'],
    from: ['accepted'],
    mainUnitOnly: true,
    available: (o) => !!o.pendingReply,
    decide(o, b) {
      const draft = waitingReply(o);
      const content = b.content ?? draft.content;
      const resolved = b.resolved ?? draft.resolved;
      return { type: 'replied', data: { content, resolved, submittedBy: draft.by, amended: content !== draft.content || resolved !== draft.resolved } };
    },
  },
  // …or sends it back to the handler with what to change.
  'reject-reply': {
    roles: ['unit_manager'],
    from: ['accepted'],
    mainUnitOnly: true,
    available: (o) => !!o.pendingReply,
    decide(o, b) {
      waitingReply(o);
      return { type: 'reply_rejected', data: { reason: b.reason } };
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
};

const isMainUnitOf = (actor: Actor, o: WorkOrder) => actor.unitId != null && actor.unitId === o.mainUnitId;

/**
 * The actions this actor may take on the order as it stands: role, main unit, state and the
 * order's own preconditions, exactly what decide() checks before it reads the body. The
 * server sends it with every order so that clients draw buttons from it, not from a copy.
 */
export function allowedActions(order: WorkOrder, actor: Actor): string[] {
  return Object.entries(ACTIONS)
    .filter(([, def]) => !def.internal && hasRole(actor, ...def.roles) && (!def.mainUnitOnly || isMainUnitOf(actor, order)))
    .filter(([, def]) => def.from.includes(order.status) && (def.available?.(order) ?? true))
    .map(([name]) => name);
}

/** Checks role, unit, version and state, then returns the event the action yields. */
export async function decide(order: WorkOrder, action: string, body: Record<string, any>, ctx: ActionContext) {
  const def = ACTIONS[action]!;
  if (!hasRole(ctx.actor, ...def.roles)) throw forbidden('workorders.actionRequiresRole', { action, roles: def.roles });
  if (def.mainUnitOnly && !ctx.isMainUnit) throw forbidden('workorders.mainUnitOnly', { action });
  if (body.version !== order.version) {
    throw conflict('version_conflict', 'workorders.versionConflict', { version: order.version, sent: body.version });
  }
  if (!def.from.includes(order.status)) {
    throw conflict('invalid_transition', 'workorders.invalidTransition', { status: order.status, action, from: def.from });
  }
  return def.decide(order, body, ctx);
}
