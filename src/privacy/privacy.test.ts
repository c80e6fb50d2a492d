// Personal data at rest: the tables never hold a citizen's phone or name in clear, the API
// still shows them to the roles that need them, callers are found by a blind index, keys rotate.
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../db/migrate.js';
import { startPlatform, type Platform } from '../server.js';
import { ADMIN_PASSWORD, loginAs, seedCity, throwawayDatabase } from '../../test/helpers.js';
import { configurePii, decrypt, KEY_FILE, newKeySpec, parseKeys } from './pii.js';
import { rotate } from './store.js';

const run = promisify(execFile);
const BIN = join(packageRoot, 'bin', 'jiesu.js');
const PHONE = '13812345678';
const NAME = '王小明';
const key = (id: string, byte: number) => `${id}:${Buffer.alloc(32, byte).toString('base64')}`;

// One database kept across restarts with different keys: a PGlite folder or a server database.
const dir = mkdtempSync(join(tmpdir(), 'jiesu-privacy-'));
const server = await throwawayDatabase();
const envBefore = process.env.JIESU_PII_KEYS;
afterAll(async () => {
  if (envBefore === undefined) delete process.env.JIESU_PII_KEYS;
  else process.env.JIESU_PII_KEYS = envBefore;
  configurePii({});
  await server?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(keys: string): Promise<Platform> {
  process.env.JIESU_PII_KEYS = keys;
  return startPlatform({ databaseUrl: server?.url, dataDir: server ? undefined : join(dir, 'data'), adminPassword: ADMIN_PASSWORD });
}

/** Every text of every row of the tables that hold personal data, as one string. */
async function rawDump(p: Platform): Promise<string> {
  let all = '';
  for (const t of ['workorders', 'workorder_events', 'contacts', 'dup_callers', 'open311_requests', 'portal_rate_limits']) {
    const { rows } = await p.db.query(`SELECT * FROM ${t}`);
    all += JSON.stringify(rows);
  }
  return all;
}

describe('personal data encrypted at rest', () => {
  let ids: { order: number; contact: number } = { order: 0, contact: 0 };

  it('stores only ciphertext; agents see the data, handlers the mask; caller history matches any spelling', async () => {
    const p = await start(key('k1', 1));
    try {
      const { users: u, units } = await seedCity(p);
      const c = await u.agent.post('/api/v1/contacts', {
        channel: 'phone',
        startedAt: new Date(Date.now() - 60_000).toISOString(),
        endedAt: new Date().toISOString(),
        caller: { phone: '+86 138-1234-5678', name: NAME },
        summary: '反映路灯不亮',
        outcome: 'workorder',
        workorder: { type: 'complaint', title: '路灯不亮', content: '小区门口路灯不亮', citizen: { name: NAME, phone: PHONE } },
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      ids = { order: c.body.workorder.id, contact: c.body.id };
      const d = await u.dispatcher.post(`/api/v1/workorders/${ids.order}/actions/dispatch`, { version: c.body.workorder.version, unitId: units.districtA });
      expect(d.status, JSON.stringify(d.body)).toBe(200);
      // A repeat caller (duplicates) is personal data too.
      const rep = await u.agent.post(`/api/v1/workorders/${ids.order}/repeats`, { name: '赵六', phone: '13900002222' });
      expect(rep.status, JSON.stringify(rep.body)).toBeLessThan(300);
      const callers = await u.agent.get(`/api/v1/workorders/${ids.order}/callers`);
      expect(callers.body.items.map((x: { phone: string }) => x.phone)).toEqual([PHONE, '13900002222']);
      const maskedCallers = await u.handlerA.get(`/api/v1/workorders/${ids.order}/callers`);
      expect(maskedCallers.body.items.map((x: { phone: string }) => x.phone)).toEqual(['138****5678', '139****2222']);

      const raw = await rawDump(p);
      for (const secret of [PHONE, NAME, '13900002222', '赵六', '5678"']) expect(raw).not.toContain(secret);
      expect(raw).toMatch(/pii1:k1:/);
      const row = (await p.db.query('SELECT citizen_phone, citizen_name, citizen_phone_enc, citizen_phone_bidx FROM workorders WHERE id = $1', [ids.order]))
        .rows[0]!;
      expect(row).toMatchObject({ citizen_phone: null, citizen_name: null });
      expect(row.citizen_phone_enc).toMatch(/^pii1:k1:/);
      expect(row.citizen_phone_bidx).toMatch(/^[0-9a-f]{64}$/);

      const asAgent = await u.agent.get(`/api/v1/workorders/${ids.order}`);
      expect(asAgent.body.citizen).toEqual({ name: NAME, phone: PHONE });
      const events = await u.agent.get(`/api/v1/workorders/${ids.order}/events`);
      expect(events.body.items?.[0]?.data?.citizen ?? events.body[0]?.data?.citizen).toEqual({ name: NAME, phone: PHONE });
      const asHandler = await u.handlerA.get(`/api/v1/workorders/${ids.order}`);
      expect(asHandler.status).toBe(200);
      expect(asHandler.body.citizen).toEqual({ name: '王**', phone: '138****5678' });
      expect((await u.agent.get(`/api/v1/contacts/${ids.contact}`)).body.caller).toEqual({ phone: PHONE, name: NAME });

      const history = await u.agent.get(`/api/v1/callers/${encodeURIComponent('0086 138 1234 5678')}/history`);
      expect(history.status).toBe(200);
      expect(history.body.contactCount).toBe(1);
      expect(history.body.openOrders.map((o: { id: number }) => o.id)).toEqual([ids.order]);
      expect(history.body.openOrders[0].citizen.phone).toBe(PHONE);
      const filtered = await u.agent.get(`/api/v1/contacts?phone=${encodeURIComponent('138-1234-5678')}`);
      expect(filtered.body.items.map((x: { id: number }) => x.id)).toEqual([ids.contact]);
      expect(filtered.body.items[0].caller.phone).toBe('138****5678');
    } finally {
      await p.close();
    }
  });

  it('encrypts plaintext left by an older version once, at start-up', async () => {
    const p = await start(key('k1', 1));
    try {
      await p.db.query(
        `UPDATE workorders SET citizen_phone = '13700001111', citizen_name = '旧数据', citizen_phone_enc = NULL, citizen_name_enc = NULL, citizen_phone_bidx = NULL WHERE id = $1`,
        [ids.order],
      );
      await p.db.query(`UPDATE contacts SET caller_phone = '13700001111', caller_phone_enc = NULL, caller_phone_bidx = NULL WHERE id = $1`, [ids.contact]);
      await p.db.query(
        `UPDATE workorder_events SET data = jsonb_set(data, '{citizen}', '{"name":"旧数据","phone":"13700001111"}') WHERE workorder_id = $1 AND seq = 1`,
        [ids.order],
      );
      await p.db.query("DELETE FROM pii_state WHERE name = 'encrypt_legacy'");
      await p.db.query("UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP', totp_secret_enc = NULL WHERE username = 'agent1'");
    } finally {
      await p.close();
    }
    const q = await start(key('k1', 1));
    try {
      expect(await rawDump(q)).not.toContain('13700001111');
      const totp = (
        await q.db.query<{ totp_secret: string | null; totp_secret_enc: string }>("SELECT totp_secret, totp_secret_enc FROM users WHERE username = 'agent1'")
      ).rows[0]!;
      expect(totp.totp_secret).toBeNull();
      expect(decrypt(totp.totp_secret_enc)).toBe('JBSWY3DPEHPK3PXP');
      const agent = await loginAs(q, 'agent1', 'password-123');
      expect((await agent.get(`/api/v1/workorders/${ids.order}`)).body.citizen).toEqual({ name: '旧数据', phone: '13700001111' });
      const h = await agent.get('/api/v1/callers/13700001111/history');
      expect(h.body.contactCount).toBe(1);
      expect(h.body.openOrders).toHaveLength(1);
    } finally {
      await q.close();
    }
  });

  it('rotates to a new key: everything stays readable and findable, the old key can then go', async () => {
    const both = `${key('k2', 2)},${key('k1', 1)}`;
    const p = await start(both);
    try {
      const agent = await loginAs(p, 'agent1', 'password-123');
      // Before rotation: old rows under k1 are read and found (blind indexes under every key).
      expect((await agent.get('/api/v1/callers/13700001111/history')).body.openOrders).toHaveLength(1);
      const r = await rotate(p.db);
      expect(r.rows).toBeGreaterThanOrEqual(3);
      expect(r.retired).toEqual(['k1']);
      const raw = await rawDump(p);
      expect(raw).not.toMatch(/pii1:k1:/);
      expect(raw).toMatch(/pii1:k2:/);
      expect((await rotate(p.db)).rows).toBe(0); // idempotent
    } finally {
      await p.close();
    }
    const q = await start(key('k2', 2));
    try {
      const agent = await loginAs(q, 'agent1', 'password-123');
      expect((await agent.get(`/api/v1/workorders/${ids.order}`)).body.citizen).toEqual({ name: '旧数据', phone: '13700001111' });
      expect((await agent.get(`/api/v1/contacts/${ids.contact}`)).body.caller.phone).toBe('13700001111');
      const h = await agent.get('/api/v1/callers/137-0000-1111/history');
      expect(h.body.contactCount).toBe(1);
      expect(h.body.openOrders).toHaveLength(1);
    } finally {
      await q.close();
    }
    // The same from the command line, to a third key.
    const env = { ...process.env, JIESU_PII_KEYS: `${key('k3', 3)},${key('k2', 2)}`, DATABASE_URL: server?.url ?? '' };
    const status = await run(process.execPath, [BIN, 'privacy', 'status', '--data', join(dir, 'data')], { env });
    expect(status.stdout).toMatch(/newest key: k3; rows not under it: [1-9]/);
    const rot = await run(process.execPath, [BIN, 'privacy', 'rotate', '--data', join(dir, 'data')], { env });
    expect(rot.stdout).toMatch(/re-encrypted\) [1-9]\d* rows.*retired keys.*k2/);
    const after = await run(process.execPath, [BIN, 'privacy', 'status', '--data', join(dir, 'data')], { env });
    expect(after.stdout).toMatch(/rows not under it: 0/);
  });

  it('refuses to start with a wrong or missing key, with a clear message', async () => {
    await expect(start(key('k3', 9))).rejects.toThrow(/key "k3".*wrong key/);
    await expect(start(key('k4', 4))).rejects.toThrow(/lacks key k3/);
    const bad = await run(process.execPath, [BIN, 'privacy', 'status', '--data', join(dir, 'data')], {
      env: { ...process.env, JIESU_PII_KEYS: key('k3', 9), DATABASE_URL: server?.url ?? '' },
    }).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/wrong key/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    await expect(start('k2:notbase64!')).rejects.toThrow(/JIESU_PII_KEYS/);
    await expect(start(`k2:${Buffer.alloc(16).toString('base64')}`)).rejects.toThrow(/32 bytes/);
  });
});

describe('key configuration', () => {
  it('a server needs JIESU_PII_KEYS unless the insecure development key is asked for', () => {
    expect(() => configurePii({ databaseUrl: 'postgres://x/y' }, {})).toThrow(/JIESU_PII_KEYS/);
    expect(configurePii({ databaseUrl: 'postgres://x/y' }, { JIESU_INSECURE_DEV_KEY: '1' })).toMatch(/insecure/);
  });

  it('a PGlite data folder gets a generated key file, readable by its owner only, reused on the next start', () => {
    const d = mkdtempSync(join(tmpdir(), 'jiesu-pii-key-'));
    try {
      const where = configurePii({ dataDir: d }, {});
      expect(where).toBe(join(d, KEY_FILE));
      expect(statSync(where).mode & 0o777).toBe(0o600);
      const first = readFileSync(where, 'utf8');
      configurePii({ dataDir: d }, {});
      expect(readFileSync(where, 'utf8')).toBe(first);
      expect(parseKeys(first.trim())).toHaveLength(1);
      expect(parseKeys(newKeySpec('x'))[0]!.key).toHaveLength(32);
    } finally {
      rmSync(d, { recursive: true, force: true });
      configurePii({}, {});
    }
  });

  it('prints a new key from the command line', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'privacy', 'new-key', '--id', 'k9']);
    expect(parseKeys(stdout.trim())[0]!.id).toBe('k9');
  });
});
