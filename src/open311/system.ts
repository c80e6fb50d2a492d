// System users behind the external channels. `workorders.created_by` references users,
// so each channel (open311, portal) acts as a dedicated user that cannot log in.
import type { Queryable } from '../db/database.js';
import type { Actor, Role } from '../core/context.js';

const cache = new WeakMap<Queryable, Map<string, Promise<Actor>>>();

/** Finds or creates the system user `username` (no usable password) and returns it as an actor. */
export function systemActor(db: Queryable, username: string, displayName: string, roles: Role[] = []): Promise<Actor> {
  let byName = cache.get(db);
  if (!byName) cache.set(db, (byName = new Map()));
  let actor = byName.get(username);
  if (!actor) {
    actor = (async () => {
      // '!' is not an argon2 hash: verify() fails, so nobody can log in as this user.
      await db.query(
        `INSERT INTO users (username, password_hash, display_name, roles) VALUES ($1, '!', $2, '{}')
         ON CONFLICT (username) DO NOTHING`,
        [username, displayName],
      );
      const { rows } = await db.query<{ id: number }>('SELECT id FROM users WHERE username = $1', [username]);
      return { id: rows[0]!.id, username, unitId: null, roles };
    })();
    actor.catch(() => byName.delete(username));
    byName.set(username, actor);
  }
  return actor.then((a) => ({ ...a, roles }));
}
