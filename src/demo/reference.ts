// The demo city's reference data: its category tree (taxonomy.ts) with codes, and the
// responsibility list, who handles which category where.
import type { Database } from '../db/database.js';
import { syncServicesFromCategories } from '../open311/index.js';
import * as T from './taxonomy.js';
import type { DemoCity } from './types.js';

/** A third-level category with its code, its path, who handles it and how often it comes. */
export interface Leaf {
  code: string;
  path: string[];
  l3: T.Level3;
  owner: T.Owner;
  weight: number;
}

/** The flattened category tree with codes 01 / 0101 / 010101. */
export function demoCategories(): { code: string; name: string; parentCode: string | null }[] {
  const out: { code: string; name: string; parentCode: string | null }[] = [];
  T.TAXONOMY.forEach((a, i) => {
    const c1 = String(i + 1).padStart(2, '0');
    out.push({ code: c1, name: a.name, parentCode: null });
    a.children.forEach((b, j) => {
      const c2 = c1 + String(j + 1).padStart(2, '0');
      out.push({ code: c2, name: b.name, parentCode: c1 });
      b.items.forEach((c, k) => out.push({ code: c2 + String(k + 1).padStart(2, '0'), name: c.name, parentCode: c2 }));
    });
  });
  return out;
}

/** The leaf categories, with their weight in the order stream. */
export function leaves(): Leaf[] {
  const out: Leaf[] = [];
  T.TAXONOMY.forEach((a, i) =>
    a.children.forEach((b, j) =>
      b.items.forEach((c, k) =>
        out.push({
          code: [i + 1, j + 1, k + 1].map((x) => String(x).padStart(2, '0')).join(''),
          path: [a.name, b.name, c.name],
          l3: c,
          owner: c.owner ?? b.owner ?? a.owner,
          weight: a.weight / a.children.length / b.items.length,
        }),
      ),
    ),
  );
  return out;
}

/** Categories 01 / 0101 / 010101 and the responsibility list: who handles which category where. */
export async function seedReference(db: Database, city: DemoCity) {
  await db.tx(async (q) => {
    const ids = new Map<string, number>();
    for (const c of demoCategories()) {
      const r = await q.query<{ id: number }>('INSERT INTO categories (code, name, parent_id, level) VALUES ($1, $2, $3, $4) RETURNING id', [
        c.code,
        c.name,
        c.parentCode ? ids.get(c.parentCode)! : null,
        c.code.length / 2,
      ]);
      ids.set(c.code, r.rows[0]!.id);
    }
    const rule = (code: string, area: number | null, unit: number, note: string) =>
      q.query('INSERT INTO dispatch_rules (category_id, area_unit_id, main_unit_id, note) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
        ids.get(code)!,
        area,
        unit,
        note,
      ]);
    const own = async (code: string, owner: T.Owner, name: string) => {
      if (owner === 'district' || owner === 'subdistrict') {
        // Handled where it happens: each district for its own territory.
        for (const d of city.districts) await rule(code, d.id, d.id, `${name}：属地管理`);
      } else {
        await rule(code, null, city.byName.get(owner)!.id, `${name}：${owner}`);
      }
    };
    for (const [i, a] of T.TAXONOMY.entries()) {
      const c1 = String(i + 1).padStart(2, '0');
      await own(c1, a.owner, a.name);
      for (const [j, b] of a.children.entries()) {
        const c2 = c1 + String(j + 1).padStart(2, '0');
        if (b.owner) await own(c2, b.owner, b.name);
        for (const [k, c] of b.items.entries()) if (c.owner) await own(c2 + String(k + 1).padStart(2, '0'), c.owner, c.name);
      }
    }
    // The Open311 service list follows the category tree.
    await syncServicesFromCategories(q);
  });
}
