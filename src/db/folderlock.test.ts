// One writer per embedded data folder: a second opener (in this process or another) fails at
// once with one line naming the holder; a lock left by a dead process is taken over; commands
// reach a running server with --server instead of opening its folder.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../../test/helpers.js';
import { startPlatform, type Platform } from '../server.js';
import { openDatabase } from './database.js';
import { announceUrl, FolderLockedError, LOCK_FILE, type LockHolder } from './folderlock.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// The child opens the folder, not the test's PostgreSQL server.
const childEnv = { ...process.env, DATABASE_URL: '', JIESU_DATA: '', LOG_LEVEL: 'silent' };

function jiesu(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/jiesu.js', ...args], { cwd: root, env: { ...childEnv, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const procStart = (pid: number) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
};
const readLock = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockHolder;

describe('one process per embedded data folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jiesu-lock-'));
  let platform: Platform;
  let url: string;
  beforeAll(async () => {
    platform = await startPlatform({ dataDir: dir, adminPassword: ADMIN_PASSWORD });
    url = await platform.app.listen({ port: 0, host: '127.0.0.1' });
    announceUrl(url);
  });
  afterAll(async () => {
    await platform?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the holder is recorded: pid, start time, command, since, the folder and its URL', () => {
    const h = readLock(dir);
    expect(h.pid).toBe(process.pid);
    expect(h.host).toBe(hostname());
    if (existsSync('/proc/self/stat')) expect(h.startTime).toBe(procStart(process.pid));
    expect(h.ino).toBe(statSync(dir).ino);
    expect(h.url).toBe(url);
    expect(Date.now() - Date.parse(h.since)).toBeLessThan(600_000);
  });

  it('a second open in the same process fails at once, naming the holder', async () => {
    const err = await openDatabase({ dataDir: dir }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FolderLockedError);
    const msg = (err as Error).message;
    expect(msg).toMatch(
      new RegExp(
        `^数据目录 .+ 正由进程 ${process.pid}（.+，自 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} 起）使用；请先停止它，或用 --server ${url} 经由运行中的服务执行 \\(the data folder .+ is in use by process ${process.pid} `,
      ),
    );
    // The holder is unharmed.
    expect((await platform.db.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
  });

  it('another process (jiesu migrate) exits 1 with one line naming the holder, no stack', async () => {
    const r = await jiesu(['migrate', '--data', dir]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^jiesu: 数据目录 .+ 正由进程 \d+（/);
    expect(lines[0]).toContain(`正由进程 ${process.pid}`);
    expect(lines[0]).toContain(`--server ${url}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readLock(dir).pid).toBe(process.pid); // the loser left the lock alone
  });

  it('jiesu sla tick --data beside the server is refused; --server runs it through the server', async () => {
    const refused = await jiesu(['sla', 'tick', '--data', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`正由进程 ${process.pid}`);

    const login = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    const token = JSON.parse(login.body).token as string;
    const ok = await jiesu(['sla', 'tick', '--server', url, '--now', '2026-03-02T10:00:00+08:00', '--json'], { JIESU_TOKEN: token });
    expect(ok.code, ok.stderr).toBe(0);
    const result = JSON.parse(ok.stdout);
    expect(result.now).toBe('2026-03-02T02:00:00.000Z');
    expect(result).toMatchObject({ claimed: expect.any(Number), fired: expect.any(Array) });

    const noToken = await jiesu(['sla', 'tick', '--server', url]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('JIESU_TOKEN');
    const badToken = await jiesu(['sla', 'tick', '--server', url], { JIESU_TOKEN: 'not-a-token' });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr.trim().split('\n')).toHaveLength(1);
    expect(badToken.stderr).toContain('401');
  });

  it('closing releases the lock; the folder opens again', async () => {
    await platform.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const db = await openDatabase({ dataDir: dir });
    expect(readLock(dir).pid).toBe(process.pid);
    await db.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});

describe('a lock left behind does not block the next start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jiesu-stale-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = (): LockHolder => ({
    pid: process.pid,
    startTime: existsSync('/proc/self/stat') ? procStart(process.pid) : undefined,
    boot: existsSync('/proc/sys/kernel/random/boot_id') ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : undefined,
    host: hostname(),
    command: 'jiesu serve',
    since: '2026-01-01T00:00:00.000Z',
    nonce: 'left-behind',
    ino: statSync(dir).ino,
  });
  const takesOver = async (holder: LockHolder) => {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(holder));
    const db = await openDatabase({ dataDir: dir });
    try {
      expect(readLock(dir).nonce).not.toBe('left-behind');
    } finally {
      await db.close();
    }
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  };

  it('by a process that is gone (kill -9)', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const pid = Number(gone.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    await takesOver({ ...base(), pid, startTime: undefined });
  });

  it.skipIf(!existsSync('/proc/self/stat'))('by a process whose pid now belongs to another process', async () => {
    await takesOver({ ...base(), startTime: String(Number(procStart(process.pid)) + 1) });
  });

  it('copied along with the folder (a backup restored, cp -a)', async () => {
    await takesOver({ ...base(), ino: statSync(dir).ino + 1 });
  });

  it('from before this machine restarted', async () => {
    await takesOver({ ...base(), boot: '00000000-0000-0000-0000-000000000000' });
  });

  it('but a live holder on another host name is respected, with how to clear it', async () => {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...base(), host: 'other-container' }));
    const err = await openDatabase({ dataDir: dir }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain('主机 other-container');
    expect(err?.message).toContain(`delete ${join(dir, LOCK_FILE)}`);
    rmSync(join(dir, LOCK_FILE));
  });
});
