// Property-based fuzzing of every route (the OpenAPI list plus /open311/v2): hostile params,
// query and body, as an admin and as an anonymous client. Every answer must be below 500 and,
// when it is an error, carry a clear message and no stack trace; a route that rejected every
// request must have left the database as it was.
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, type Client, loginAs, seedCity, testPlatform, type TestPlatform } from '../../test/helpers.js';

const SESSION_ENDING = new Set(['/api/v1/auth/logout', '/api/v1/auth/sessions/revoke-all', '/api/v1/auth/totp/disable']);

let platform: TestPlatform;
let admin: Client;

interface Route {
  method: string;
  path: string; // with {name} parameters
  query: string[];
  body: Record<string, unknown> | null; // JSON schema of the body
  anonymousOnly?: boolean;
}

const OPEN311: Route[] = [
  ...['json', 'xml'].flatMap((f) => [
    { method: 'GET', path: `/open311/v2/services.${f}`, query: ['jurisdiction_id'], body: null },
    {
      method: 'GET',
      path: `/open311/v2/requests.${f}`,
      query: ['service_request_id', 'service_code', 'start_date', 'end_date', 'status', 'page', 'page_size'],
      body: null,
    },
    {
      method: 'POST',
      path: `/open311/v2/requests.${f}`,
      query: [],
      body: {
        properties: Object.fromEntries(
          [
            'api_key',
            'service_code',
            'lat',
            'long',
            'address_string',
            'description',
            'email',
            'phone',
            'first_name',
            'last_name',
            'media_url',
            'attribute',
          ].map((k) => [k, {}]),
        ),
      },
    },
    { method: 'GET', path: `/open311/v2/discovery.${f}`, query: [], body: null },
  ]),
  { method: 'GET', path: '/open311/v2/services/{code}', query: [], body: null },
  { method: 'GET', path: '/open311/v2/requests/{id}', query: [], body: null },
  { method: 'GET', path: '/open311/v2/tokens/{token}', query: [], body: null },
];

// Tables that legitimately change on a rejected request: sessions, rate limits and audit trails.
const VOLATILE = /^(sessions|pii_access_log|portal_rate_limits|portal_used_challenges|schema_migrations|migrations)$|audit|login|throttl|attempt/;

async function counts(): Promise<Record<string, number>> {
  const { rows: tables } = await platform.db.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
  const list = tables.map((r) => r.t).filter((t) => !VOLATILE.test(t));
  const { rows } = await platform.db.query<{ t: string; n: number }>(list.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM "${t}"`).join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}

const deep = (n: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

const HOSTILE_STRINGS = [
  "'; DROP TABLE units;--",
  '1 OR 1=1',
  "' OR ''='",
  '"; SELECT pg_sleep(1);--',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '%00',
  '${7*7}',
  '{{7*7}}',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '99999999999999999999',
  '2147483648',
  '-2147483649',
  'null',
  'true',
  '[]',
  '{}',
  '',
  ' ',
  '2026-13-45T99:99:99Z',
  '\u202e\u0627',
  '𠮷𠮷𠮷',
  'x'.repeat(5000),
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.integer(),
  fc.constantFrom(-1, 0, 2147483648, -2147483649, Number.MAX_SAFE_INTEGER, 1e308, -1e308, 0.5),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(deep(3000), [1, 'a', null], { $gt: '' }, { __proto__: { admin: true } }, 'x'.repeat(300_000)),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), { maxKeys: 3 }),
);

/** A path segment: hostile text, percent-encoded (or raw broken encodings). */
const segment = fc.oneof(
  hostileValue.map((v) => {
    const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined');
    try {
      return encodeURIComponent(s.slice(0, 300));
    } catch {
      return '%ED%A0%80'; // a lone surrogate as UTF-8 bytes
    }
  }),
  fc.constantFrom('%FF', '%ED%A0%80', '%', '%zz', '..', '-1', '0', '1.5', '99999999999'),
);

const queryValue = hostileValue.map((v) => {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
  try {
    return encodeURIComponent(s.slice(0, 2000));
  } catch {
    return '%ED%A0%80';
  }
});

/** Hostile text that still fits a string schema's length, so that it reaches the service and the database. */
const fittingString = (max: number, min: number) =>
  fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 30, unit: 'binary' })).map((v) => {
    let t = v.slice(0, max);
    while (t.length < min) t += '\u0000x';
    return t.slice(0, Math.max(min, Math.min(max, t.length)));
  });

/** Values shaped like the JSON schema (right types, required keys present) with hostile contents. */
function shaped(schema: any, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return hostileValue;
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.const !== undefined) return fc.constant(schema.const);
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts) return fc.oneof(...alts.map((a: any) => shaped(a, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const orNull = (a: fc.Arbitrary<unknown>) => (schema.nullable ? fc.oneof(a, fc.constant(null)) : a);
  switch (type) {
    case 'string':
      if (schema.format === 'date-time') return orNull(fc.date({ min: new Date(-1e14), max: new Date(1e14), noInvalidDate: true }).map((d) => d.toISOString()));
      return orNull(fittingString(schema.maxLength ?? 300, schema.minLength ?? 0));
    case 'integer':
      return orNull(
        fc.oneof(
          fc.integer({ min: schema.minimum ?? -2147483648, max: schema.maximum ?? 2147483647 }),
          fc.constantFrom(schema.minimum ?? 0, schema.maximum ?? 2147483647),
        ),
      );
    case 'number':
      return orNull(fc.double({ min: schema.minimum ?? -1e308, max: schema.maximum ?? 1e308, noNaN: true, noDefaultInfinity: true }));
    case 'boolean':
      return orNull(fc.boolean());
    case 'array':
      return orNull(
        fc.array(shaped(schema.items, depth + 1), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
        }),
      );
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, unknown>;
      const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, shaped(v, depth + 1)]));
      return orNull(fc.record(model, { requiredKeys: (schema.required ?? []).filter((k: string) => k in props) }));
    }
    default:
      return hostileValue;
  }
}

function bodyFor(r: Route): fc.Arbitrary<unknown> {
  const props = Object.keys((r.body?.properties as Record<string, unknown>) ?? {});
  const objectBody = props.length
    ? fc.dictionary(fc.constantFrom(...props, 'extra', '__proto__', 'constructor'), hostileValue, { maxKeys: props.length + 1 })
    : fc.dictionary(fc.string({ maxLength: 8 }), hostileValue, { maxKeys: 3 });
  return fc.oneof({ weight: 3, arbitrary: r.body ? shaped(r.body) : objectBody }, { weight: 2, arbitrary: objectBody }, { weight: 1, arbitrary: hostileValue });
}

function requestFor(r: Route) {
  const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  return fc.record({
    params: fc.tuple(...params.map(() => segment)).map((xs) => xs),
    query: fc.array(fc.tuple(fc.constantFrom(...(r.query.length ? r.query : ['q']), 'zzz'), queryValue), { maxLength: 4 }),
    body: bodyFor(r),
  });
}

const STACK = /\n\s+at .+:\d+:\d+|node_modules|\.ts:\d+|TypeError|ReferenceError|Cannot read prop/;

async function send(client: Client | null, r: Route, req: { params: string[]; query: [string, string][]; body: unknown }) {
  let i = 0;
  const path = r.path.replace(/\{\w+\}/g, () => req.params[i++] ?? 'x');
  const qs = req.query.map(([k, v]) => `${k}=${v}`).join('&');
  const url = path + (qs ? '?' + qs : '');
  if (process.env.JIESU_FUZZ_TRACE) appendFileSync(process.env.JIESU_FUZZ_TRACE, `${client ? 'admin' : 'anon'} ${r.method} ${url.slice(0, 150)}\n`);
  const res = await platform.app.inject({
    method: r.method as 'GET',
    url,
    headers: { ...(client?.token ? { authorization: `Bearer ${client.token}` } : {}), 'content-type': 'application/json' },
    ...(r.method !== 'GET' && r.method !== 'DELETE' ? { payload: JSON.stringify(req.body) ?? 'null' } : {}),
  });
  const where = `${r.method} ${url.slice(0, 200)} body=${(JSON.stringify(req.body) ?? '').slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, where).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(res.body, where).not.toMatch(STACK);
    if (res.headers['content-type']?.toString().includes('json')) {
      const b = JSON.parse(res.body);
      // The API's {error:{code,message}} (also for errors Fastify raises before routing) or Open311's [{code,description}].
      const message = Array.isArray(b) ? b[0]?.description : b?.error?.message;
      expect(typeof message === 'string' && message.length > 0, where).toBe(true);
    } else {
      expect(res.body.length, where).toBeGreaterThan(0);
    }
  }
  statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
  return res.statusCode;
}
const statuses: Record<number, number> = {};

const routes: Route[] = [];

beforeAll(async () => {
  platform = await testPlatform();
  const city = await seedCity(platform);
  admin = city.users.admin;
  // Something to point at: an order, a contact.
  await city.users.agent.post('/api/v1/workorders', { type: 'request', title: '路灯', content: '路灯不亮', citizen: { name: '张三', phone: '13812341234' } });
  const spec = (await admin.get('/api/v1/openapi.json')).body;
  for (const [path, ops] of Object.entries<Record<string, any>>(spec.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      // A server-sent event stream answers a valid request by never ending: fuzzed anonymously only.
      if (path.endsWith('/stream')) {
        routes.push({ method: 'GET', path, query: [], body: null, anonymousOnly: true });
        continue;
      }
      const query = (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name as string);
      const body = op.requestBody?.content?.['application/json']?.schema ?? null;
      routes.push({ method: method.toUpperCase(), path, query, body });
    }
  }
  routes.push(...OPEN311);
}, 60_000);
afterAll(async () => platform?.close());

const RUNS = Number(process.env.JIESU_FUZZ_RUNS ?? 20);

describe('fuzzing every route', () => {
  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.some((r) => r.path === '/api/v1/workorders/{id}')).toBe(true);
  });

  it('never answers 500, never leaks a stack, and leaves the database alone when it rejects', async () => {
    const started = Date.now();
    const slow: string[] = [];
    for (const r of routes) {
      const t0 = Date.now();
      const before = await counts();
      let accepted = false;
      await fc.assert(
        fc.asyncProperty(requestFor(r), async (req) => {
          // Routes that end sessions (logout, revoking a user's sessions, turning off TOTP) may end the
          // admin's own when fuzzed with its id: give them a session of their own.
          const endsSessions = SESSION_ENDING.has(r.path);
          const a = r.anonymousOnly ? 401 : await send(endsSessions ? await loginAs(platform, 'admin', ADMIN_PASSWORD) : admin, r, req);
          const b = await send(null, r, req);
          if (a < 400 || b < 400) accepted = true;
        }),
        { numRuns: RUNS, seed: Number(process.env.JIESU_FUZZ_SEED ?? 12345), endOnFailure: true },
      );
      if (!accepted) expect(await counts(), `${r.method} ${r.path} changed the database while rejecting`).toEqual(before);
      if (Date.now() - t0 > 1500) slow.push(`${r.method} ${r.path} ${Date.now() - t0} ms`);
      // Revoking the admin's own sessions is legitimate for these routes: sign in again.
      if (SESSION_ENDING.has(r.path) && (await admin.get('/api/v1/auth/me')).status === 401) admin = await loginAs(platform, 'admin', ADMIN_PASSWORD);
      // The admin must still be signed in, or the routes after this one would only be fuzzed anonymously.
      expect((await admin.get('/api/v1/auth/me')).status, `admin session lost after ${r.method} ${r.path}`).toBe(200);
    }
    console.log(
      `fuzz: ${routes.length} routes × ${RUNS} runs × 2 clients in ${((Date.now() - started) / 1000).toFixed(1)} s; answers by status: ${JSON.stringify(statuses)}${slow.length ? '; slow: ' + slow.join(', ') : ''}`,
    );
  }, 180_000);
});
