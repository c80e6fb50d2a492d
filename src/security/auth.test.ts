// Login throttling, password policy, TOTP, session expiry and revocation — through the API.
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, Client, loginAs, throwawayDatabase } from '../../test/helpers.js';
import { useCity } from '../../test/fixtures.js';
import { startPlatform } from '../server.js';
import { totpCode } from './totp.js';

const t = useCity();

const loginFrom = (ip: string, body: Record<string, unknown>) =>
  t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: body });

describe('login throttling', () => {
  it('blocks a user after 5 failures with 429 + Retry-After, even with the right password; a success resets', async () => {
    const admin = t.city.users.admin;
    expect((await admin.post('/api/v1/users', { username: 'victim', password: 'victim-pass-1', displayName: 'v', roles: ['agent'] })).status).toBe(201);
    // 4 failures, then a success resets the counter…
    for (let i = 0; i < 4; i++) expect((await loginFrom('10.0.0.1', { username: 'victim', password: 'wrong-pass-1' })).statusCode).toBe(401);
    expect((await loginFrom('10.0.0.1', { username: 'victim', password: 'victim-pass-1' })).statusCode).toBe(200);
    // …so 4 more failures still do not block.
    for (let i = 0; i < 4; i++) expect((await loginFrom('10.0.0.2', { username: 'victim', password: 'wrong-pass-1' })).statusCode).toBe(401);
    expect((await loginFrom('10.0.0.2', { username: 'victim', password: 'victim-pass-1' })).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) await loginFrom(`10.0.1.${i}`, { username: 'VICTIM', password: 'wrong-pass-1' });
    const blocked = await loginFrom('10.0.2.1', { username: 'victim', password: 'victim-pass-1' });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(blocked.json().error).toMatchObject({ code: 'too_many_attempts' });
    expect(blocked.json().error.message).toMatch(/^登录失败次数过多，请 \d+ 分钟后再试$/);
    // Other users are unaffected.
    expect((await loginFrom('10.0.2.1', { username: 'agent1', password: t.city.password })).statusCode).toBe(200);
    // Once the window has passed (simulated by ageing the rows), the user may log in again.
    await t.platform.db.query("UPDATE login_failures SET at = at - interval '16 minutes' WHERE key = 'user:victim'");
    expect((await loginFrom('10.0.2.1', { username: 'victim', password: 'victim-pass-1' })).statusCode).toBe(200);
  });

  it('blocks an IP after 20 failures across usernames', async () => {
    for (let i = 0; i < 20; i++) expect((await loginFrom('10.9.9.9', { username: `nobody${i}`, password: 'x' })).statusCode).toBe(401);
    const r = await loginFrom('10.9.9.9', { username: 'agent1', password: t.city.password });
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect((await loginFrom('10.9.9.10', { username: 'agent1', password: t.city.password })).statusCode).toBe(200);
  });
});

describe('password policy', () => {
  it('needs 10+ characters with letters and digits for new and changed passwords', async () => {
    const admin = t.city.users.admin;
    const base = { displayName: 'p', roles: ['agent'] };
    for (const password of ['short1', 'onlyletterslong', '1234567890123', 'abc12345']) {
      const r = await admin.post('/api/v1/users', { ...base, username: 'weak', password });
      expect(r.status, password).toBe(400);
      expect(r.body.error.field).toBe('password');
      expect(r.body.error.message).toBe('密码至少 10 位，且须同时包含字母和数字');
    }
    const ok = await admin.post('/api/v1/users', { ...base, username: 'strong', password: '长密码abcdef12' });
    expect(ok.status).toBe(201);
    expect((await admin.patch(`/api/v1/users/${ok.body.id}`, { password: 'abcdefghij' })).status).toBe(400);
    expect((await admin.patch(`/api/v1/users/${ok.body.id}`, { password: 'abcdefghi9' })).status).toBe(200);
  });
});

describe('TOTP for admins', () => {
  it('sets up, enables with a code, then login requires a fresh code', async () => {
    const admin = await loginAs(t.platform, 'admin', ADMIN_PASSWORD);
    expect((await t.city.users.agent.post('/api/v1/auth/totp/setup')).status).toBe(403);
    const setup = await admin.post('/api/v1/auth/totp/setup');
    expect(setup.status).toBe(200);
    expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/.*admin\?.*secret=[A-Z2-7]+/);
    const secret = setup.body.secret as string;
    // The secret is stored encrypted, never as the text an authenticator app is given.
    const stored = (
      await t.platform.db.query<{ totp_secret: string | null; totp_secret_enc: string }>(
        "SELECT totp_secret, totp_secret_enc FROM users WHERE username = 'admin'",
      )
    ).rows[0]!;
    expect(stored.totp_secret).toBeNull();
    expect(stored.totp_secret_enc).toMatch(/^pii1:/);
    expect(stored.totp_secret_enc).not.toContain(setup.body.secret);
    expect((await admin.post('/api/v1/auth/totp/enable', { code: '000000' === totpCode(secret, Date.now()) ? '111111' : '000000' })).status).toBe(400);
    // Before enabling, login still needs no code.
    expect((await loginFrom('10.1.0.1', { username: 'admin', password: ADMIN_PASSWORD })).statusCode).toBe(200);
    // The enabling code is used up; the next login needs the next step's code (or the same step is refused).
    const enable = await admin.post('/api/v1/auth/totp/enable', { code: totpCode(secret, Date.now()) });
    expect(enable.status, JSON.stringify(enable.body)).toBe(200);
    const noCode = await loginFrom('10.1.0.1', { username: 'admin', password: ADMIN_PASSWORD });
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().error.code).toBe('totp_required');
    const replay = await loginFrom('10.1.0.1', { username: 'admin', password: ADMIN_PASSWORD, totp: totpCode(secret, Date.now()) });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('totp_invalid');
    const next = await loginFrom('10.1.0.1', { username: 'admin', password: ADMIN_PASSWORD, totp: totpCode(secret, Date.now() + 30_000) });
    expect(next.statusCode, next.body).toBe(200);
    // The wrong password with a good code is still a plain 401.
    expect((await loginFrom('10.1.0.1', { username: 'admin', password: 'nope', totp: totpCode(secret, Date.now()) })).json().error.code).toBe('unauthorized');
    // An admin disables it (lost phone): plain login works again.
    const me = (await admin.get('/api/v1/auth/me')).body;
    const fresh = new Client(t.platform, next.json().token);
    expect((await fresh.post('/api/v1/auth/totp/disable', { userId: me.id })).status).toBe(200);
    expect((await loginFrom('10.1.0.1', { username: 'admin', password: ADMIN_PASSWORD })).statusCode).toBe(200);
  });
});

describe('sessions', () => {
  it('revoke-all ends every session of a user (admin for others, anyone for themselves)', async () => {
    const admin = await loginAs(t.platform, 'admin', ADMIN_PASSWORD); // the TOTP test ended the seeded admin's session
    const a = await loginAs(t.platform, 'dispatcher1', t.city.password);
    const b = await loginAs(t.platform, 'dispatcher1', t.city.password);
    const me = (await a.get('/api/v1/auth/me')).body;
    expect((await t.city.users.agent.post('/api/v1/auth/sessions/revoke-all', { userId: me.id })).status).toBe(403);
    const r = await admin.post('/api/v1/auth/sessions/revoke-all', { userId: me.id });
    expect(r.status).toBe(200);
    expect(r.body.revoked).toBeGreaterThanOrEqual(2);
    expect((await a.get('/api/v1/auth/me')).status).toBe(401);
    expect((await b.get('/api/v1/auth/me')).status).toBe(401);
    const c = await loginAs(t.platform, 'dispatcher1', t.city.password);
    expect((await c.post('/api/v1/auth/sessions/revoke-all')).body.revoked).toBe(1);
    expect((await c.get('/api/v1/auth/me')).status).toBe(401);
    expect((await admin.post('/api/v1/auth/sessions/revoke-all', { userId: 999999 })).status).toBe(404);
    const events = await admin.get('/api/v1/audit/events?action=sessions.revoke_all');
    expect(events.body.items.map((e: any) => e.data.revoked)).toEqual([1, r.body.revoked]);
  });

  it('a token stops working when it expires', async () => {
    const tmp = await throwawayDatabase();
    const p = await startPlatform({ databaseUrl: tmp?.url, adminPassword: ADMIN_PASSWORD, config: { sessionMaxSeconds: 1 } });
    try {
      const res = await new Client(p).post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
      expect(Date.parse(res.body.expiresAt) - Date.now()).toBeLessThanOrEqual(1000);
      const c = new Client(p, res.body.token);
      expect((await c.get('/api/v1/auth/me')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      const late = await c.get('/api/v1/auth/me');
      expect(late.status).toBe(401);
      expect(late.body.error.code).toBe('session_expired');
    } finally {
      await p.close();
      await tmp?.drop();
    }
  });
});
