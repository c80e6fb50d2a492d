// The authenticated staff member behind a request, and the roles that decide what it may do.
import type { Role } from '../org/vocabulary.js';
export { ROLES, type Role } from '../org/vocabulary.js';

/** The authenticated staff member behind a request. */
export interface Actor {
  id: number;
  username: string;
  unitId: number | null;
  roles: Role[];
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}
