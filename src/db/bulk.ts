// Fast bulk insert that works the same on PGlite and a PostgreSQL server: one statement
// per batch, `INSERT … SELECT FROM unnest($1::text[], …)`, each column cast from text.
import type { Database, Queryable } from './database.js';
import { refusePlaintext } from '../privacy/index.js';
import { setting } from '../core/config.js';

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
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  throw new TypeError(`cannot write a ${typeof v} to a COPY`);
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
  refusePlaintext(table, names);
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

const NEEDS_QUOTES = /[",\n\r]/;
const quoted = (t: string) => `"${t.replaceAll('"', '""')}"`;

/** One value as a CSV field for COPY: empty for NULL, arrays and objects always quoted. */
export function csvField(v: unknown): string {
  const t = toText(v);
  if (t === null) return '';
  const composite = typeof v === 'object' && !(v instanceof Date);
  return composite || t === '' || NEEDS_QUOTES.test(t) ? quoted(t) : t;
}

const TEXT_SPECIAL = /[\\\t\n\r]/;
const TEXT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One value in COPY's text format: \N for NULL, backslash escapes. JSON needs no quote
 * doubling there, which makes it the cheaper format for rows full of JSON.
 */
export function textField(v: unknown): string {
  if (typeof v === 'number') return String(v);
  // JSON already writes tabs and line ends as \t, \n, \r: only its backslashes need doubling.
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
    const json = JSON.stringify(v);
    return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
  }
  const t = toText(v);
  if (t === null) return '\\N';
  return TEXT_SPECIAL.test(t) ? t.replace(/[\\\t\n\r]/g, (c) => TEXT_ESCAPES[c]!) : t;
}

/** One row as a line of COPY's text format (no line end). */
export const textLine = (values: readonly unknown[]) => joinFields(values, textField, '\t');

/** One row as a CSV line (no line end). */
export const csvLine = (values: readonly unknown[]) => joinFields(values, csvField, ',');

function joinFields(values: readonly unknown[], field: (v: unknown) => string, separator: string): string {
  let line = field(values[0]);
  for (let i = 1; i < values.length; i++) line += separator + field(values[i]);
  return line;
}

/**
 * Bulk load outside any transaction with COPY, on both engines. `trusted`: the rows are
 * consistent by construction (generated), so foreign-key triggers are skipped where allowed.
 */
export async function bulkLoad(db: Database, table: string, columns: BulkColumn[], rows: unknown[][], opts: { trusted?: boolean } = {}) {
  const writer = new CopyWriter(db, table, columns, { ...opts, overlap: copiesOverlap(db) });
  for (const r of rows) await writer.add(r);
  await writer.close();
}

const pipelined = new WeakSet<Database>();
/** Marks a database whose COPYs run elsewhere (another thread), so that writers need not wait for them. */
export const markPipelined = (db: Database) => void pipelined.add(db);
/** Whether a writer may build its next chunk while the last one is being copied (a server, or another thread). */
export const copiesOverlap = (db: Database) => db.kind === 'postgres' || pipelined.has(db);

/**
 * Streams rows into a table with COPY, a chunk at a time, so that big loads never hold their
 * rows (only one chunk of CSV text). `overlap` (a PostgreSQL server): a chunk's COPY runs on
 * its own connection while the caller builds the next one; `after` makes a chunk wait for
 * another writer's chunks in flight (rows that reference them).
 */
/**
 * CSV lines gathered as UTF-8 in a buffer outside the JS heap: holding thousands of small
 * strings until the COPY cost more in garbage collection than building them.
 */
const utf8 = new TextEncoder();

export class LineBuffer {
  private buf = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  count = 0;

  add(line: string) {
    const need = this.used + line.length * 3 + 1;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    if (this.count) this.buf[this.used++] = 10; // \n
    this.used += utf8.encodeInto(line, this.buf.subarray(this.used)).written; // faster than Buffer#write
    this.count++;
  }

  /** The lines so far (a buffer of its own, safe to hand over), and starts afresh. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.used);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.used = 0;
    this.count = 0;
    return out;
  }
}

export class CopyWriter {
  private readonly lines = new LineBuffer();
  private pending: Promise<void> = Promise.resolve();
  rows = 0;

  /** Rows added but not yet sent. */
  get buffered(): number {
    return this.lines.count;
  }

  constructor(
    private readonly db: Database,
    private readonly table: string,
    private readonly columns: BulkColumn[],
    private readonly opts: { trusted?: boolean; chunkRows?: number; overlap?: boolean; after?: CopyWriter; format?: 'csv' | 'text' } = {},
  ) {
    refusePlaintext(
      table,
      columns.map((c) => c.name),
    );
  }

  /** Adds a row; resolves at once unless a chunk had to be written. */
  add(values: readonly unknown[]): Promise<void> | void {
    return this.addLine(this.opts.format === 'text' ? textLine(values) : csvLine(values));
  }

  /** Adds a row already in the writer's format (see csvLine, textLine). */
  addLine(line: string): Promise<void> | void {
    this.lines.add(line);
    this.rows++;
    if (this.lines.count >= (this.opts.chunkRows ?? 20000)) return this.flush();
  }

  /** Starts writing what was added (waits for it unless `overlap`). */
  async flush(): Promise<void> {
    if (!this.lines.count) return;
    const csv = this.lines.take();
    const before = this.pending;
    const other = this.opts.after?.pending;
    await before;
    const copy = (async () => {
      if (other) await other;
      await this.db.copyCsv(
        this.table,
        this.columns.map((c) => c.name),
        csv,
        { skipTriggers: this.opts.trusted, format: this.opts.format },
      );
    })();
    copy.catch(() => undefined); // awaited by the next flush or close
    this.pending = copy;
    if (!this.opts.overlap) await copy;
  }

  /** Resolves when the chunks sent so far are in (what was added since is not sent yet). */
  written(): Promise<void> {
    return this.pending;
  }

  /** Writes the rest and waits until everything is in. */
  async close(): Promise<void> {
    await this.flush();
    await this.pending;
  }
}

/**
 * Runs a bulk load with the tables' secondary indexes dropped, then builds them again:
 * one sort per index instead of maintaining it row by row. Primary keys and unique
 * constraints are deferred the same way unless a foreign key references them (those stay);
 * a load that breaks one fails when it is added back. On a server the builds run on
 * `parallel` connections at once, each with a larger maintenance_work_mem. For
 * the tables listed in `keepConstraints`, only the secondary indexes are deferred (for loads that
 * use ON CONFLICT).
 */
export async function withIndexesDeferred<T>(
  db: Database,
  tables: string[],
  fn: () => Promise<T>,
  opts: { parallel?: number; maintenanceWorkMem?: string; keepConstraints?: readonly string[] } = {},
): Promise<T> {
  const { rows: indexes } = await db.query<{ tbl: string; name: string; def: string }>(
    `SELECT t.relname AS tbl, i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
      WHERE t.relname = ANY($1::text[]) AND t.relnamespace = 'public'::regnamespace AND NOT i.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [tables],
  );
  const { rows: constraints } = await db.query<{ tbl: string; name: string; kind: 'p' | 'u'; def: string; deferrable: boolean; deferred: boolean }>(
    `SELECT t.relname AS tbl, c.conname AS name, c.contype AS kind, pg_get_indexdef(c.conindid) AS def, c.condeferrable AS deferrable, c.condeferred AS deferred
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
      WHERE t.relname = ANY($1::text[]) AND NOT t.relname = ANY($2::text[]) AND t.relnamespace = 'public'::regnamespace AND c.contype IN ('p', 'u')
        AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)`,
    [tables, opts.keepConstraints ?? []],
  );
  for (const r of indexes) await db.exec(`DROP INDEX ${r.name}`);
  for (const c of constraints) await db.exec(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${c.name}`);
  try {
    return await fn();
  } finally {
    // A key is built as a plain unique index (a lock that lets other builds on its table run
    // alongside), then made the constraint again, which is instant, once every build is done.
    const builds = [...constraints.map((c) => ({ tbl: c.tbl, sql: c.def })), ...indexes.map((r) => ({ tbl: r.tbl, sql: r.def }))];
    const todo = await longestFirst(db, builds);
    const build = async () => {
      for (let sql = todo.shift(); sql; sql = todo.shift()) {
        const t = Date.now();
        await db.tx(async (q) => {
          if (opts.maintenanceWorkMem) await q.exec(`SET LOCAL maintenance_work_mem = '${opts.maintenanceWorkMem}'`);
          await q.exec(sql);
        });
        if (setting('JIESU_DEMO_DEBUG')) console.error(`demo: index ${sql.slice(0, 70)}… ${Date.now() - t} ms`);
      }
    };
    await Promise.all(Array.from({ length: db.kind === 'postgres' ? Math.max(1, opts.parallel ?? 1) : 1 }, build));
    for (const c of constraints) {
      const timing = c.deferrable ? ` DEFERRABLE INITIALLY ${c.deferred ? 'DEFERRED' : 'IMMEDIATE'}` : '';
      await db.exec(`ALTER TABLE ${c.tbl} ADD CONSTRAINT ${c.name} ${c.kind === 'p' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${c.name}${timing}`);
    }
  }
}

/**
 * The builds, the likely longest first, so that the parallel lanes end together rather than
 * one finishing a big index alone. A build reads its table and sorts a key per row: the rows
 * weigh most (about 0.6 µs each), the bytes read less (about 1 ms a megabyte); a GIN index
 * sorts many keys per row.
 */
async function longestFirst(db: Database, builds: { tbl: string; sql: string }[]): Promise<string[]> {
  const { rows } = await db.query<{ tbl: string; bytes: string; live: string }>(
    `SELECT c.relname AS tbl, pg_relation_size(c.oid)::text AS bytes, coalesce(s.n_live_tup, 0)::text AS live
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE c.relname = ANY($1::text[]) AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'`,
    [[...new Set(builds.map((b) => b.tbl))]],
  );
  const weight = new Map(rows.map((r) => [r.tbl, { rows: Number(r.live), bytes: Number(r.bytes) }]));
  const costed = builds.map((b) => {
    const w = weight.get(b.tbl) ?? { rows: 0, bytes: 0 };
    return { sql: b.sql, cost: w.rows * (/ USING gin /i.test(b.sql) ? 20 : 1) + w.bytes / 1500 };
  });
  // A stable sort: a table's own builds keep their order (its key before its other indexes).
  return costed.sort((a, b) => b.cost - a.cost).map((b) => b.sql);
}
