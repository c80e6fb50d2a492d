// Helpers every module's cli.ts shares: database options, open-migrate-close, argument parsers,
// and one rule for which failures print a single line instead of a stack.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { openDatabase, type Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { AppError } from '../core/errors.js';
import { decodeText } from '../http/text.js';
import { setting } from '../core/config.js';

export interface DbOptions {
  data: string;
  databaseUrl?: string;
}

/** `--data <dir>` and `--database-url <url>`, defaulting to JIESU_DATA and DATABASE_URL. */
export const dbOptions = (cmd: Command) =>
  cmd.option('--data <dir>', 'PGlite data folder', setting('JIESU_DATA')).option('--database-url <url>', 'PostgreSQL server URL', setting('DATABASE_URL'));

/**
 * `--server <url>`: do the work through a running jiesu server's admin API instead of opening
 * the database (an embedded folder has one writer: the server that holds it). The admin token
 * comes from JIESU_TOKEN.
 */
export const serverOption = (cmd: Command) =>
  cmd.option(
    '--server <url>',
    'run through the jiesu server at this URL (admin token in JIESU_TOKEN) instead of opening the database',
    setting('JIESU_SERVER'),
  );

/** One call to a running server's API as the admin in JIESU_TOKEN; its errors become one-line failures. */
export async function callServer<T = unknown>(server: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const token = setting('JIESU_TOKEN')?.trim();
  if (!token) fail('请在环境变量 JIESU_TOKEN 中提供管理员令牌 (--server needs an admin token in JIESU_TOKEN: POST /api/v1/auth/login)');
  let url: URL;
  try {
    url = new URL(path, server.endsWith('/') ? server : server + '/');
  } catch {
    fail(`--server 不是有效的网址 (not a URL): ${server}`);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    fail(`无法连接服务 ${server} (cannot reach ${server}: ${cause?.code ?? cause?.message ?? (e as Error).message})`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    fail(`服务返回 ${res.status} (the server answered ${res.status}${err?.code ? ` ${err.code}` : ''}): ${err?.message ?? text.slice(0, 200)}`);
  }
  return parsed as T;
}

/** Opens the database, brings the schema up to date, runs `fn` (given the migrations applied), closes. */
export async function withDb<T>(o: DbOptions, fn: (db: Database, applied: string[]) => T | Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: o.databaseUrl, dataDir: resolve(o.data) });
  try {
    return await fn(db, await migrate(db));
  } finally {
    await db.close();
  }
}

/** Expected failures: one clear line on stderr, exit code 1, no stack. */
export function fail(message: string): never {
  console.error(`jiesu: ${message}`);
  process.exit(1);
}

// The server unreachable, gone away or shut down (57P01-3), a wrong database (3D000) or password
// (28P01), a port taken, a missing or unreadable file (or a folder given for a file).
const expectedCodes = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03', '3D000', '28P01', 'EADDRINUSE']);

/** A failure the user can act on, as opposed to a bug: it gets one line, a bug gets its stack. */
export function isExpectedFailure(err: unknown): err is { message: string } {
  // Anything may be thrown; only something with a message can be reported in one line.
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return false;
  return (
    err instanceof AppError ||
    (typeof code === 'string' && expectedCodes.has(code)) ||
    message === 'Connection terminated unexpectedly' || // pg's word for a server that went away
    /[\u4e00-\u9fff]/.test(message) // our own messages to the user are bilingual; library bugs are not
  );
}

/** A commander parser for an integer in [min, max]. */
export const intArg =
  (min: number, max = Infinity) =>
  (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        max < Infinity ? `must be an integer ${min}-${max}` : min === 1 ? 'must be a positive integer' : `must be an integer ≥ ${min}`,
      );
    }
    return n;
  };

/** A file's text (UTF-8, or GB18030 as Excel saves CSV on Chinese Windows), or one line saying why it cannot be read. */
export function readText(file: string): string {
  try {
    return decodeText(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? `文件不存在 (file not found): ${file}` : `cannot read ${file}: ${code ?? (e as Error).message}`);
  }
}
