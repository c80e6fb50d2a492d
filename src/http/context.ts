import type { Database, Queryable } from '../db/database.js';
import type { OrderEvent } from '../workorders/lifecycle.js';
import type { WorkOrder } from '../workorders/model.js';

import type { Role } from '../org/vocabulary.js';
export { ROLES, type Role } from '../org/vocabulary.js';

/** The authenticated staff member behind a request. */
export interface Actor {
  id: number;
  username: string;
  unitId: number | null;
  roles: Role[];
}

export interface AppConfig {
  /** How long a login token lives, in seconds. */
  tokenTtlSeconds: number;
  /** IANA time zone of the city (order numbers, working calendar). */
  timeZone: string;
  survey: {
    /** Follow-up calls that may fail before the order closes as unreachable. */
    maxAttempts: number;
    /** Minutes to wait between two follow-up calls. */
    retryAfterMinutes: number;
    /** An unsatisfied or unresolved survey dispatches the order back to the same unit at once. */
    reopenToSameUnit: boolean;
  };
}

export const defaultConfig: AppConfig = {
  tokenTtlSeconds: 12 * 3600,
  timeZone: 'Asia/Shanghai',
  survey: {
    maxAttempts: Number(process.env.JIESU_SURVEY_MAX_ATTEMPTS ?? 3),
    retryAfterMinutes: Number(process.env.JIESU_SURVEY_RETRY_MINUTES ?? 120),
    reopenToSameUnit: process.env.JIESU_REOPEN_TO_SAME_UNIT !== 'false',
  },
};

/**
 * Called inside the transaction that appends an event to a work order, after the
 * projection row is written. Modules (time limits, surveys, …) react here so their
 * writes commit or roll back together with the order.
 */
export type OrderEventListener = (
  q: Queryable,
  change: { order: WorkOrder; previous: WorkOrder | null; event: OrderEvent },
) => Promise<void>;

/** Adds module data to the single-order view (e.g. the time-limit module's deadlines). */
export type OrderView = (q: Queryable, actor: Actor, order: WorkOrder) => Promise<Record<string, unknown>>;

export interface AppContext {
  db: Database;
  config: AppConfig;
  /** Listeners registered by modules at start-up. */
  orderListeners: OrderEventListener[];
  /** Views registered by modules at start-up (optional: contexts built for CLI jobs have none). */
  orderViews?: OrderView[];
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}
