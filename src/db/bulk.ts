// Fast bulk insert that works the same on PGlite and a PostgreSQL server: one statement
// per batch, `INSERT … SELECT FROM unnest($1::text[], …)`, each column cast from text.
import type { Database, Queryable } from './database.js';

export interface BulkColumn {
  name: string;
  /** SQL type to cast the text value to, e.g. 'int', 'timestamptz', 'jsonb', 'int[]'. */
  type: string;
}

/** Text form of a value for a cast: Dates as ISO, arrays as PG array literals, objects as JSON. */
export function toText(v: unknown): string | null {
  if (v == null) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `{${v.join(',')}}`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export async function bulkInsert(
  q: Queryable,
  table: string,
  columns: BulkColumn[],
  rows: unknown[][],
  opts: { overridingSystemValue?: boolean; batchSize?: number } = {},
): Promise<void> {
  const batch = opts.batchSize ?? 5000;
  const names = columns.map((c) => c.name);
  const sql =
    `INSERT INTO ${table} (${names.join(', ')})${opts.overridingSystemValue ? ' OVERRIDING SYSTEM VALUE' : ''} ` +
    `SELECT ${columns.map((c, i) => `c${i}::${c.type}`).join(', ')} ` +
    `FROM unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${columns.map((_, i) => `c${i}`).join(', ')})`;
  for (let start = 0; start < rows.length; start += batch) {
    const slice = rows.slice(start, start + batch);
    const params = columns.map((_, ci) => slice.map((r) => toText(r[ci])));
    await q.query(sql, params);
  }
}

const csvField = (v: unknown): string => {
  const t = toText(v);
  if (t === null) return '';
  return /[",\n\r]/.test(t) || t === '' ? `"${t.replaceAll('"', '""')}"` : t;
};

/**
 * Bulk load outside any transaction with COPY, on both engines. `trusted`: the rows are
 * consistent by construction (generated), so foreign-key triggers are skipped where allowed.
 */
export async function bulkLoad(db: Database, table: string, columns: BulkColumn[], rows: unknown[][], opts: { trusted?: boolean } = {}) {
  const names = columns.map((c) => c.name);
  for (let start = 0; start < rows.length; start += 20000) {
    const csv = rows.slice(start, start + 20000).map((r) => r.map(csvField).join(',')).join('\n');
    await db.copyCsv(table, names, csv, { skipTriggers: opts.trusted });
  }
}

/**
 * Runs a bulk load with the tables' secondary indexes dropped, then builds them again:
 * one sort per index instead of maintaining it row by row. Primary keys and indexes
 * that back constraints stay.
 */
export async function withIndexesDeferred<T>(db: Database, tables: string[], fn: () => Promise<T>): Promise<T> {
  const { rows } = await db.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
      WHERE t.relname = ANY($1::text[]) AND t.relnamespace = 'public'::regnamespace AND NOT i.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [tables],
  );
  for (const r of rows) await db.exec(`DROP INDEX ${r.name}`);
  try {
    return await fn();
  } finally {
    for (const r of rows) await db.exec(r.def);
  }
}
