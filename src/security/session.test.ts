// Sessions slide: each request extends a login by the idle timeout (2 h), never past the cap
// counted from sign-in (16 h). Time passes by moving the session's stored times back, which is
// what the database's clock sees; the node's 5-second token cache is off so each request asks it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_PASSWORD, Client, loginAs, testPlatform, type TestPlatform } from '../../test/helpers.js';

vi.hoisted(() => {
  process.env.JIESU_AUTH_CACHE_SECONDS = '0';
});

const MIN = 60_000;
let p: TestPlatform;
let admin: Client;

beforeAll(async () => {
  p = await testPlatform();
  admin = await loginAs(p, 'admin', ADMIN_PASSWORD);
});
afterAll(async () => p?.close());

let n = 0;
/** A fresh agent, signed in once; `later(m)` lets m minutes pass for their sessions. */
async function freshAgent() {
  const username = `shift${++n}`;
  const created = await admin.post('/api/v1/users', { username, password: 'long-shift-1', displayName: '值班员', roles: ['agent'] });
  expect(created.status).toBe(201);
  const login = await new Client(p).post('/api/v1/auth/login', { username, password: 'long-shift-1' });
  expect(login.status).toBe(200);
  const c = new Client(p, login.body.token);
  const later = async (minutes: number) => {
    await p.db.query(
      `UPDATE sessions SET created_at = created_at - make_interval(mins => $2), expires_at = expires_at - make_interval(mins => $2),
              absolute_expires_at = absolute_expires_at - make_interval(mins => $2)
        WHERE user_id = $1`,
      [created.body.id, minutes],
    );
  };
  return { c, login: login.body as { expiresAt: string; absoluteExpiresAt: string }, later };
}

const session = async (c: Client) => {
  const r = await c.get('/api/v1/auth/session');
  expect(r.status).toBe(200);
  return { expiresAt: Date.parse(r.body.expiresAt), absoluteExpiresAt: Date.parse(r.body.absoluteExpiresAt), body: r.body };
};

describe('sliding sessions', () => {
  it('login and GET /api/v1/auth/session tell when the session ends: 2 h idle, 16 h at most', async () => {
    const { c, login } = await freshAgent();
    const now = Date.now();
    expect(Date.parse(login.expiresAt) - now).toBeGreaterThan(120 * MIN - MIN);
    expect(Date.parse(login.expiresAt) - now).toBeLessThanOrEqual(120 * MIN + 1000);
    expect(Date.parse(login.absoluteExpiresAt) - now).toBeGreaterThan(16 * 60 * MIN - MIN);
    expect(Date.parse(login.absoluteExpiresAt) - now).toBeLessThanOrEqual(16 * 60 * MIN + 1000);
    const s = await session(c);
    expect(s.body).toMatchObject({ username: expect.stringMatching(/^shift/), idleMinutes: 120, maxHours: 16 });
    // A request within the minute does not rewrite the row: the expiry is the login's.
    expect(s.expiresAt).toBe(Date.parse(login.expiresAt));
    expect(s.absoluteExpiresAt).toBe(Date.parse(login.absoluteExpiresAt));
  });

  it('activity extends the session: requests every 90 minutes keep it alive for 6 hours', async () => {
    const { c, later } = await freshAgent();
    for (let i = 0; i < 4; i++) {
      await later(90);
      const before = Date.now();
      const s = await session(c);
      // renewed to about now + 2 h by this very request
      expect(s.expiresAt - before).toBeGreaterThan(120 * MIN - MIN);
      expect((await c.get('/api/v1/auth/me')).status).toBe(200);
    }
  });

  it('two idle hours end it, with session_expired (not the code for no token)', async () => {
    const { c, later } = await freshAgent();
    await later(119);
    expect((await c.get('/api/v1/auth/me')).status).toBe(200);
    await later(121);
    const r = await c.get('/api/v1/auth/me');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('session_expired');
    // and it stays ended: activity after expiry does not revive it
    expect((await c.get('/api/v1/auth/me')).body.error.code).toBe('session_expired');

    expect((await new Client(p).get('/api/v1/auth/me')).body.error.code).toBe('unauthorized');
    expect((await new Client(p, 'not-a-token').get('/api/v1/auth/me')).body.error.code).toBe('unauthorized');
  });

  it('the 16-hour cap ends it even with activity, and no renewal goes past the cap', async () => {
    const { c, login, later } = await freshAgent();
    const cap = Date.parse(login.absoluteExpiresAt);
    let elapsed = 0;
    while (elapsed + 90 < 16 * 60) {
      await later(90);
      elapsed += 90;
      const s = await session(c);
      const capNow = cap - elapsed * MIN; // the cap, as the moved clock sees it
      expect(s.absoluteExpiresAt).toBe(capNow);
      expect(s.expiresAt).toBeLessThanOrEqual(capNow);
    }
    // 15 h in: the renewal stops at the cap, an hour away, not two
    const s = await session(c);
    expect(s.expiresAt).toBe(s.absoluteExpiresAt);
    await later(61);
    const r = await c.get('/api/v1/auth/me');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('session_expired');
  });

  it('a signed-out session answers session_revoked', async () => {
    const { c } = await freshAgent();
    expect((await c.post('/api/v1/auth/logout')).status).toBe(204);
    const r = await c.get('/api/v1/auth/me');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('session_revoked');
  });
});
