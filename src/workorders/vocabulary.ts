// The words of a work order: its kinds, states and shape as the API shows it. No imports, so
// the web app shares this file with the server instead of keeping a copy (web/src/types.ts).
export const ORDER_TYPES = ['consultation', 'request', 'complaint', 'report', 'suggestion', 'praise'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];
export const URGENCIES = ['normal', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];
export const STATUSES = ['new', 'dispatched', 'accepted', 'returned', 'replied', 'reopened', 'closed'] as const;
export type Status = (typeof STATUSES)[number];
export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Satisfaction = (typeof SATISFACTIONS)[number];
/** Reasons the center gives when it closes a new order itself. */
export const CLOSE_REASONS = ['answered', 'invalid', 'duplicate'] as const;
/** …plus `unreachable`: the follow-up never reached the citizen after the allowed attempts. */
export type CloseReason = (typeof CLOSE_REASONS)[number] | 'unreachable';

/**
 * The steps an order may wait on, for the list's `pending` filter: a lower unit to sign, the upper
 * unit's review of a reply, co-units' parts, the center on a suspension request, a running
 * suspension, a dispatcher on a return, a supervisor's final ruling.
 */
export const PENDING = ['transfer-sign', 'transfer-review', 'co-reply', 'suspension', 'suspended', 'return-review', 'final-ruling'] as const;
export type Pending = (typeof PENDING)[number];

export interface Location {
  address: string | null;
  districtUnitId: number | null;
  lat: number | null;
  lng: number | null;
}

export interface Citizen {
  name: string | null;
  phone: string | null;
}

export interface PendingExtension {
  days: number;
  reason: string;
  requestedBy: number | null;
  requestedAt: string;
  /** Backed by the unit's manager; false while it waits for them (units with manager review). */
  endorsed: boolean;
}

/**
 * A reply waiting for review: the unit manager's (`stage: 'unit'`, units that review replies), or
 * the unit above's after a transfer down (`stage: 'upper'`, reviewed by `reviewUnitId`).
 * Replies stored before transfers had no stage: they were the unit's own review.
 */
export interface PendingReply {
  content: string;
  resolved: boolean;
  by: number | null;
  at: string;
  stage?: 'unit' | 'upper';
  reviewUnitId?: number | null;
}

/** One step down the tree (转派): `fromUnitId` passed the order to `unitId`, which must sign. */
export interface TransferStep {
  fromUnitId: number;
  unitId: number;
  by: number | null;
  at: string;
  note: string | null;
  /** The upper unit's own deadline for the lower one (the center's deadlines keep running). */
  internalDueAt: string | null;
  /** When the receiving unit signed; null while it must still sign. */
  signedAt: string | null;
  /** The upper unit's named handler, given back to it when the order comes back up. */
  upperAssigneeId: number | null;
}

/** A co-unit's part (协办答复), timed against the order's reply deadline. */
export interface CoReply {
  unitId: number;
  content: string;
  by: number | null;
  at: string;
  /** The reply deadline when the part came, or null when the order had none. */
  dueAt: string | null;
  onTime: boolean | null;
}

/** A unit's request to stop the clock (挂起), waiting for the center. */
export interface PendingSuspension {
  reason: string;
  workingDays: number;
  requestedBy: number | null;
  requestedAt: string;
}

/** The clock stopped by the center's approval: until `endsAt` or an earlier resume. */
export interface Suspension {
  reason: string;
  workingDays: number;
  requestedBy: number | null;
  approvedBy: number | null;
  startedAt: string;
  endsAt: string;
}

/** A return to the center waiting for a dispatcher (退单审核). */
export interface PendingReturn {
  reason: string;
  unitId: number | null;
  by: number | null;
  at: string;
}

export interface Reply {
  content: string;
  resolved: boolean;
  by: number | null;
  at: string;
}

export interface Survey {
  satisfaction: Satisfaction;
  resolved: boolean;
  note: string | null;
  by: number | null;
  at: string;
}

/** One step in an order's history (workorder_events); the order is the fold of its events. */
export interface OrderEvent {
  type: string;
  at: string;
  actorId: number | null;
  data: Record<string, any>;
}

export interface WorkOrder {
  id: number;
  /** Sent to each reader, never stored: the actions this reader may take now (lifecycle.ts allowedActions). */
  allowedActions?: string[];
  number: string;
  type: OrderType;
  title: string;
  content: string;
  categoryCode: string | null;
  urgency: Urgency;
  status: Status;
  location: Location | null;
  citizen: Citizen | null;
  contactId: number | null;
  mainUnitId: number | null;
  coUnitIds: number[];
  /** The transfers down from the unit the center dispatched to, top first; empty when that unit holds the order. */
  transferChain: TransferStep[];
  /** The upper unit's deadline for the unit holding the order (the last transfer's), shown apart from the center's. */
  internalDueAt: string | null;
  /** The holding unit's named handler (assign). */
  assigneeId: number | null;
  /** The co-units' parts of this dispatch. */
  coReplies: CoReply[];
  pendingSuspension: PendingSuspension | null;
  /** The clock is stopped (挂起): `suspension` says why and until when. */
  suspended: boolean;
  suspension: Suspension | null;
  pendingReturn: PendingReturn | null;
  /** Returned twice under return review: a supervisor names the responsible unit (终审). */
  awaitingRuling: boolean;
  /** The unit a final ruling named; it cannot return the order. */
  finalUnitId: number | null;
  pendingExtension: PendingExtension | null;
  pendingReply: PendingReply | null;
  extensionDays: number;
  reply: Reply | null;
  survey: Survey | null;
  /** Follow-up calls that did not reach the citizen since the last reply. */
  surveyAttempts: number;
  lastSurveyAttemptAt: string | null;
  closeReason: CloseReason | null;
  duplicateOf: number | null;
  dispatchCount: number;
  returnCount: number;
  reopenCount: number;
  supervisionCount: number;
  version: number;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
  dispatchedAt: string | null;
  signedAt: string | null;
  repliedAt: string | null;
  closedAt: string | null;
}
