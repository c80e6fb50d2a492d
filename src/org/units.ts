import type { Queryable } from '../db/database.js';
import { badRequest, notFound } from '../core/errors.js';

import type { UnitKind } from './vocabulary.js';
export { UNIT_KINDS, type UnitKind } from './vocabulary.js';

export interface Unit {
  id: number;
  name: string;
  kind: UnitKind;
  parentId: number | null;
  active: boolean;
  /** Its manager approves its handlers' replies (答复审核) and extension requests before they reach the center. */
  managerReview: boolean;
}

const COLUMNS = 'id, name, kind, parent_id AS "parentId", active, manager_review AS "managerReview"';

export async function createUnit(db: Queryable, input: { name: string; kind: UnitKind; parentId?: number | null }): Promise<Unit> {
  if (input.parentId != null) await getUnit(db, input.parentId, 'parentId');
  const { rows } = await db.query<Unit>(`INSERT INTO units (name, kind, parent_id) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`, [
    input.name,
    input.kind,
    input.parentId ?? null,
  ]);
  return rows[0]!;
}

/** The unit, or 404 (or 400 naming `field` when the id came inside a body). */
export async function getUnit(db: Queryable, id: number, field?: string): Promise<Unit> {
  const { rows } = await db.query<Unit>(`SELECT ${COLUMNS} FROM units WHERE id = $1`, [id]);
  if (!rows[0]) throw field ? badRequest('org.unitMissing', { id }, field) : notFound('unit', id);
  return rows[0];
}

export async function listUnits(db: Queryable, filter: { parentId?: number; kind?: string }): Promise<Unit[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.parentId !== undefined) where.push(`parent_id = $${params.push(filter.parentId)}`);
  if (filter.kind !== undefined) where.push(`kind = $${params.push(filter.kind)}`);
  const { rows } = await db.query<Unit>(`SELECT ${COLUMNS} FROM units ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id`, params);
  return rows;
}

export async function updateUnit(
  db: Queryable,
  id: number,
  patch: { name?: string; kind?: UnitKind; parentId?: number | null; active?: boolean; managerReview?: boolean },
): Promise<Unit> {
  await getUnit(db, id);
  if (patch.parentId != null) {
    await getUnit(db, patch.parentId, 'parentId');
    // A unit cannot move below itself.
    if ((await subtreeUnitIds(db, id)).includes(patch.parentId)) throw badRequest('org.unitUnderItself', {}, 'parentId');
  }
  if (patch.managerReview) {
    // Replies would wait for nobody.
    if (!(await unitManagerIds(db, id)).length) throw badRequest('org.noManager', {}, 'managerReview');
  }
  const { rows } = await db.query<Unit>(
    `UPDATE units SET
       name = COALESCE($2, name),
       kind = COALESCE($3, kind),
       parent_id = CASE WHEN $4::boolean THEN $5::int ELSE parent_id END,
       active = COALESCE($6, active),
       manager_review = COALESCE($7, manager_review),
       updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, patch.name ?? null, patch.kind ?? null, patch.parentId !== undefined, patch.parentId ?? null, patch.active ?? null, patch.managerReview ?? null],
  );
  return rows[0]!;
}

/** The unit and all units below it. */
export async function subtreeUnitIds(db: Queryable, rootId: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `WITH RECURSIVE t AS (SELECT id FROM units WHERE id = $1
                          UNION ALL SELECT u.id FROM units u JOIN t ON u.parent_id = t.id)
     SELECT id FROM t`,
    [rootId],
  );
  return rows.map((r) => r.id);
}

/** The active managers of a unit (who approve its replies and extension requests under manager review). */
export async function unitManagerIds(db: Queryable, unitId: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>("SELECT id FROM users WHERE unit_id = $1 AND active AND 'unit_manager' = ANY(roles) ORDER BY id", [unitId]);
  return rows.map((r) => r.id);
}
