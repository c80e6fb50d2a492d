// The category tree (事项分类, three levels) and the responsibility list (权责清单):
// rules category × area → main unit (+ co-units); the most specific rule decides.
import { parse } from 'csv-parse/sync';
import type { Queryable } from '../db/database.js';
import { badRequest, conflict, notFound } from '../core/errors.js';

export interface Category {
  id: number;
  code: string;
  name: string;
  parentCode: string | null;
  level: number;
  active: boolean;
}

const CAT_COLS = `c.id, c.code, c.name, p.code AS "parentCode", c.level, c.active`;
const CAT_FROM = `categories c LEFT JOIN categories p ON p.id = c.parent_id`;

export async function getCategory(q: Queryable, code: string, field?: string): Promise<Category> {
  const { rows } = await q.query<Category>(`SELECT ${CAT_COLS} FROM ${CAT_FROM} WHERE c.code = $1`, [code]);
  if (!rows[0]) throw field ? badRequest('dispatch.categoryMissing', { code }, field) : notFound('category', code);
  return rows[0];
}

export async function listCategories(q: Queryable, f: { parentCode?: string; level?: number }): Promise<Category[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.parentCode !== undefined) where.push(`p.code = $${params.push(f.parentCode)}`);
  if (f.level !== undefined) where.push(`c.level = $${params.push(f.level)}`);
  const { rows } = await q.query<Category>(`SELECT ${CAT_COLS} FROM ${CAT_FROM} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY c.code`, params);
  return rows;
}

export async function createCategory(q: Queryable, input: { code: string; name: string; parentCode?: string | null }): Promise<Category> {
  let parent: Category | null = null;
  if (input.parentCode) {
    parent = await getCategory(q, input.parentCode, 'parentCode');
    if (parent.level >= 3) throw badRequest('dispatch.threeLevels', {}, 'parentCode');
  }
  if ((await q.query('SELECT 1 FROM categories WHERE code = $1', [input.code])).rowCount) {
    throw conflict('conflict', 'dispatch.codeExists', { code: input.code });
  }
  await assertFreeName(q, parent?.id ?? null, input.name);
  await q.query('INSERT INTO categories (code, name, parent_id, level) VALUES ($1, $2, $3, $4)', [
    input.code,
    input.name.trim(),
    parent?.id ?? null,
    parent ? parent.level + 1 : 1,
  ]);
  return getCategory(q, input.code);
}

async function assertFreeName(q: Queryable, parentId: number | null, name: string, exceptCode?: string) {
  const { rowCount } = await q.query('SELECT 1 FROM categories WHERE COALESCE(parent_id, 0) = $1 AND name = $2 AND code <> $3', [
    parentId ?? 0,
    name.trim(),
    exceptCode ?? '',
  ]);
  if (rowCount) throw conflict('conflict', 'dispatch.siblingName', { name });
}

/** Renames or (de)activates a category; the code and the place in the tree stay. */
export async function updateCategory(q: Queryable, code: string, patch: { name?: string; active?: boolean }): Promise<Category> {
  const cur = await getCategory(q, code);
  if (patch.name !== undefined) {
    const { rows } = await q.query<{ parent_id: number | null }>('SELECT parent_id FROM categories WHERE code = $1', [code]);
    await assertFreeName(q, rows[0]!.parent_id, patch.name, code);
  }
  await q.query('UPDATE categories SET name = COALESCE($2, name), active = COALESCE($3, active), updated_at = now() WHERE code = $1', [
    cur.code,
    patch.name?.trim() ?? null,
    patch.active ?? null,
  ]);
  return getCategory(q, code);
}

function parseCsv(text: string): string[][] {
  try {
    const rows: string[][] = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, trim: true });
    return rows.filter((r) => r.some((c) => c !== ''));
  } catch (e) {
    throw badRequest('http.csvInvalid', { detail: (e as Error).message }, 'csv');
  }
}

/**
 * Imports `level1,level2,level3` rows (names; a header row is skipped). Missing categories are
 * created with codes built from the parent's code and a two-digit sequence (01, 0101, 010101);
 * existing ones are reused, so importing twice changes nothing.
 */
export async function importCategories(q: Queryable, csv: string): Promise<{ created: number; existing: number; rows: number }> {
  const rows = parseCsv(csv);
  if (rows[0] && /^level ?1$/i.test(rows[0][0] ?? '')) rows.shift();
  let created = 0;
  let existing = 0;
  for (const [i, row] of rows.entries()) {
    const names = row.slice(0, 3);
    if (names[0] === '' || names.some((n, k) => n === '' && names.slice(k + 1).some((m) => m !== ''))) {
      throw badRequest('dispatch.csvLevelEmpty', { row: i + 1 }, 'csv');
    }
    let parent: { id: number; code: string; level: number } | null = null;
    for (const name of names.filter((n) => n !== '')) {
      if (name.length > 200) throw badRequest('dispatch.csvNameTooLong', { row: i + 1 }, 'csv');
      const found: { rows: { id: number; code: string; level: number }[] } = await q.query<{ id: number; code: string; level: number }>(
        'SELECT id, code, level FROM categories WHERE COALESCE(parent_id, 0) = $1 AND name = $2',
        [parent?.id ?? 0, name],
      );
      if (found.rows[0]) {
        parent = found.rows[0];
        existing++;
        continue;
      }
      const code = await nextCode(q, parent);
      const ins: { rows: { id: number; code: string; level: number }[] } = await q.query<{ id: number; code: string; level: number }>(
        'INSERT INTO categories (code, name, parent_id, level) VALUES ($1, $2, $3, $4) RETURNING id, code, level',
        [code, name, parent?.id ?? null, parent ? parent.level + 1 : 1],
      );
      parent = ins.rows[0]!;
      created++;
    }
  }
  return { created, existing, rows: rows.length };
}

async function nextCode(q: Queryable, parent: { id: number; code: string } | null): Promise<string> {
  const prefix = parent?.code ?? '';
  const { rows } = await q.query<{ code: string }>('SELECT code FROM categories WHERE COALESCE(parent_id, 0) = $1', [parent?.id ?? 0]);
  let n = 1;
  const taken = new Set(rows.map((r) => r.code));
  for (;;) {
    const code = prefix + String(n).padStart(2, '0');
    if (!taken.has(code) && !(await q.query('SELECT 1 FROM categories WHERE code = $1', [code])).rowCount) return code;
    n++;
  }
}

// ---------- responsibility list ----------

export interface Rule {
  id: number;
  categoryCode: string;
  areaUnitId: number | null;
  mainUnitId: number;
  coUnitIds: number[];
  note: string | null;
  active: boolean;
}

const RULE_SELECT = `SELECT r.id, c.code AS "categoryCode", r.area_unit_id AS "areaUnitId", r.main_unit_id AS "mainUnitId",
  r.co_unit_ids AS "coUnitIds", r.note, r.active FROM dispatch_rules r JOIN categories c ON c.id = r.category_id`;

export interface RuleInput {
  categoryCode: string;
  areaUnitId?: number | null;
  mainUnitId: number;
  coUnitIds?: number[];
  note?: string | null;
}

async function assertUnit(q: Queryable, id: number, field: string) {
  if (!(await q.query('SELECT 1 FROM units WHERE id = $1', [id])).rowCount) throw badRequest('org.unitMissing', { id }, field);
}

async function checkRule(q: Queryable, r: { areaUnitId?: number | null; mainUnitId: number; coUnitIds?: number[] }) {
  if (r.areaUnitId != null) await assertUnit(q, r.areaUnitId, 'areaUnitId');
  await assertUnit(q, r.mainUnitId, 'mainUnitId');
  const co = [...new Set(r.coUnitIds ?? [])];
  if (co.includes(r.mainUnitId)) throw badRequest('workorders.mainIsCoUnit', {}, 'coUnitIds');
  for (const u of co) await assertUnit(q, u, 'coUnitIds');
  return co;
}

export async function getRule(q: Queryable, id: number): Promise<Rule> {
  const { rows } = await q.query<Rule>(`${RULE_SELECT} WHERE r.id = $1`, [id]);
  if (!rows[0]) throw notFound('rule', id);
  return rows[0];
}

export async function createRule(q: Queryable, input: RuleInput): Promise<Rule> {
  const cat = await q.query<{ id: number }>('SELECT id FROM categories WHERE code = $1', [input.categoryCode]);
  if (!cat.rows[0]) throw badRequest('dispatch.categoryMissing', { code: input.categoryCode }, 'categoryCode');
  const co = await checkRule(q, input);
  const dup = await q.query('SELECT 1 FROM dispatch_rules WHERE category_id = $1 AND COALESCE(area_unit_id, 0) = $2', [cat.rows[0].id, input.areaUnitId ?? 0]);
  if (dup.rowCount) throw conflict('conflict', 'dispatch.ruleExists');
  const { rows } = await q.query<{ id: number }>(
    'INSERT INTO dispatch_rules (category_id, area_unit_id, main_unit_id, co_unit_ids, note) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [cat.rows[0].id, input.areaUnitId ?? null, input.mainUnitId, co, input.note ?? null],
  );
  return getRule(q, rows[0]!.id);
}

export async function updateRule(
  q: Queryable,
  id: number,
  patch: { mainUnitId?: number; coUnitIds?: number[]; note?: string | null; active?: boolean },
): Promise<Rule> {
  const cur = await getRule(q, id);
  const co = await checkRule(q, { areaUnitId: null, mainUnitId: patch.mainUnitId ?? cur.mainUnitId, coUnitIds: patch.coUnitIds ?? cur.coUnitIds });
  await q.query(`UPDATE dispatch_rules SET main_unit_id = $2, co_unit_ids = $3, note = $4, active = $5, updated_at = now() WHERE id = $1`, [
    id,
    patch.mainUnitId ?? cur.mainUnitId,
    co,
    patch.note !== undefined ? patch.note : cur.note,
    patch.active ?? cur.active,
  ]);
  return getRule(q, id);
}

export async function listRules(q: Queryable, f: { categoryCode?: string; areaUnitId?: number; mainUnitId?: number }): Promise<Rule[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.categoryCode !== undefined) where.push(`c.code = $${params.push(f.categoryCode)}`);
  if (f.areaUnitId !== undefined) where.push(`r.area_unit_id = $${params.push(f.areaUnitId)}`);
  if (f.mainUnitId !== undefined) where.push(`r.main_unit_id = $${params.push(f.mainUnitId)}`);
  const { rows } = await q.query<Rule>(`${RULE_SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY r.id`, params);
  return rows;
}

/** A unit named in CSV: its numeric id, or its exact name when that is unique. */
async function resolveUnit(q: Queryable, ref: string, where: number): Promise<number> {
  if (/^\d+$/.test(ref)) {
    if ((await q.query('SELECT 1 FROM units WHERE id = $1', [Number(ref)])).rowCount) return Number(ref);
  }
  const { rows } = await q.query<{ id: number }>('SELECT id FROM units WHERE name = $1', [ref]);
  if (rows.length !== 1) {
    throw badRequest(rows.length ? 'dispatch.csvUnitAmbiguous' : 'dispatch.csvUnitMissing', { row: where, unit: ref }, 'csv');
  }
  return rows[0]!.id;
}

/**
 * Imports rules from CSV `category,area,mainUnit,coUnits` (header optional): category is a code,
 * area empty for the whole city, units by id or unique name, co-units separated by `;` or `|`.
 * A rule for the same category and area is replaced. All or nothing (run it in a transaction).
 */
export async function importRules(q: Queryable, csv: string): Promise<{ created: number; updated: number }> {
  const rows = parseCsv(csv);
  if (rows[0] && /^category/i.test(rows[0][0] ?? '')) rows.shift();
  let created = 0;
  let updated = 0;
  for (const [i, row] of rows.entries()) {
    const where = i + 1;
    const [categoryCode = '', area = '', main = '', co = ''] = row;
    const cat = await q.query<{ id: number }>('SELECT id FROM categories WHERE code = $1', [categoryCode]);
    if (!cat.rows[0]) throw badRequest('dispatch.csvCategoryMissing', { row: where, code: categoryCode }, 'csv');
    if (!main) throw badRequest('dispatch.csvMainMissing', { row: where }, 'csv');
    const areaUnitId = area ? await resolveUnit(q, area, where) : null;
    const mainUnitId = await resolveUnit(q, main, where);
    const coUnitIds: number[] = [];
    for (const ref of co
      .split(/[;|；]/)
      .map((s) => s.trim())
      .filter(Boolean))
      coUnitIds.push(await resolveUnit(q, ref, where));
    if (coUnitIds.includes(mainUnitId)) throw badRequest('dispatch.csvMainIsCo', { row: where }, 'csv');
    const r = await q.query(
      `UPDATE dispatch_rules SET main_unit_id = $3, co_unit_ids = $4, active = true, updated_at = now()
       WHERE category_id = $1 AND COALESCE(area_unit_id, 0) = $2`,
      [cat.rows[0].id, areaUnitId ?? 0, mainUnitId, [...new Set(coUnitIds)]],
    );
    if (r.rowCount) updated++;
    else {
      await q.query('INSERT INTO dispatch_rules (category_id, area_unit_id, main_unit_id, co_unit_ids) VALUES ($1, $2, $3, $4)', [
        cat.rows[0].id,
        areaUnitId,
        mainUnitId,
        [...new Set(coUnitIds)],
      ]);
      created++;
    }
  }
  return { created, updated };
}

export interface RouteResult {
  unitId: number;
  coUnitIds: number[];
  rule: Rule & { categoryLevel: number; areaDepth: number };
}

/**
 * The responsible unit for a category at a place: among active rules whose category is the
 * order's category or one above it, and whose area contains the place (or is the whole city),
 * the deepest category wins, then the smallest area (deepest unit), then the newest rule.
 */
export async function route(q: Queryable, categoryCode: string, districtUnitId?: number | null): Promise<RouteResult | null> {
  const cats = await q.query<{ id: number; level: number }>(
    `WITH RECURSIVE up AS (
       SELECT id, parent_id, level FROM categories WHERE code = $1
       UNION ALL SELECT c.id, c.parent_id, c.level FROM categories c JOIN up ON c.id = up.parent_id)
     SELECT id, level FROM up`,
    [categoryCode],
  );
  if (cats.rowCount === 0) throw badRequest('dispatch.categoryMissing', { code: categoryCode }, 'category');
  const areas = districtUnitId == null ? { rows: [] as { id: number; depth: number }[] } : await unitAncestors(q, districtUnitId);
  const areaDepth = new Map(areas.rows.map((a) => [a.id, a.depth]));
  const catLevel = new Map(cats.rows.map((c) => [c.id, c.level]));
  const { rows } = await q.query<Rule & { categoryId: number }>(
    `${RULE_SELECT.replace('SELECT ', 'SELECT r.category_id AS "categoryId", ')}
     WHERE r.active AND r.category_id = ANY($1::int[]) AND (r.area_unit_id IS NULL OR r.area_unit_id = ANY($2::int[]))`,
    [cats.rows.map((c) => c.id), areas.rows.map((a) => a.id)],
  );
  const ranked = rows
    .map(({ categoryId, ...r }) => ({ ...r, categoryLevel: catLevel.get(categoryId)!, areaDepth: r.areaUnitId == null ? 0 : areaDepth.get(r.areaUnitId)! }))
    .sort((a, b) => b.categoryLevel - a.categoryLevel || b.areaDepth - a.areaDepth || b.id - a.id);
  const best = ranked[0];
  return best ? { unitId: best.mainUnitId, coUnitIds: best.coUnitIds, rule: best } : null;
}

/** The unit and its ancestors, with depth (root = 1). 400 when the unit does not exist. */
async function unitAncestors(q: Queryable, unitId: number) {
  const r = await q.query<{ id: number; depth: number }>(
    `WITH RECURSIVE up AS (
       SELECT id, parent_id, 0 AS h FROM units WHERE id = $1
       UNION ALL SELECT u.id, u.parent_id, up.h + 1 FROM units u JOIN up ON u.id = up.parent_id)
     SELECT id, (SELECT max(h) FROM up) - h + 1 AS depth FROM up`,
    [unitId],
  );
  if (r.rowCount === 0) throw badRequest('org.unitMissing', { id: unitId }, 'districtUnitId');
  return r;
}
