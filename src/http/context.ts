import type { Database } from '../db/database.js';

export const ROLES = ['agent', 'dispatcher', 'handler', 'unit_manager', 'followup', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

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
}

export const defaultConfig: AppConfig = {
  tokenTtlSeconds: 12 * 3600,
  timeZone: 'Asia/Shanghai',
};

export interface AppContext {
  db: Database;
  config: AppConfig;
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}
