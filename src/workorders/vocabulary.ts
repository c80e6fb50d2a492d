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

/** A handler's reply waiting for the unit manager's approval (units that review replies). */
export interface PendingReply {
  content: string;
  resolved: boolean;
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
