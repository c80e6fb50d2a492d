// Who may see which order: the one rule that the single-order read, the lists, search, the
// assistant, duplicates, hot topics and exports all apply.
import type { Queryable } from '../db/database.js';
import type { Actor } from '../core/context.js';
import { hasRole } from '../core/context.js';
import { notFound } from '../core/errors.js';
import { subtreeUnitIds } from '../org/index.js';

/** Roles that see every order (the center); the others see their unit's orders. */
export const CENTER_ROLES = ['agent', 'dispatcher', 'followup', 'supervisor', 'admin'] as const;

/** The unit ids whose orders the actor may see, or null for the whole city. */
export async function orderScope(q: Queryable, actor: Actor): Promise<number[] | null> {
  if (hasRole(actor, ...CENTER_ROLES)) return null;
  if (actor.unitId == null) return [];
  return hasRole(actor, 'unit_manager') ? subtreeUnitIds(q, actor.unitId) : [actor.unitId];
}

/**
 * Whether an order lies in the scope: its main unit, a co-unit, or a unit above the main unit
 * that passed it down (转派: the upper units keep seeing what they transferred).
 */
export function inScope(order: { mainUnitId: number | null; coUnitIds: number[]; transferChain?: { fromUnitId: number }[] }, scope: number[] | null): boolean {
  if (scope === null) return true;
  return (
    (order.mainUnitId != null && scope.includes(order.mainUnitId)) ||
    order.coUnitIds.some((u) => scope.includes(u)) ||
    (order.transferChain ?? []).some((t) => scope.includes(t.fromUnitId))
  );
}

/**
 * The same rule as SQL on an alias of `workorders`, with its parameter pushed onto params;
 * 'TRUE' for the center. `<> '{}'` lets the planner use the partial co-units and transfer
 * indexes (0090, 0100).
 */
export function scopeSql(scope: number[] | null, params: unknown[], alias = 'workorders'): string {
  if (scope === null) return 'TRUE';
  const p = params.push(scope);
  return (
    `(${alias}.main_unit_id = ANY($${p}::int[]) OR (${alias}.co_unit_ids && $${p}::int[] AND ${alias}.co_unit_ids <> '{}')` +
    ` OR (${alias}.transfer_unit_ids && $${p}::int[] AND ${alias}.transfer_unit_ids <> '{}'))`
  );
}

/**
 * The answer for an order the actor may not see is the answer for one that does not exist,
 * so that ids cannot be probed.
 */
export const orderNotFound = (id: number | string) => notFound('workorder', id);
