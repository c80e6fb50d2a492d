// Import of question/answer pairs from JSONL or CSV ({question, answer, department}; the
// shared Beijing FAQ uses {text, answer, label}, accepted as aliases). Each row becomes
// one article owned by the unit named by its department.
//
// Departments map to units by exact name. A department with no unit is reported
// (`unknownDepartments`, its rows skipped) unless `createUnits` is set: then it is
// created as a `bureau` below the city root. Rows whose (owner unit, title) already
// exists are skipped as duplicates, so an import can be re-run.
import { parse as parseCsv } from 'csv-parse/sync';
import type { Database } from '../db/database.js';
import { badRequest } from '../core/errors.js';
import { DEFAULT_LANGUAGE, translate } from '../core/i18n.js';
import { analyzeKb } from './termstats.js';
import { indexTokens } from './text.js';

export interface ImportRow {
  line: number;
  question: string;
  answer: string;
  department: string | null;
  categoryCode: string | null;
}

export interface ImportOptions {
  createUnits?: boolean;
  /** Publish at once (default) or leave the articles as drafts. */
  publish?: boolean;
  /** Owner of rows without a department. */
  ownerUnitId?: number;
  actorId?: number | null;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportReport {
  total: number;
  imported: number;
  duplicates: number;
  errors: { line: number; message: string }[];
  unknownDepartments: { name: string; rows: number }[];
  createdUnits: { id: number; name: string }[];
}

const pick = (o: Record<string, unknown>, ...keys: string[]) => {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return null;
};

/** Parses the file content; rows with missing fields become errors, not exceptions. */
export function parseImport(content: string, format: 'jsonl' | 'csv'): { rows: ImportRow[]; errors: ImportReport['errors'] } {
  const rows: ImportRow[] = [];
  const errors: ImportReport['errors'] = [];
  const take = (o: Record<string, unknown>, line: number) => {
    const question = pick(o, 'question', 'text', 'title', '问题');
    const answer = pick(o, 'answer', '答案', '答复');
    if (!question) return errors.push({ line, message: translate(DEFAULT_LANGUAGE, 'kb.import.noQuestion') });
    if (!answer) return errors.push({ line, message: translate(DEFAULT_LANGUAGE, 'kb.import.noAnswer') });
    rows.push({ line, question, answer, department: pick(o, 'department', 'label', 'unit', '部门'), categoryCode: pick(o, 'categoryCode', 'category') });
  };
  if (format === 'jsonl') {
    content.split(/\r?\n/).forEach((l, i) => {
      if (!l.trim()) return;
      let o: unknown;
      try {
        o = JSON.parse(l);
      } catch {
        return errors.push({ line: i + 1, message: translate(DEFAULT_LANGUAGE, 'kb.import.badJson') });
      }
      if (!o || typeof o !== 'object' || Array.isArray(o)) return errors.push({ line: i + 1, message: translate(DEFAULT_LANGUAGE, 'kb.import.notObject') });
      take(o as Record<string, unknown>, i + 1);
    });
  } else {
    let records: Record<string, unknown>[];
    try {
      records = parseCsv(content.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: true, relax_column_count: true });
    } catch (e) {
      throw badRequest('http.csvInvalid', { detail: (e as Error).message }, 'content');
    }
    records.forEach((r, i) => take(r, i + 2));
  }
  return { rows, errors };
}

export const formatOf = (file: string): 'jsonl' | 'csv' | null => (/\.jsonl?$/i.test(file) ? 'jsonl' : /\.csv$/i.test(file) ? 'csv' : null);

const BATCH = 250;

export async function importArticles(
  db: Database,
  parsed: { rows: ImportRow[]; errors: ImportReport['errors'] },
  opts: ImportOptions = {},
): Promise<ImportReport> {
  const report: ImportReport = {
    total: parsed.rows.length + parsed.errors.length,
    imported: 0,
    duplicates: 0,
    errors: [...parsed.errors],
    unknownDepartments: [],
    createdUnits: [],
  };
  if (opts.ownerUnitId !== undefined) {
    const u = await db.query('SELECT 1 FROM units WHERE id = $1', [opts.ownerUnitId]);
    if (u.rowCount === 0) throw badRequest('org.unitMissing', { id: opts.ownerUnitId }, 'ownerUnitId');
  }
  // Department name → unit id.
  const units = new Map<string, number>();
  for (const u of (await db.query<{ id: number; name: string }>('SELECT id, name FROM units ORDER BY id DESC')).rows) units.set(u.name.trim(), u.id);
  const missing = new Map<string, number>();
  for (const r of parsed.rows) if (r.department && !units.has(r.department)) missing.set(r.department, (missing.get(r.department) ?? 0) + 1);
  if (missing.size && opts.createUnits) {
    const root = (await db.query<{ id: number }>("SELECT id FROM units WHERE parent_id IS NULL ORDER BY (kind = 'city') DESC, id LIMIT 1")).rows[0]?.id ?? null;
    for (const name of missing.keys()) {
      const { rows } = await db.query<{ id: number }>("INSERT INTO units (name, kind, parent_id) VALUES ($1, 'bureau', $2) RETURNING id", [name, root]);
      units.set(name, rows[0]!.id);
      report.createdUnits.push({ id: rows[0]!.id, name });
    }
  } else {
    report.unknownDepartments = [...missing].map(([name, rows]) => ({ name, rows }));
  }

  const ready: (ImportRow & { owner: number })[] = [];
  for (const r of parsed.rows) {
    const owner = r.department ? units.get(r.department) : opts.ownerUnitId;
    if (owner !== undefined) ready.push({ ...r, owner });
    else if (!r.department) report.errors.push({ line: r.line, message: translate(DEFAULT_LANGUAGE, 'kb.import.noDepartment') });
  }
  const publish = opts.publish ?? true;
  const seen = new Set<string>();
  let done = parsed.rows.length - ready.length + parsed.errors.length;
  opts.onProgress?.(done, report.total);
  for (let i = 0; i < ready.length; i += BATCH) {
    const batch = ready.slice(i, i + BATCH);
    await db.tx(async (q) => {
      const titles = batch.map((r) => (r.question.length > 200 ? r.question.slice(0, 199) + '…' : r.question));
      const existing = await q.query<{ owner: number; title: string }>(
        `SELECT owner_unit_id AS owner, title FROM kb_articles WHERE (owner_unit_id, title) IN (SELECT * FROM unnest($1::int[], $2::text[]))`,
        [batch.map((r) => r.owner), titles],
      );
      for (const e of existing.rows) seen.add(`${e.owner}\u0000${e.title}`);
      const cols = {
        title: [] as string[],
        variant: [] as (string | null)[],
        answer: [] as string[],
        owner: [] as number[],
        cat: [] as (string | null)[],
        st: [] as string[],
        sq: [] as string[],
        sa: [] as string[],
      };
      batch.forEach((r, k) => {
        const key = `${r.owner}\u0000${titles[k]}`;
        if (seen.has(key)) return void report.duplicates++;
        seen.add(key);
        const variant = titles[k] === r.question ? null : r.question;
        cols.title.push(titles[k]!);
        cols.variant.push(variant);
        cols.answer.push(r.answer);
        cols.owner.push(r.owner);
        cols.cat.push(r.categoryCode);
        cols.st.push(indexTokens(titles[k]!));
        cols.sq.push(variant ? indexTokens(variant) : '');
        cols.sa.push(indexTokens(r.answer));
      });
      if (cols.title.length === 0) return;
      const res = await q.query(
        `WITH x AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[])
                      AS x(title, variant, answer, owner, cat, st, sq, sa)),
         ins AS (
           INSERT INTO kb_articles (title, questions, answer, category_code, owner_unit_id, review_due, reviewed_at, status, version, last_version, tsv, created_by, published_at)
           SELECT title, CASE WHEN variant IS NULL THEN '{}'::text[] ELSE ARRAY[variant] END, answer, cat, owner,
                  CASE WHEN $9::boolean THEN current_date + 365 END, CASE WHEN $9::boolean THEN now() END,
                  CASE WHEN $9::boolean THEN 'published' ELSE 'draft' END, 1, 1,
                  setweight(to_tsvector('simple', st), 'A') || setweight(to_tsvector('simple', sq), 'B') || setweight(to_tsvector('simple', sa), 'C'),
                  $10, CASE WHEN $9::boolean THEN now() END
           FROM x
           RETURNING id, title, questions, answer, category_code, review_due)
         INSERT INTO kb_article_versions (article_id, version, state, content, changed_fields, note, created_by, decided_by, decided_at)
         SELECT id, 1, CASE WHEN $9::boolean THEN 'published' ELSE 'draft' END,
                jsonb_build_object('title', title, 'questions', to_jsonb(questions), 'answer', answer, 'categoryCode', category_code,
                                   'validFrom', NULL, 'validUntil', NULL, 'reviewDate', to_char(review_due, 'YYYY-MM-DD')),
                ARRAY['title','questions','answer','categoryCode','validFrom','validUntil','reviewDate'], '导入 (import)', $10,
                CASE WHEN $9::boolean THEN $10::int END, CASE WHEN $9::boolean THEN now() END
         FROM ins`,
        [cols.title, cols.variant, cols.answer, cols.owner, cols.cat, cols.st, cols.sq, cols.sa, publish, opts.actorId ?? null],
      );
      report.imported += res.rowCount;
    });
    done += batch.length;
    opts.onProgress?.(done, report.total);
  }
  report.errors.sort((a, b) => a.line - b.line);
  // Fresh statistics, so the search knows the common words of what was just imported.
  if (report.imported > 0) await analyzeKb(db);
  return report;
}
