// Deny by default: every route of the OpenAPI document, spelled as a client might spell it
// (percent-encoded letters, doubled slashes, mixed case), anonymously and as the
// least-privileged staff member. A route is open only where its config says `public`, which
// the document shows as an empty security requirement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCity, testPlatform, type TestPlatform } from './helpers.js';

let platform: TestPlatform;
let city: Awaited<ReturnType<typeof seedCity>>;
interface Op {
  method: string;
  path: string;
  public: boolean;
}
let ops: Op[];
let orderOfA: { id: number; number: string };

beforeAll(async () => {
  platform = await testPlatform();
  city = await seedCity(platform);
  const doc = JSON.parse((await platform.app.inject({ url: '/api/v1/openapi.json' })).body);
  ops = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[] }>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map(([m, op]) => ({ method: m.toUpperCase(), path, public: Array.isArray(op.security) && op.security.length === 0 })),
  );
  const o = await city.users.agent.post('/api/v1/workorders', { type: 'complaint', title: '噪音扰民', content: '夜间施工噪音' });
  expect(o.status).toBe(201);
  const d = await city.users.dispatcher.post(`/api/v1/workorders/${o.body.id}/actions/dispatch`, { version: o.body.version, unitId: city.units.districtA });
  expect(d.status).toBe(200);
  orderOfA = { id: o.body.id, number: o.body.number };
});
afterAll(() => platform?.close());

/** A concrete URL for an OpenAPI path: ids name district A's order, so district B's handler may not see it. */
function concrete(path: string): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (name === 'number') return orderOfA.number;
    if (name === 'year') return '2026';
    if (name === 'phone') return '13800001111';
    return String(orderOfA.id);
  });
}

/** The spellings of one path that reach the same route, and those that must reach none. */
function spellings(url: string): { same: string[]; other: string[] } {
  const enc = (s: string) => s.replace(/^\/([a-z])/, (_, c: string) => `/%${c.charCodeAt(0).toString(16)}`);
  const encAll = (s: string) =>
    s
      .split('/')
      .map((seg) => (/^[a-z]/.test(seg) ? `%${seg.charCodeAt(0).toString(16)}${seg.slice(1)}` : seg))
      .join('/');
  return {
    same: [url, enc(url), encAll(url)],
    other: [url.replace(/^\//, '//'), url.replace(/\/v1\//, '//v1/'), url.replace(/^\/([a-z]+)/, (m) => m.toUpperCase()), url.replace(/\/v1\//, '/V1/')],
  };
}

async function call(method: string, url: string, token?: string) {
  const res = await platform.app.inject({
    method: method as 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
  });
  return { status: res.statusCode, body: res.body };
}

describe('deny by default', () => {
  it('finds the routes, and marks only the intended ones public', () => {
    expect(ops.length).toBeGreaterThan(80);
    const pub = ops.filter((o) => o.public).map((o) => `${o.method} ${o.path}`);
    // Sign-in, health, the citizen portal and open data, the city's boundaries and map settings (the
    // portal's map draws them); Open311 checks its own api_key; the SMS provider's callbacks check
    // their token, the citizen's rating page its one-time link.
    for (const p of pub)
      expect(p).toMatch(/ \/api\/v1\/(auth\/login|health|portal\/|opendata\/|areas$|areas\/map$|sms\/(receipts|inbound|rating\/))| \/open311\//);
    expect(pub).not.toContain('GET /api/v1/areas/resolve');
    expect(pub).toContain('POST /api/v1/auth/login');
    expect(pub).not.toContain('GET /api/v1/units');
    expect(pub).not.toContain('POST /api/v1/auth/logout');
  });

  it('answers 401 to anyone without a token, however the path is spelled', async () => {
    const failures: string[] = [];
    for (const op of ops.filter((o) => !o.public)) {
      const { same, other } = spellings(concrete(op.path));
      for (const url of same) {
        const r = await call(op.method, url);
        if (r.status !== 401) failures.push(`${op.method} ${url}: ${r.status} ${r.body.slice(0, 80)}`);
      }
      for (const url of other) {
        // Not the route: the JSON 404 (or the web app's shell for a GET outside /api), never data.
        const r = await call(op.method, url);
        if (r.status !== 401 && r.status !== 404 && !(r.status === 200 && r.body.startsWith('<!doctype html'))) {
          failures.push(`${op.method} ${url}: ${r.status} ${r.body.slice(0, 80)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('the reported side doors are shut', async () => {
    expect((await call('GET', '/%61pi/v1/units')).status).toBe(401);
    expect((await call('POST', '/%61pi/v1/auth/logout')).status).toBe(401);
    const logout = await call('POST', '/api/v1/auth/logout');
    expect(logout.status).toBe(401);
    expect(JSON.parse(logout.body).error.code).toBe('unauthorized');
  });

  it('gives the least-privileged role no server error and only what a handler may do', async () => {
    const token = city.users.handlerB.token!;
    const failures: string[] = [];
    const allowed: string[] = [];
    for (const op of ops.filter((o) => !o.public)) {
      if (op.path === '/api/v1/auth/logout') continue; // would end the session the walk runs on
      for (const url of spellings(concrete(op.path)).same) {
        const r = await call(op.method, url, token);
        if (r.status >= 500) failures.push(`${op.method} ${url}: ${r.status}`);
        if (r.status < 300 && url === concrete(op.path)) allowed.push(`${op.method} ${op.path}`);
      }
    }
    expect(failures).toEqual([]);
    // Nothing about district A's order, nothing an admin or the center keeps for itself.
    for (const a of allowed) {
      expect(a).not.toMatch(/\/workorders\/\{id\}|\/contacts|\/callers|\/audit|\/users$|\/privacy|\/reports|\/hotspots|\/survey\/queue/);
      if (!a.startsWith('GET ')) expect(a).toMatch(/\/notifications|\/auth\/|\/me\/|\/kb\//);
    }
  });
});
