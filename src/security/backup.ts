// Backups of either engine into one file, and restores into an empty place.
// - PGlite: the data folder as PGlite's own gzipped tarball (dumpDataDir / loadDataDir).
// - PostgreSQL: pg_dump's custom format (-Fc) and pg_restore, from the machine's PostgreSQL
//   client (its major version must be at least the server's). A logical JSON dump was the
//   fallback considered; pg_dump is kept because it also carries functions, triggers and
//   sequences exactly.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { AppError } from '../core/errors.js';
import pg from 'pg';

const fail = (message: string) => new AppError(400, 'backup_failed', message);

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? fail(`找不到 ${cmd}，请安装 PostgreSQL 客户端 (${cmd} not found: install postgresql-client)`) : e),
    );
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(fail(`${cmd} 失败 (failed, exit ${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`))));
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

export async function backup(opts: { databaseUrl?: string; dataDir: string; out: string }): Promise<{ kind: string; bytes: number }> {
  if (opts.databaseUrl) {
    await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${opts.out}`, `--dbname=${opts.databaseUrl}`]);
    return { kind: 'postgres', bytes: statSync(opts.out).size };
  }
  if (!existsSync(opts.dataDir) || readdirSync(opts.dataDir).length === 0) throw fail(`数据目录不存在或为空 (no PGlite data in ${opts.dataDir})`);
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(opts.dataDir);
  try {
    const blob = (await db.dumpDataDir('gzip')) as Blob;
    writeFileSync(opts.out, Buffer.from(await blob.arrayBuffer()));
  } finally {
    await db.close();
  }
  return { kind: 'pglite', bytes: statSync(opts.out).size };
}

/** Restores into an empty PGlite folder or an empty PostgreSQL database (it never overwrites data). */
export async function restore(opts: { databaseUrl?: string; dataDir: string; input: string }): Promise<{ kind: string }> {
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
    return { kind: 'postgres' };
  }
  if (kind !== 'pglite') throw fail('这是 pg_dump 备份，请用 --database-url 恢复到 PostgreSQL (a pg_dump backup restores into PostgreSQL: give --database-url)');
  if (existsSync(opts.dataDir) && readdirSync(opts.dataDir).length > 0) throw fail(`目标目录不是空的 (the target folder is not empty): ${opts.dataDir}`);
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(opts.dataDir, { loadDataDir: new Blob([readFileSync(opts.input)]) });
  await db.query('SELECT 1');
  await db.close();
  return { kind: 'pglite' };
}
