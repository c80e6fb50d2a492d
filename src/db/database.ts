// One small interface over the two PostgreSQL engines jiesu runs on:
// PGlite (embedded, in-process, the default) and a PostgreSQL server (pg Pool).
// Modules write plain SQL against `Queryable`; transactions go through `tx`.
import { mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { configurePii } from '../privacy/index.js';
import { lockFolder } from './folderlock.js';
import { from as copyFrom } from 'pg-copy-streams';
import { setting } from '../core/config.js';

export type Row = Record<string, unknown>;

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  /** One statement, with $1… parameters. */
  query<T = Row>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Several statements, no parameters (migrations, scripts). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** The server's URL (postgres), for work that opens connections of its own (the demo's generator threads). */
  readonly url?: string;
  /** COPY table (columns) FROM a CSV text (or PostgreSQL's text format): the fastest bulk path on both engines. */
  copyCsv(table: string, columns: string[], csv: string | Uint8Array, opts?: CopyOptions): Promise<void>;
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface CopyOptions {
  skipTriggers?: boolean;
  /** 'text': tab-separated, \\N for NULL, backslash escapes (cheaper to write and to parse than CSV quoting). */
  format?: 'csv' | 'text';
}

export interface DatabaseOptions {
  /** postgres://… URL of a PostgreSQL server; when absent, PGlite is used. */
  databaseUrl?: string;
  /** PGlite data folder; when absent (and no URL), an in-memory database. */
  dataDir?: string;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  // The personal-data keys go with the database (src/privacy): a server without keys is refused.
  // Only a key generated into a PGlite folder waits until PGlite has created the folder.
  const keyFile = !opts.databaseUrl && opts.dataDir && !setting('JIESU_PII_KEYS');
  if (!keyFile) configurePii(opts);
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
  const db = await openPglite(opts.dataDir);
  if (keyFile) {
    try {
      configurePii(opts);
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return db;
}

// bigint (int8) and numeric come back as numbers on both engines, so that ids and
// counts have the same JS type whichever engine answers.
const INT8 = 20;
const NUMERIC = 1700;

/** A PostgreSQL server, without setting up the personal-data keys (openDatabase does that). */
export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: setting('JIESU_DB_POOL'),
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === INT8 || oid === NUMERIC) return (v: string) => (v === null ? null : Number(v));
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', (err) => console.error('jiesu: idle PostgreSQL client error:', err.message));
  const client = await pool.connect(); // fail fast when the server is unreachable
  client.release();
  const run = async <T>(q: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]): Promise<QueryResult<T>> => {
    const r = await q.query(sql, params as unknown[]);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  };
  return {
    kind: 'postgres',
    url,
    query: (sql, params) => run(pool, sql, params),
    exec: async (sql) => void (await pool.query(sql)),
    async copyCsv(table, columns, csv, opts = {}) {
      const c = await pool.connect();
      try {
        // Skipping FK triggers needs a superuser; without one the load just checks them.
        if (opts.skipTriggers) await c.query('SET session_replication_role = replica').catch(() => undefined);
        const stream = c.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT ${opts.format ?? 'csv'})`));
        await pipeline(Readable.from([csv]), stream);
      } finally {
        if (opts.skipTriggers) await c.query('SET session_replication_role = DEFAULT').catch(() => undefined);
        c.release();
      }
    },
    async tx(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const result = await fn({ query: (sql, params) => run(c, sql, params), exec: async (sql) => void (await c.query(sql)) });
        await c.query('COMMIT');
        return result;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir?: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // One process per folder: a second opener fails here, before PGlite touches the files.
  const lock = dataDir ? lockFolder(dataDir) : undefined;
  const db = await PGlite.create(dataDir ?? 'memory://', {
    parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) },
  }).catch((err: unknown) => {
    lock?.release();
    throw err;
  });
  type PgliteQ = {
    query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[]; affectedRows?: number }>;
    exec: (sql: string) => Promise<unknown>;
  };
  const run = async <T>(q: PgliteQ, sql: string, params?: unknown[]): Promise<QueryResult<T>> => {
    const r = await q.query(sql, params);
    // PGlite reports affectedRows 0 for a SELECT; pg counts the rows it returned.
    return { rows: r.rows as T[], rowCount: r.rows.length > 0 ? r.rows.length : (r.affectedRows ?? 0) };
  };
  return {
    kind: 'pglite',
    query: (sql, params) => run(db, sql, params),
    exec: async (sql) => void (await db.exec(sql)),
    async copyCsv(table, columns, csv, opts = {}) {
      if (opts.skipTriggers) await db.exec('SET session_replication_role = replica');
      try {
        await db.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT ${opts.format ?? 'csv'})`, [], {
          blob: new Blob([csv as string | Uint8Array<ArrayBuffer>]),
        });
      } finally {
        if (opts.skipTriggers) await db.exec('SET session_replication_role = DEFAULT');
      }
    },
    // PGlite is one connection: its transaction() holds a lock so other queries wait.
    tx: (fn) => db.transaction((t) => fn({ query: (sql, params) => run(t, sql, params), exec: async (sql) => void (await t.exec(sql)) })),
    close: async () => {
      try {
        await db.close();
      } finally {
        lock?.release();
      }
    },
  };
}
