// Test platform: an in-memory PGlite, or, when DATABASE_URL is set, a throw-away
// database on that PostgreSQL server, so one suite runs against both engines.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startPlatform, type Platform } from '../src/server.js';

export const ADMIN_PASSWORD = 'admin-pass-123';
// Citizen personal data is encrypted at rest (src/privacy): tests use a fixed key, which the
// CLI processes they spawn inherit.
process.env.JIESU_PII_KEYS ??= `test:${Buffer.alloc(32, 7).toString('base64')}`;
export const engine = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export interface TestPlatform extends Platform {
  databaseUrl?: string;
}

/** Creates an empty database on the DATABASE_URL server; returns its URL and a drop function. */
export async function throwawayDatabase(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const base = process.env.DATABASE_URL;
  if (!base) return null;
  const name = `jiesu_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = '/' + name;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function testPlatform(): Promise<TestPlatform> {
  const tmp = await throwawayDatabase();
  const platform = await startPlatform({ databaseUrl: tmp?.url, adminPassword: ADMIN_PASSWORD });
  return {
    ...platform,
    databaseUrl: tmp?.url,
    async close() {
      await platform.close();
      await tmp?.drop();
    },
  };
}

export interface Res<T = any> {
  status: number;
  body: T;
}

/** A tiny HTTP client over app.inject, as one logged-in user. */
export class Client {
  constructor(
    private readonly platform: Platform,
    readonly token?: string,
  ) {}

  async request<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const res = await this.platform.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...headers },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  }
  get<T = any>(url: string) {
    return this.request<T>('GET', url);
  }
  post<T = any>(url: string, body?: unknown) {
    return this.request<T>('POST', url, body ?? {});
  }
  patch<T = any>(url: string, body: unknown) {
    return this.request<T>('PATCH', url, body);
  }
  put<T = any>(url: string, body: unknown) {
    return this.request<T>('PUT', url, body);
  }
  delete<T = any>(url: string) {
    return this.request<T>('DELETE', url);
  }
}

export async function loginAs(platform: Platform, username: string, password: string): Promise<Client> {
  const res = await new Client(platform).post('/api/v1/auth/login', { username, password });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return new Client(platform, res.body.token);
}

/** A small city with one user per role; `handlerB` belongs to another district. */
export async function seedCity(platform: Platform) {
  const admin = await loginAs(platform, 'admin', ADMIN_PASSWORD);
  const unit = async (name: string, kind: string, parentId?: number) => {
    const r = await admin.post('/api/v1/units', { name, kind, parentId });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    return r.body.id as number;
  };
  const city = await unit('示范市', 'city');
  const center = await unit('12345热线中心', 'bureau', city);
  const districtA = await unit('东城区', 'district', city);
  const streetA = await unit('东华门街道', 'subdistrict', districtA);
  const districtB = await unit('西城区', 'district', city);
  const bureau = await unit('市住房和城乡建设委员会', 'bureau', city);
  const units = { city, center, districtA, streetA, districtB, bureau };
  const password = 'password-123';
  const user = async (username: string, unitId: number, roles: string[]) => {
    const r = await admin.post('/api/v1/users', { username, password, displayName: username, unitId, roles });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    return loginAs(platform, username, password);
  };
  const users = {
    admin,
    agent: await user('agent1', center, ['agent']),
    dispatcher: await user('dispatcher1', center, ['dispatcher']),
    followup: await user('followup1', center, ['followup']),
    supervisor: await user('supervisor1', center, ['supervisor']),
    handlerA: await user('handler_a', districtA, ['handler']),
    managerA: await user('manager_a', districtA, ['unit_manager']),
    handlerStreetA: await user('handler_street_a', streetA, ['handler']),
    handlerB: await user('handler_b', districtB, ['handler']),
  };
  return { units, users, password };
}
