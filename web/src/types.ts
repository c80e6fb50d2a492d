// Shapes of the API's answers (see GET /api/v1/openapi.json).
export const ROLES = ['agent', 'dispatcher', 'handler', 'unit_manager', 'followup', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const ORDER_TYPES = ['consultation', 'request', 'complaint', 'report', 'suggestion', 'praise'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];
export const STATUSES = ['new', 'dispatched', 'accepted', 'returned', 'replied', 'reopened', 'closed'] as const;
export type Status = (typeof STATUSES)[number];
export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export const UNIT_KINDS = ['city', 'district', 'subdistrict', 'community', 'bureau', 'utility'] as const;
export const CLOSE_REASONS = ['answered', 'invalid', 'duplicate'] as const;

export interface User {
  id: number;
  username: string;
  displayName: string;
  unitId: number | null;
  roles: Role[];
  active: boolean;
}

export interface Unit {
  id: number;
  name: string;
  kind: (typeof UNIT_KINDS)[number];
  parentId: number | null;
  active: boolean;
}

export interface WorkOrder {
  id: number;
  number: string;
  type: OrderType;
  title: string;
  content: string;
  categoryCode: string | null;
  urgency: 'normal' | 'urgent';
  status: Status;
  location: { address: string | null; districtUnitId: number | null; lat: number | null; lng: number | null } | null;
  citizen: { name: string | null; phone: string | null } | null;
  mainUnitId: number | null;
  coUnitIds: number[];
  pendingExtension: { days: number; reason: string; requestedBy: number | null; requestedAt: string } | null;
  extensionDays: number;
  reply: { content: string; resolved: boolean; by: number | null; at: string } | null;
  survey: { satisfaction: string; resolved: boolean; note: string | null; by: number | null; at: string } | null;
  closeReason: string | null;
  duplicateOf: number | null;
  dispatchCount: number;
  returnCount: number;
  reopenCount: number;
  supervisionCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  dispatchedAt: string | null;
  signedAt: string | null;
  repliedAt: string | null;
  closedAt: string | null;
}

export interface OrderEvent {
  seq: number;
  type: string;
  actorId: number | null;
  at: string;
  data: Record<string, any>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
