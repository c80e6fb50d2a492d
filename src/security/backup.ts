// Backups of either engine into one file, and restores into an empty place.
// - PGlite: the data folder as a gzipped tarball (PGlite's dumpDataDir / loadDataDir).
// - PostgreSQL: pg_dump's custom format (-Fc) and pg_restore, from the machine's PostgreSQL
//   client (its major version must be at least the server's). A logical JSON dump was the
//   fallback considered; pg_dump is kept because it also carries functions, triggers and
//   sequences exactly.
// The personal-data key is not in the backup (unless asked for: includeKey): a backup file that
// travels with its key protects nothing. Both sides say which key the data needs and where it is.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  createWriteStream,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import { operatorError } from '../core/errors.js';
import { KEY_FILE, KEY_MISSING_FILE, keysOpen, parseKeys, PiiKeyError, CHECK_TEXT } from '../privacy/index.js';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { LOCK_FILE, lockFolder } from '../db/folderlock.js';
import { setting } from '../core/config.js';

const fail = (message: string) => operatorError(400, 'backup_failed', message);

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? fail(`找不到 ${cmd}，请安装 PostgreSQL 客户端 (${cmd} not found: install postgresql-client)`) : e),
    );
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(fail(`${cmd} 失败 (failed, exit ${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`)),
    );
  });
}

/** 'pgdump' for a pg_dump custom archive, 'pglite' for a gzipped tarball. */
export function backupKind(file: string): 'pgdump' | 'pglite' {
  if (!existsSync(file)) throw fail(`文件不存在 (file not found): ${file}`);
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(5);
  readSync(fd, head, 0, 5, 0);
  closeSync(fd);
  if (head.toString('latin1') === 'PGDMP') return 'pgdump';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'pglite';
  throw fail(`不是 jiesu 备份文件 (not a jiesu backup): ${file}`);
}

/** Where the personal-data key of a backup is, for the operator (the CLI prints it). */
export interface KeyNote {
  /** Key ids the data is encrypted under (from `pii_keys`; empty before 0085). */
  ids: string[];
  /** The key file (PGlite folder) or 'JIESU_PII_KEYS'. */
  source: string;
  /** backup: the key is inside the file. restore: the key file came out of it. */
  included: boolean;
  /** restore without the key: the ids JIESU_PII_KEYS (if set) does not hold; null when it is not set. */
  missing?: string[] | null;
}

type KeyRow = { key_id: string; check_value: string };

async function keyRows(query: (sql: string) => Promise<{ rows: unknown[] }>): Promise<KeyRow[]> {
  try {
    return (await query('SELECT key_id, check_value FROM pii_keys WHERE retired_at IS NULL ORDER BY created_at, key_id')).rows as KeyRow[];
  } catch {
    return []; // a database of a version before personal data was encrypted
  }
}

/** The ids of `rows` that JIESU_PII_KEYS does not open; null when it is not set. */
function missingFromEnv(rows: KeyRow[]): string[] | null {
  const spec = setting('JIESU_PII_KEYS')?.trim();
  if (!spec) return null;
  let keys: ReturnType<typeof parseKeys> = [];
  try {
    keys = parseKeys(spec);
  } catch (e) {
    if (!(e instanceof PiiKeyError)) throw e; // a malformed list opens nothing (the start will say why)
  }
  return rows.filter((r) => !keysOpen(keys, r.check_value, CHECK_TEXT)).map((r) => r.key_id);
}

/** A ustar archive's entries: name (PGlite writes '/PG_VERSION', '/base/1/112', …) and byte range. */
export function tarEntries(tar: Uint8Array): { name: string; start: number; end: number }[] {
  const out: { name: string; start: number; end: number }[] = [];
  const text = (a: number, b: number) =>
    Buffer.from(tar.subarray(a, b))
      .toString('utf8')
      .replace(/\0[\s\S]*$/, '');
  for (let at = 0; at + 512 <= tar.length;) {
    if (tar.subarray(at, at + 512).every((b) => b === 0)) break;
    const prefix = text(at + 345, at + 500);
    const name = (prefix ? prefix + '/' : '') + text(at, at + 100);
    const size = parseInt(text(at + 124, at + 136).trim() || '0', 8);
    const end = at + 512 + Math.ceil(size / 512) * 512;
    out.push({ name, start: at, end });
    at = end;
  }
  return out;
}

/** The names in a backup file (gzipped tarball or plain tar). */
export function backupEntries(file: string): string[] {
  let buf: Uint8Array = readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  return tarEntries(buf).map((e) => e.name);
}

const entryName = (name: string) => name.replace(/^\.?\//, '');
/** Left out of a backup: the key unless asked for, and always the folder lock of the process that made it. */
const leftOut = (name: string, includeKey?: boolean) => entryName(name) === LOCK_FILE || (!includeKey && entryName(name) === KEY_FILE);

/** The key rows of a PostgreSQL server's database, over a connection of its own. */
async function serverKeyRows(url: string): Promise<KeyRow[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await keyRows((sql) => c.query(sql));
  } finally {
    await c.end();
  }
}

/** Opens a PGlite folder under the same one-process lock as the server (src/db/folderlock.ts). */
async function withPglite<T>(dir: string, options: { loadDataDir?: Blob }, fn: (db: PGlite) => Promise<T>): Promise<T> {
  const { PGlite } = await import('@electric-sql/pglite');
  mkdirSync(dir, { recursive: true });
  const lock = lockFolder(dir);
  try {
    const db = await PGlite.create(dir, options);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}

export async function backup(opts: {
  databaseUrl?: string;
  dataDir: string;
  out: string;
  includeKey?: boolean;
}): Promise<{ kind: string; bytes: number; key: KeyNote }> {
  if (opts.databaseUrl) {
    if (opts.includeKey) {
      throw fail("--include-key 仅用于内嵌数据目录 (only for an embedded folder: a server's keys are JIESU_PII_KEYS, kept in your secret store)");
    }
    const rows = await serverKeyRows(opts.databaseUrl);
    await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${opts.out}`, `--dbname=${opts.databaseUrl}`]);
    chmodSync(opts.out, 0o600);
    return { kind: 'postgres', bytes: statSync(opts.out).size, key: { ids: rows.map((r) => r.key_id), source: 'JIESU_PII_KEYS', included: false } };
  }
  if (!existsSync(opts.dataDir) || readdirSync(opts.dataDir).length === 0) throw fail(`数据目录不存在或为空 (no PGlite data in ${opts.dataDir})`);
  const keyFile = join(opts.dataDir, KEY_FILE);
  const hasKeyFile = existsSync(keyFile);
  if (opts.includeKey && !hasKeyFile) {
    throw fail(`--include-key: 数据目录中没有密钥文件 (no ${KEY_FILE} in ${opts.dataDir}: its keys come from JIESU_PII_KEYS, keep them in your secret store)`);
  }
  const { rows, tar } = await withPglite(opts.dataDir, {}, async (db) => ({
    rows: await keyRows((sql) => db.query(sql)),
    tar: new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer()),
  }));
  // The tarball without the key file (unless asked for), gzipped into a file only its owner reads.
  const entries = tarEntries(tar);
  const parts = entries.filter((e) => !leftOut(e.name, opts.includeKey)).map((e) => tar.subarray(e.start, e.end));
  parts.push(new Uint8Array(1024)); // the end-of-archive blocks
  await pipeline(Readable.from(parts), createGzip(), createWriteStream(opts.out, { mode: 0o600 }));
  chmodSync(opts.out, 0o600);
  const source = setting('JIESU_PII_KEYS')?.trim() ? 'JIESU_PII_KEYS' : keyFile;
  return { kind: 'pglite', bytes: statSync(opts.out).size, key: { ids: rows.map((r) => r.key_id), source, included: !!opts.includeKey } };
}

/** Restores into an empty PGlite folder or an empty PostgreSQL database (it never overwrites data). */
export async function restore(opts: { databaseUrl?: string; dataDir: string; input: string }): Promise<{ kind: string; key: KeyNote }> {
  const kind = backupKind(opts.input);
  if (opts.databaseUrl) {
    if (kind !== 'pgdump') throw fail('这是 PGlite 备份，不能恢复到 PostgreSQL 服务器 (a PGlite backup cannot be restored into a PostgreSQL server)');
    const c = new pg.Client({ connectionString: opts.databaseUrl });
    await c.connect();
    try {
      const { rows } = await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
      if (rows[0].n > 0) throw fail('目标数据库不是空的 (the target database is not empty: restore into a new database)');
    } finally {
      await c.end();
    }
    await run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${opts.databaseUrl}`, opts.input]);
    const keys = await serverKeyRows(opts.databaseUrl);
    return { kind: 'postgres', key: { ids: keys.map((r) => r.key_id), source: 'JIESU_PII_KEYS', included: false, missing: missingFromEnv(keys) } };
  }
  if (kind !== 'pglite')
    throw fail('这是 pg_dump 备份，请用 --database-url 恢复到 PostgreSQL (a pg_dump backup restores into PostgreSQL: give --database-url)');
  if (existsSync(opts.dataDir) && readdirSync(opts.dataDir).length > 0) throw fail(`目标目录不是空的 (the target folder is not empty): ${opts.dataDir}`);
  const keys = await withPglite(opts.dataDir, { loadDataDir: new Blob([readFileSync(opts.input)]) }, (db) => keyRows((sql) => db.query(sql)));
  // PGlite writes the files it unpacks world-readable (0666): the folder becomes its owner's only,
  // and a key file that came with the backup readable by its owner only.
  chmodSync(opts.dataDir, 0o700);
  const keyFile = join(opts.dataDir, KEY_FILE);
  const included = existsSync(keyFile);
  if (included) chmodSync(keyFile, 0o600);
  // Without it, a note that stops the next start from generating a new (useless) key there.
  else if (keys.length) writeFileSync(join(opts.dataDir, KEY_MISSING_FILE), keys.map((r) => r.key_id).join(', ') + '\n', { mode: 0o600 });
  return { kind: 'pglite', key: { ids: keys.map((r) => r.key_id), source: keyFile, included, missing: included ? [] : missingFromEnv(keys) } };
}
