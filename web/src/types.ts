// Shapes of the API's answers (see GET /api/v1/openapi.json).
// The vocabulary and the work order come from the server's own files (they import nothing).
export { ROLES, UNIT_KINDS, type Role, type UnitKind } from '../../src/org/vocabulary';
export {
  CLOSE_REASONS,
  ORDER_TYPES,
  PENDING,
  SATISFACTIONS,
  STATUSES,
  URGENCIES,
  type OrderType,
  type Pending,
  type Satisfaction,
  type Status,
  type Urgency,
  type WorkOrder,
} from '../../src/workorders/vocabulary';
import type { Role, UnitKind } from '../../src/org/vocabulary';

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
  kind: UnitKind;
  parentId: number | null;
  active: boolean;
  managerReview: boolean;
}

export interface OrderEvent {
  seq: number;
  type: string;
  actorId: number | null;
  /** The history's events name the user and their unit (absent on events built in the browser). */
  actorName?: string | null;
  actorUnit?: string | null;
  at: string;
  data: Record<string, any>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
