// Through the CLI: retention, backup → restore round trip, and graceful shutdown of `jiesu serve`.
import { execFile, spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../db/migrate.js';
import { startPlatform, type Platform } from '../server.js';
import { ADMIN_PASSWORD, Client, seedCity, throwawayDatabase } from '../../test/helpers.js';

const exec = promisify(execFile);
const bin = join(packageRoot, 'bin', 'jiesu.js');
const tmp = mkdtempSync(join(tmpdir(), 'jiesu-sec-'));
const dbs: NonNullable<Awaited<ReturnType<typeof throwawayDatabase>>>[] = [];

async function place(name: string): Promise<{ args: string[]; open: () => Promise<Platform> }> {
  const db = await throwawayDatabase();
  if (db) dbs.push(db);
  const dataDir = join(tmp, name);
  return {
    args: db ? ['--database-url', db.url] : ['--data', dataDir],
    open: () => startPlatform({ databaseUrl: db?.url, dataDir: db ? undefined : dataDir, adminPassword: ADMIN_PASSWORD }),
  };
}

async function jiesu(...args: string[]) {
  try {
    const r = await exec('node', [bin, ...args], { cwd: tmp, env: { ...process.env, DATABASE_URL: '', JIESU_RETENTION_DAYS: '' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e: any) {
    return { code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string };
  }
}

const count = async (p: Platform, sql: string, params: unknown[] = []) => (await p.db.query<{ n: number }>(sql, params)).rows[0]!.n;

let source: Awaited<ReturnType<typeof place>>;
let before: Record<string, unknown>;
const tables = ['users', 'units', 'workorders', 'workorder_events', 'contacts', 'pii_access_log', 'audit_events'];
const snapshot = async (p: Platform) => {
  const out: Record<string, unknown> = {};
  for (const t of tables) out[t] = await count(p, `SELECT count(*)::int AS n FROM ${t}`);
  out.events = (await p.db.query('SELECT seq, type, data FROM workorder_events WHERE workorder_id = $1 ORDER BY seq', [ids.recent])).rows;
  return out;
};
let ids: { old: number; recent: number; open: number; contact: number };

beforeAll(async () => {
  source = await place('source');
  const p = await source.open();
  try {
    const city = await seedCity(p);
    const contact = async (title: string) => {
      const r = await city.users.agent.post('/api/v1/contacts', {
        channel: 'phone',
        startedAt: new Date(Date.now() - 600_000).toISOString(),
        caller: { phone: '13900001111', name: '李四' },
        summary: '咨询',
        outcome: 'workorder',
        workorder: { type: 'consultation', title, content: '请问公积金提取需要什么材料', location: { districtUnitId: city.units.districtA } },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body as { id: number; workorder: { id: number; version: number } };
    };
    const old = await contact('旧工单');
    const recent = await contact('新工单');
    const open = await contact('未办结');
    // A photo on the order that will expire and on the open one (PNG signature, enough for the check).
    for (const c of [old, open]) {
      const r = await p.app.inject({
        method: 'POST',
        url: `/api/v1/workorders/${c.workorder.id}/attachments?name=photo.png`,
        payload: Buffer.from('89504e470d0a1a0a00', 'hex'),
        headers: { authorization: `Bearer ${city.users.agent.token}`, 'content-type': 'image/png' },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    for (const c of [old, recent]) {
      const r = await city.users.agent.post(`/api/v1/workorders/${c.workorder.id}/actions/close`, { version: c.workorder.version, reason: 'answered' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    await p.db.query("UPDATE workorders SET closed_at = now() - interval '800 days' WHERE id = $1", [old.workorder.id]);
    await p.db.query("UPDATE workorders SET closed_at = now() - interval '100 days' WHERE id = $1", [recent.workorder.id]);
    ids = { old: old.workorder.id, recent: recent.workorder.id, open: open.workorder.id, contact: old.id };
  } finally {
    await p.close();
  }
}, 120_000);
afterAll(async () => {
  for (const d of dbs) await d.drop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('jiesu retention run', () => {
  it('anonymises closed orders older than N days everywhere, idempotently, with an audit entry', async () => {
    const bad = await jiesu('retention', 'run', '--days', '-3', ...source.args);
    expect(bad.code).toBe(1);
    expect(bad.stderr).not.toMatch(/\n\s+at /);

    const first = await jiesu('retention', 'run', '--json', ...source.args);
    expect(first.stderr).not.toMatch(/error|\n\s+at /i); // progress lines only
    expect(JSON.parse(first.stdout)).toMatchObject({ days: 730, orders: 1, events: 1, contacts: 1, attachments: 1 });
    const again = await jiesu('retention', 'run', ...source.args);
    expect(again.stdout).toMatch(/0 orders anonymised/);
    // A shorter period reaches the order closed 100 days ago too.
    expect(JSON.parse((await jiesu('retention', 'run', '--days', '90', '--json', ...source.args)).stdout).orders).toBe(1);

    const p = await source.open();
    try {
      const admin = new Client(p, (await new Client(p).post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).body.token);
      const old = (await admin.get(`/api/v1/workorders/${ids.old}`)).body;
      expect(old.citizen).toBeNull();
      const events = (await admin.get(`/api/v1/workorders/${ids.old}/events`)).body.items;
      expect(JSON.stringify(events)).not.toMatch(/13900001111|李四/);
      expect(
        await count(
          p,
          `SELECT count(*)::int AS n FROM contacts WHERE id = $1 AND caller_phone IS NULL AND caller_name IS NULL
        AND caller_phone_enc IS NULL AND caller_name_enc IS NULL AND caller_phone_bidx IS NULL`,
          [ids.contact],
        ),
      ).toBe(1);
      expect(
        await count(p, 'SELECT count(*)::int AS n FROM workorders WHERE id = $1 AND citizen_phone_enc IS NULL AND citizen_phone_bidx IS NULL', [ids.old]),
      ).toBe(1);
      expect(await count(p, 'SELECT count(*)::int AS n FROM workorder_attachments WHERE workorder_id = $1', [ids.old])).toBe(0);
      expect(await count(p, 'SELECT count(*)::int AS n FROM workorder_attachments WHERE workorder_id = $1', [ids.open])).toBe(1);
      // The open order keeps its citizen (encrypted at rest, readable by an agent's role).
      expect(await count(p, 'SELECT count(*)::int AS n FROM workorders WHERE id = $1 AND citizen_phone_enc IS NOT NULL', [ids.open])).toBe(1);
      expect((await admin.get(`/api/v1/workorders/${ids.open}`)).body.citizen).not.toBeNull();
      const audit = (await admin.get('/api/v1/audit/events?action=retention.run')).body.items;
      expect(audit).toHaveLength(3);
      expect(audit.map((a: any) => a.data.orders)).toEqual([1, 0, 1]);
      before = await snapshot(p);
    } finally {
      await p.close();
    }
  }, 120_000);
});

describe('jiesu backup / restore', () => {
  it('round-trips the database into a fresh place', async () => {
    const file = join(tmp, 'backup.bin');
    const b = await jiesu('backup', '--out', file, ...source.args);
    expect(b.stderr).toBe('');
    expect(b.stdout).toMatch(/backup \((pglite|postgres)\) written/);

    const target = await place('target');
    const r = await jiesu('restore', '--in', file, ...target.args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Restoring over data is refused.
    const twice = await jiesu('restore', '--in', file, ...target.args);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/not empty/);
    expect((await jiesu('restore', '--in', join(tmp, 'missing.bin'), ...target.args)).stderr).toMatch(/file not found/);

    const dst = await target.open();
    try {
      const after = await snapshot(dst);
      expect(after).toEqual(before);
      expect((before.events as unknown[]).length).toBeGreaterThanOrEqual(2);
      // The restored database is live: logins work, and the audit log is still append-only.
      const login = await new Client(dst).post('/api/v1/auth/login', { username: 'agent1', password: 'password-123' });
      expect(login.status).toBe(200);
      await expect(dst.db.query('DELETE FROM pii_access_log')).rejects.toThrow(/append-only/);
    } finally {
      await dst.close();
    }
  }, 180_000);
});

describe('graceful shutdown', () => {
  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    // On the (already migrated) source database, so that start-up is quick.
    const child = spawn('node', [bin, 'serve', '--port', '0', ...source.args], {
      cwd: tmp,
      env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'silent', JIESU_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const url = await new Promise<URL>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /serving on (http:\/\/\S+)/.exec(out);
        if (m) resolve(new URL(m[1]!));
      });
      void exited.then(() => reject(new Error(out)));
    });
    // A slow client: the login body arrives in two parts, with SIGTERM in between.
    const body = JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/api/v1/auth/login',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 500);
      }, 300);
    });
    const res = await response;
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body).token).toBeTruthy();
    expect(await exited).toBe(0);
    expect(out).toMatch(/shutting down/);
    // New connections are refused once it has stopped.
    await expect(fetch(`${url.origin}/api/v1/health`)).rejects.toThrow();
  }, 60_000);
});
