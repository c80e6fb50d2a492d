import type { Queryable } from '../db/database.js';
import { ROLES, type Role } from '../core/context.js';
import { badRequest, conflict, notFound } from '../core/errors.js';
import { forgetUser, hashPassword, revokeUserSessions } from './auth.js';
import { getUnit } from './units.js';
import { checkPasswordPolicy } from '../security/index.js';

export interface User {
  id: number;
  username: string;
  displayName: string;
  unitId: number | null;
  roles: Role[];
  active: boolean;
}

const COLUMNS = 'id, username, display_name AS "displayName", unit_id AS "unitId", roles, active';

// The policy (length, letters and digits) lives with the security module.
const checkPassword = (password: string) => checkPasswordPolicy(password);

function checkRoles(roles: string[]): Role[] {
  for (const r of roles) if (!(ROLES as readonly string[]).includes(r)) throw badRequest('org.unknownRole', { value: r }, 'roles');
  return [...new Set(roles)] as Role[];
}

export async function createUser(
  db: Queryable,
  input: { username: string; password: string; displayName: string; unitId?: number | null; roles: string[] },
): Promise<User> {
  checkPassword(input.password);
  const roles = checkRoles(input.roles);
  if (input.unitId != null) await getUnit(db, input.unitId, 'unitId');
  const exists = await db.query('SELECT 1 FROM users WHERE username = $1', [input.username]);
  if (exists.rowCount > 0) throw conflict('username_taken', 'org.usernameTaken', { username: input.username });
  const { rows } = await db.query<User>(
    `INSERT INTO users (username, password_hash, display_name, unit_id, roles)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [input.username, await hashPassword(input.password), input.displayName, input.unitId ?? null, roles],
  );
  return rows[0]!;
}

export async function getUser(db: Queryable, id: number): Promise<User> {
  const { rows } = await db.query<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound('user', id);
  return rows[0];
}

export async function listUsers(db: Queryable, filter: { unitId?: number; role?: string }): Promise<User[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.unitId !== undefined) where.push(`unit_id = $${params.push(filter.unitId)}`);
  if (filter.role !== undefined) where.push(`$${params.push(filter.role)} = ANY(roles)`);
  const { rows } = await db.query<User>(`SELECT ${COLUMNS} FROM users ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id`, params);
  return rows;
}

export async function updateUser(
  db: Queryable,
  id: number,
  patch: { password?: string; displayName?: string; unitId?: number | null; roles?: string[]; active?: boolean },
): Promise<User> {
  await getUser(db, id);
  if (patch.password !== undefined) checkPassword(patch.password);
  const roles = patch.roles ? checkRoles(patch.roles) : null;
  if (patch.unitId != null) await getUnit(db, patch.unitId, 'unitId');
  const { rows } = await db.query<User>(
    `UPDATE users SET
       password_hash = COALESCE($2, password_hash),
       display_name = COALESCE($3, display_name),
       unit_id = CASE WHEN $4::boolean THEN $5::int ELSE unit_id END,
       roles = COALESCE($6, roles),
       active = COALESCE($7, active),
       updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [
      id,
      patch.password !== undefined ? await hashPassword(patch.password) : null,
      patch.displayName ?? null,
      patch.unitId !== undefined,
      patch.unitId ?? null,
      roles,
      patch.active ?? null,
    ],
  );
  // A deactivated user or a new password ends every open session.
  if (patch.active === false || patch.password !== undefined) await revokeUserSessions(db, id);
  forgetUser(id); // cached sessions (src/org/auth.ts) see the change at once on this node
  return rows[0]!;
}
