// The demo city's units (districts, sub-districts, communities, bureaus, utilities) and its
// staff: users for every role, a handler and a manager in every unit that handles orders.
import type { Queryable } from '../db/database.js';
import type { Rng } from '../core/random.js';
import { hashPassword } from '../org/index.js';
import { personName } from './people.js';
import * as T from './taxonomy.js';
import type { DemoCity, DemoUnit } from './types.js';

export const DEMO_PASSWORD = 'jiesu-demo';

/** The units of the city (random sub-district names) and its staff, one password for all. */
export async function seedOrg(q: Queryable, rng: Rng): Promise<DemoCity> {
  const units: DemoUnit[] = [];
  const add = async (name: string, kind: string, parentId: number | null) => {
    const r = await q.query<{ id: number }>('INSERT INTO units (name, kind, parent_id) VALUES ($1, $2, $3) RETURNING id', [name, kind, parentId]);
    const u = { id: r.rows[0]!.id, name, kind, parentId };
    units.push(u);
    return u;
  };
  const root = await add('滨江市', 'city', null);
  const center = await add('滨江市12345政务服务便民热线中心', 'bureau', root.id);
  const districts: DemoUnit[] = [];
  const subdistrictsOf = new Map<number, DemoUnit[]>();
  const roots = [...T.SUBDISTRICT_ROOTS];
  for (const d of T.DISTRICTS) {
    const district = await add(d, 'district', root.id);
    districts.push(district);
    const subs: DemoUnit[] = [];
    for (let i = 0; i < 3; i++) {
      const name = roots.splice(rng.int(0, roots.length - 1), 1)[0]! + (d.endsWith('县') ? '镇' : '街道');
      const s = await add(name, 'subdistrict', district.id);
      subs.push(s);
      for (let c = 0; c < 3; c++) await add(`${name.slice(0, 2)}${T.COMMUNITY_ROOTS[(i * 3 + c) % T.COMMUNITY_ROOTS.length]}社区`, 'community', s.id);
    }
    subdistrictsOf.set(district.id, subs);
  }
  for (const b of T.BUREAUS) await add(b, 'bureau', root.id);
  for (const u of T.UTILITIES) await add(u, 'utility', root.id);
  const byName = new Map(units.map((u) => [u.name, u]));

  // Staff: one password hash for every demo user (hashing is deliberately slow).
  const hash = await hashPassword(DEMO_PASSWORD);
  const logins: DemoCity['logins'] = [];
  const usersByRole = new Map<string, number[]>();
  const handlersOf = new Map<number, number[]>();
  const user = async (username: string, displayName: string, unit: DemoUnit, roles: string[], listed = false) => {
    const r = await q.query<{ id: number }>(
      `INSERT INTO users (username, password_hash, display_name, unit_id, roles) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (username) DO UPDATE SET unit_id = EXCLUDED.unit_id RETURNING id`,
      [username, hash, displayName, unit.id, roles],
    );
    const id = r.rows[0]!.id;
    for (const role of roles) usersByRole.set(role, [...(usersByRole.get(role) ?? []), id]);
    if (roles.includes('handler')) handlersOf.set(unit.id, [...(handlersOf.get(unit.id) ?? []), id]);
    if (listed) logins.push({ username, displayName, roles, unit: unit.name });
    return id;
  };
  const person = () => personName(rng);
  await user('demo_admin', '演示管理员', center, ['admin'], true);
  for (let i = 1; i <= 12; i++) await user(`agent${i}`, `话务员${person()}`, center, ['agent'], i === 1);
  for (let i = 1; i <= 3; i++) await user(`dispatcher${i}`, `派单员${person()}`, center, ['dispatcher'], i === 1);
  for (let i = 1; i <= 4; i++) await user(`followup${i}`, `回访员${person()}`, center, ['followup'], i === 1);
  for (let i = 1; i <= 2; i++) await user(`supervisor${i}`, `督办员${person()}`, center, ['supervisor'], i === 1);
  let n = 0;
  for (const u of units) {
    if (u.kind === 'community' || u.kind === 'city' || u === center) continue;
    n++;
    const listed = u === districts[0] || u.name === '市住房和城乡建设局';
    await user(`unit${n}_handler`, `${u.name}经办人`, u, ['handler'], listed);
    await user(`unit${n}_manager`, `${u.name}负责人`, u, ['unit_manager'], listed);
  }
  // The first district has its manager approve replies (答复审核), so the demo shows that flow too.
  await q.query('UPDATE units SET manager_review = true WHERE id = $1', [districts[0]!.id]);
  return { units, byName, districts, subdistrictsOf, center, logins, usersByRole, handlersOf };
}
