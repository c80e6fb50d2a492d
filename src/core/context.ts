// What every module is handed at start-up: the database, the configuration and the hooks
// that let modules react to order events. Below the modules; it imports only vocabularies.
import type { Database, Queryable } from '../db/database.js';
import type { OrderEvent, WorkOrder } from '../workorders/vocabulary.js';
import type { Actor } from './actor.js';
import { setting } from './config.js';

export { ROLES, hasRole, type Actor, type Role } from './actor.js';

export interface AppConfig {
  /** A login ends after this long without a request; each request extends it (seconds). */
  sessionIdleSeconds: number;
  /** A login ends this long after sign-in however active it is: the absolute cap (seconds). */
  sessionMaxSeconds: number;
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
  /** The time-limit job's interval in seconds; 0: not run periodically (tests, one-off CLI commands). */
  slaIntervalSeconds: number;
}

export const defaultConfig: AppConfig = {
  sessionIdleSeconds: 60 * setting('JIESU_SESSION_IDLE_MINUTES'),
  sessionMaxSeconds: 3600 * setting('JIESU_SESSION_MAX_HOURS'),
  timeZone: 'Asia/Shanghai',
  survey: {
    maxAttempts: setting('JIESU_SURVEY_MAX_ATTEMPTS'),
    retryAfterMinutes: setting('JIESU_SURVEY_RETRY_MINUTES'),
    reopenToSameUnit: setting('JIESU_REOPEN_TO_SAME_UNIT'),
  },
  slaIntervalSeconds: 0,
};

/**
 * Called inside the transaction that appends an event to a work order, after the
 * projection row is written. Modules (time limits, surveys, …) react here so their
 * writes commit or roll back together with the order.
 */
export type OrderEventListener = (q: Queryable, change: { order: WorkOrder; previous: WorkOrder | null; event: OrderEvent }) => Promise<void>;

/** Adds module data to the single-order view (e.g. the time-limit module's deadlines). */
export type OrderView = (q: Queryable, actor: Actor, order: WorkOrder) => Promise<Record<string, unknown>>;

export interface AppContext {
  db: Database;
  config: AppConfig;
  /** Listeners registered by modules at start-up. */
  orderListeners: OrderEventListener[];
  /** Views registered by modules at start-up (optional: contexts built for CLI jobs have none). */
  orderViews?: OrderView[];
  /**
   * The most specific area (community, sub-district or district unit) of a place, from its point
   * or its address; orders created without an area get theirs from it. Set by the areas module.
   */
  locateArea?: (q: Queryable, location: { address: string | null; lat: number | null; lng: number | null }) => Promise<number | null>;
}
