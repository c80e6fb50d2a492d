import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, Client, loginAs, testPlatform, type TestPlatform } from '../../test/helpers.js';

let platform: TestPlatform;
let admin: Client;
let anon: Client;

beforeAll(async () => {
  platform = await testPlatform();
  admin = await loginAs(platform, 'admin', ADMIN_PASSWORD);
  anon = new Client(platform);
});
afterAll(async () => platform?.close());

describe('authentication', () => {
  it('gives a token for the right password and the same 401 otherwise', async () => {
    const ok = await anon.post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const wrong = await anon.post('/api/v1/auth/login', { username: 'admin', password: 'nope-nope' });
    const ghost = await anon.post('/api/v1/auth/login', { username: 'nobody', password: 'nope-nope' });
    expect(wrong.status).toBe(401);
    expect(ghost.status).toBe(401);
    expect(ghost.body).toEqual(wrong.body);
  });

  it('refuses requests without a valid token, and a logged-out token', async () => {
    expect((await anon.get('/api/v1/units')).status).toBe(401);
    expect((await new Client(platform, 'forged-token').get('/api/v1/units')).status).toBe(401);
    const c = await loginAs(platform, 'admin', ADMIN_PASSWORD);
    expect((await c.get('/api/v1/auth/me')).body).toMatchObject({ username: 'admin', roles: ['admin'] });
    expect((await c.post('/api/v1/auth/logout')).status).toBe(204);
    expect((await c.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('bootstraps the admin once and never overwrites it', async () => {
    const { bootstrapAdmin } = await import('./auth.js');
    expect(await bootstrapAdmin(platform.db, 'another-password')).toBe(false);
    expect((await anon.post('/api/v1/auth/login', { username: 'admin', password: 'another-password' })).status).toBe(401);
  });
});

describe('units', () => {
  it('builds the tree, lists it, renames and moves units', async () => {
    const city = await admin.post('/api/v1/units', { name: '南宁市', kind: 'city' });
    expect(city.status).toBe(201);
    const d = await admin.post('/api/v1/units', { name: '青秀区', kind: 'district', parentId: city.body.id });
    const s = await admin.post('/api/v1/units', { name: '新竹街道', kind: 'subdistrict', parentId: d.body.id });
    expect(s.body).toMatchObject({ name: '新竹街道', kind: 'subdistrict', parentId: d.body.id, active: true });
    const children = await admin.get(`/api/v1/units?parentId=${city.body.id}`);
    expect(children.body.items.map((x: any) => x.name)).toEqual(['青秀区']);
    const renamed = await admin.patch(`/api/v1/units/${d.body.id}`, { name: '青秀区（新）' });
    expect(renamed.body.name).toBe('青秀区（新）');
    // A unit cannot move under its own descendant.
    const cycle = await admin.patch(`/api/v1/units/${d.body.id}`, { parentId: s.body.id });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.field).toBe('parentId');
    const self = await admin.patch(`/api/v1/units/${d.body.id}`, { parentId: d.body.id });
    expect(self.status).toBe(400);
    expect((await admin.get(`/api/v1/units/${d.body.id}`)).body.parentId).toBe(city.body.id);
  });

  it('validates input and is for admins only', async () => {
    expect((await admin.post('/api/v1/units', { name: 'x', kind: 'planet' })).body.error).toMatchObject({ code: 'validation_failed', field: 'kind' });
    expect((await admin.post('/api/v1/units', { name: '', kind: 'city' })).body.error.field).toBe('name');
    expect((await admin.post('/api/v1/units', { name: 'x', kind: 'city', parentId: 987654 })).body.error.field).toBe('parentId');
    expect((await admin.get('/api/v1/units/987654')).status).toBe(404);
    const city = (await admin.post('/api/v1/units', { name: '某市', kind: 'city' })).body;
    await admin.post('/api/v1/users', { username: 'agent_x', password: 'password-1', displayName: 'A', unitId: city.id, roles: ['agent'] });
    const agent = await loginAs(platform, 'agent_x', 'password-1');
    expect((await agent.post('/api/v1/units', { name: 'x', kind: 'city' })).status).toBe(403);
    expect((await agent.patch(`/api/v1/units/${city.id}`, { name: 'y' })).status).toBe(403);
    expect((await agent.get('/api/v1/units')).status).toBe(200); // reading the tree is for all staff
  });
});

describe('users', () => {
  it('creates, lists and updates users without ever showing a password hash', async () => {
    const unit = (await admin.post('/api/v1/units', { name: '市水务局', kind: 'bureau' })).body;
    const r = await admin.post('/api/v1/users', { username: 'li.si', password: 'password-1', displayName: '李四', unitId: unit.id, roles: ['handler'] });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: expect.any(Number), username: 'li.si', displayName: '李四', unitId: unit.id, roles: ['handler'], active: true });
    const list = await admin.get(`/api/v1/users?unitId=${unit.id}`);
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toMatch(/password|argon/);
    expect((await admin.get('/api/v1/users?role=handler')).body.items.some((x: any) => x.username === 'li.si')).toBe(true);
    const up = await admin.patch(`/api/v1/users/${r.body.id}`, { roles: ['handler', 'unit_manager'], displayName: '李四（负责人）' });
    expect(up.body).toMatchObject({ roles: ['handler', 'unit_manager'], displayName: '李四（负责人）' });
  });

  it('rejects duplicates, weak passwords, unknown roles and non-admins', async () => {
    const base = { username: 'wang', password: 'password-1', displayName: '王五', roles: ['agent'] };
    expect((await admin.post('/api/v1/users', base)).status).toBe(201);
    const dup = await admin.post('/api/v1/users', base);
    expect(dup.status).toBe(409);
    expect((await admin.post('/api/v1/users', { ...base, username: 'w2', password: 'short' })).body.error.field).toBe('password');
    expect((await admin.post('/api/v1/users', { ...base, username: 'w3', roles: ['king'] })).body.error.field).toBe('roles.0');
    expect((await admin.post('/api/v1/users', { ...base, username: 'bad name!' })).body.error.field).toBe('username');
    expect((await admin.post('/api/v1/users', { ...base, username: 'w4', unitId: 987654 })).body.error.field).toBe('unitId');
    const wang = await loginAs(platform, 'wang', 'password-1');
    expect((await wang.post('/api/v1/users', { ...base, username: 'w5' })).status).toBe(403);
    expect((await wang.get('/api/v1/users')).status).toBe(403);
  });

  it('a deactivated user or a changed password ends the sessions', async () => {
    const r = await admin.post('/api/v1/users', { username: 'zhao', password: 'password-1', displayName: '赵六', roles: ['agent'] });
    const zhao = await loginAs(platform, 'zhao', 'password-1');
    expect((await zhao.get('/api/v1/auth/me')).status).toBe(200);
    await admin.patch(`/api/v1/users/${r.body.id}`, { password: 'password-2' });
    expect((await zhao.get('/api/v1/auth/me')).status).toBe(401);
    const again = await loginAs(platform, 'zhao', 'password-2');
    await admin.patch(`/api/v1/users/${r.body.id}`, { active: false });
    expect((await again.get('/api/v1/auth/me')).status).toBe(401);
    expect((await anon.post('/api/v1/auth/login', { username: 'zhao', password: 'password-2' })).status).toBe(401);
  });
});

describe('unit members', () => {
  it('lists a unit’s active people to its own manager, and refuses other units and roles', async () => {
    const city = await admin.post('/api/v1/units', { name: '成员测试市', kind: 'city' });
    const a = await admin.post('/api/v1/units', { name: '甲区', kind: 'district', parentId: city.body.id });
    const b = await admin.post('/api/v1/units', { name: '乙区', kind: 'district', parentId: city.body.id });
    const user = (username: string, unitId: number, roles: string[], displayName = username) =>
      admin.post('/api/v1/users', { username, password: 'password-123', displayName, unitId, roles });
    await user('m_a', a.body.id, ['unit_manager'], '甲区负责人');
    await user('h_a', a.body.id, ['handler'], '甲区承办人');
    const gone = await user('h_a_old', a.body.id, ['handler']);
    await admin.patch(`/api/v1/users/${gone.body.id}`, { active: false });
    await user('m_b', b.body.id, ['unit_manager']);

    const managerA = await loginAs(platform, 'm_a', 'password-123');
    const list = await managerA.get(`/api/v1/units/${a.body.id}/members`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((u: any) => u.displayName).sort()).toEqual(['甲区承办人', '甲区负责人'].sort());
    expect(list.body.items[0]).not.toHaveProperty('username');

    expect((await managerA.get(`/api/v1/units/${b.body.id}/members`)).status).toBe(403);
    const handlerA = await loginAs(platform, 'h_a', 'password-123');
    expect((await handlerA.get(`/api/v1/units/${a.body.id}/members`)).status).toBe(403);
    expect((await admin.get(`/api/v1/units/${b.body.id}/members`)).body.items).toHaveLength(1);
    expect((await admin.get('/api/v1/units/999999/members')).status).toBe(404);
  });
});
