// Who may do what: every role (and an anonymous client) × every endpoint of the work-order,
// contact, KPI, knowledge-base and time-limit APIs × an order of the user's own unit and one
// of another unit. The POLICY table below is the specification; the expected status of every
// cell is derived from it:
//   anonymous                                    → 401
//   a unit role on an order it does not see (another unit's, or one not yet dispatched)
//                                                 → 404, as for a missing order (ids cannot be probed)
//   role not in `who`                             → 403
//   `scoped` and a unit role on another unit's data  → 403 (a list just leaves it out)
//   otherwise                                     → `ok` (200 or 201)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, seedCity, testPlatform, type TestPlatform } from '../../test/helpers.js';

type Role = 'agent' | 'dispatcher' | 'handler' | 'unit_manager' | 'followup' | 'supervisor' | 'admin';
const STAFF: Role[] = ['agent', 'dispatcher', 'handler', 'unit_manager', 'followup', 'supervisor', 'admin'];
/** Roles whose view is limited to their unit (handler) or unit subtree (unit_manager). */
const UNIT_ROLES: Role[] = ['handler', 'unit_manager'];

interface Target {
  /** An order whose main unit is the user's district (A) or another district (B). */
  orderId: number;
  unitId: number;
  contactId: number;
}

interface Policy {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  who: Role[];
  /** Unit roles reach only their own unit's data. */
  scoped: boolean;
  ok: 200 | 201;
  url: (t: Target) => string;
  body?: (t: Target) => unknown;
  /** A fresh order for a write (its state matters): returns the target to act on. */
  prepare?: (unitId: number) => Promise<Target>;
  /** The route refuses other roles before it looks the order up (so a missing order gets the same 403). */
  rolesFirst?: boolean;
  /** For lists: the order ids the answer shows (the other unit's order must not be among them). */
  ids?: (body: any) => number[];
}

let platform: TestPlatform;
let city: Awaited<ReturnType<typeof seedCity>>;
let clients: Record<Role, Client>;
let own: Target;
let other: Target;
let kpiSettings: unknown;

async function newOrder(unitId: number | null): Promise<Target> {
  const u = city.users;
  const c = await u.agent.post('/api/v1/contacts', {
    channel: 'phone',
    startedAt: new Date(Date.now() - 60_000).toISOString(),
    caller: { phone: '13812341234', name: '张三' },
    summary: '路灯不亮',
    outcome: 'workorder',
    workorder: { type: 'request', title: '路灯不亮', content: '小区门口路灯不亮' },
  });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const order = c.body.workorder;
  if (unitId != null) {
    const d = await u.dispatcher.post(`/api/v1/workorders/${order.id}/actions/dispatch`, { version: order.version, unitId });
    expect(d.status, JSON.stringify(d.body)).toBe(200);
  }
  return { orderId: order.id, unitId: unitId ?? 0, contactId: c.body.id };
}

const CENTER_READERS: Role[] = ['agent', 'dispatcher', 'followup', 'supervisor', 'admin'];
const KPI_READERS: Role[] = ['supervisor', 'admin', 'dispatcher', 'unit_manager'];

const POLICY: Policy[] = [
  // --- work orders ---------------------------------------------------------------------
  {
    name: 'list orders',
    method: 'GET',
    who: STAFF,
    scoped: true,
    ok: 200,
    url: () => '/api/v1/workorders?limit=200',
    ids: (b) => b.items.map((o: any) => o.id),
  },
  { name: 'read an order', method: 'GET', who: STAFF, scoped: true, ok: 200, url: (t) => `/api/v1/workorders/${t.orderId}` },
  { name: 'read its history', method: 'GET', who: STAFF, scoped: true, ok: 200, url: (t) => `/api/v1/workorders/${t.orderId}/events` },
  { name: 'read its deadlines', method: 'GET', who: STAFF, scoped: true, ok: 200, url: (t) => `/api/v1/workorders/${t.orderId}/deadlines` },
  { name: 'read its callers', method: 'GET', who: STAFF, scoped: true, ok: 200, url: (t) => `/api/v1/workorders/${t.orderId}/callers` },
  { name: 'read its duplicates', method: 'GET', who: STAFF, scoped: true, ok: 200, url: (t) => `/api/v1/workorders/${t.orderId}/duplicates` },
  {
    name: 'create an order',
    method: 'POST',
    who: ['agent', 'dispatcher'],
    scoped: false,
    ok: 201,
    url: () => '/api/v1/workorders',
    body: () => ({ type: 'request', title: '井盖缺失', content: '路口井盖缺失' }),
  },
  {
    name: 'dispatch',
    method: 'POST',
    who: ['dispatcher'],
    scoped: false,
    ok: 200,
    prepare: async (unitId) => ({ ...(await newOrder(null)), unitId }),
    url: (t) => `/api/v1/workorders/${t.orderId}/actions/dispatch`,
    body: (t) => ({ version: 1, unitId: t.unitId }),
  },
  {
    name: 'sign for',
    method: 'POST',
    who: ['handler', 'unit_manager'],
    scoped: true,
    ok: 200,
    prepare: (unitId) => newOrder(unitId),
    url: (t) => `/api/v1/workorders/${t.orderId}/actions/sign`,
    body: () => ({ version: 2 }),
  },
  {
    name: 'supervise',
    method: 'POST',
    who: ['supervisor'],
    scoped: false,
    ok: 200,
    prepare: (unitId) => newOrder(unitId),
    url: (t) => `/api/v1/workorders/${t.orderId}/actions/supervise`,
    body: () => ({ version: 2, note: '请加快办理' }),
  },
  {
    name: 'add a repeat caller',
    method: 'POST',
    who: ['agent', 'dispatcher'],
    scoped: true,
    ok: 201,
    rolesFirst: true,
    url: (t) => `/api/v1/workorders/${t.orderId}/repeats`,
    body: () => ({ name: '李四', phone: '13900001111' }),
  },
  // --- contacts --------------------------------------------------------------------------
  { name: 'list contacts', method: 'GET', who: CENTER_READERS, scoped: false, ok: 200, url: () => '/api/v1/contacts' },
  { name: 'read a contact', method: 'GET', who: CENTER_READERS, scoped: false, ok: 200, url: (t) => `/api/v1/contacts/${t.contactId}` },
  { name: 'caller history', method: 'GET', who: ['agent', 'dispatcher'], scoped: false, ok: 200, url: () => '/api/v1/callers/13812341234/history' },
  {
    name: 'record a contact',
    method: 'POST',
    who: ['agent', 'dispatcher'],
    scoped: false,
    ok: 201,
    url: () => '/api/v1/contacts',
    body: () => ({ channel: 'web', startedAt: new Date().toISOString(), summary: '咨询', outcome: 'answered' }),
  },
  // --- KPI -------------------------------------------------------------------------------
  { name: 'unit KPIs', method: 'GET', who: KPI_READERS, scoped: true, ok: 200, url: (t) => `/api/v1/kpi/units?unitId=${t.unitId}` },
  { name: 'rankings', method: 'GET', who: KPI_READERS, scoped: false, ok: 200, url: () => '/api/v1/kpi/rankings?kind=district' },
  { name: 'KPI drill-down', method: 'GET', who: KPI_READERS, scoped: true, ok: 200, url: (t) => `/api/v1/kpi/orders?unitId=${t.unitId}&measure=received` },
  { name: 'KPI settings', method: 'GET', who: KPI_READERS, scoped: false, ok: 200, url: () => '/api/v1/kpi/settings' },
  { name: 'change KPI settings', method: 'PUT', who: ['admin'], scoped: false, ok: 200, url: () => '/api/v1/kpi/settings', body: () => kpiSettings },
  {
    name: 'monthly report',
    method: 'GET',
    who: ['supervisor', 'admin'],
    scoped: false,
    ok: 200,
    url: () => `/api/v1/reports/monthly?month=${new Date().toISOString().slice(0, 7)}`,
  },
  // --- knowledge base --------------------------------------------------------------------
  { name: 'list articles', method: 'GET', who: STAFF, scoped: false, ok: 200, url: () => '/api/v1/kb/articles' },
  { name: 'search articles', method: 'GET', who: STAFF, scoped: false, ok: 200, url: () => '/api/v1/kb/search?q=%E8%B7%AF%E7%81%AF' },
  { name: 'synonyms', method: 'GET', who: STAFF, scoped: false, ok: 200, url: () => '/api/v1/kb/synonyms' },
  {
    name: 'add synonyms',
    method: 'POST',
    who: ['admin'],
    scoped: false,
    ok: 201,
    url: () => '/api/v1/kb/synonyms',
    body: () => ({ terms: [`灯${Math.random()}`, `路灯${Math.random()}`] }),
  },
  // --- time limits -----------------------------------------------------------------------
  { name: 'overdue watch list', method: 'GET', who: STAFF, scoped: false, ok: 200, url: () => '/api/v1/sla/orders?level=red' },
  { name: 'time-limit settings', method: 'GET', who: STAFF, scoped: false, ok: 200, url: () => '/api/v1/sla/settings' },
  {
    name: 'change time-limit settings',
    method: 'PATCH',
    who: ['admin'],
    scoped: false,
    ok: 200,
    url: () => '/api/v1/sla/settings',
    body: () => ({ warnShare: 0.8 }),
  },
  { name: 'time-limit policies', method: 'GET', who: STAFF, scoped: false, ok: 200, url: () => '/api/v1/sla/policies' },
  { name: 'follow-up queue', method: 'GET', who: ['followup', 'supervisor'], scoped: false, ok: 200, url: () => '/api/v1/survey/queue' },
];

/** The answer, its body parsed when it is JSON (the monthly report is a spreadsheet). */
async function call(token: string | undefined, method: string, url: string, body?: unknown) {
  const res = await platform.app.inject({
    method: method as 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(body !== undefined ? { payload: body as object } : {}),
  });
  const json = res.headers['content-type']?.toString().includes('json');
  return { status: res.statusCode, body: json && res.body ? JSON.parse(res.body) : undefined };
}

/** Endpoints that name one order in their path. */
const namesAnOrder = (p: Policy) => /\/workorders\/-1(\/|$)/.test(p.url({ orderId: -1, unitId: -1, contactId: -1 }));

function expected(p: Policy, role: Role | 'anonymous', side: 'own' | 'other'): number {
  if (role === 'anonymous') return 401;
  const unseen = side === 'other' || p.name === 'dispatch'; // dispatch acts on an undispatched order
  if (namesAnOrder(p) && UNIT_ROLES.includes(role) && unseen && !(p.rolesFirst && !p.who.includes(role))) return 404;
  if (!p.who.includes(role)) return 403;
  if (p.scoped && side === 'other' && UNIT_ROLES.includes(role) && !p.ids) return 403;
  return p.ok;
}

beforeAll(async () => {
  platform = await testPlatform();
  city = await seedCity(platform);
  const u = city.users;
  clients = {
    agent: u.agent,
    dispatcher: u.dispatcher,
    handler: u.handlerA,
    unit_manager: u.managerA,
    followup: u.followup,
    supervisor: u.supervisor,
    admin: u.admin,
  };
  own = await newOrder(city.units.districtA);
  other = await newOrder(city.units.districtB);
  kpiSettings = (await u.admin.get('/api/v1/kpi/settings')).body;
}, 60_000);
afterAll(async () => platform?.close());

describe('role × endpoint × unit matrix', () => {
  for (const p of POLICY) {
    it(`${p.method} ${p.name}`, async () => {
      const failures: string[] = [];
      for (const role of [...STAFF, 'anonymous'] as const) {
        for (const side of ['own', 'other'] as const) {
          const unitId = side === 'own' ? city.units.districtA : city.units.districtB;
          const t = p.prepare ? await p.prepare(unitId) : side === 'own' ? own : other;
          const token = role === 'anonymous' ? undefined : clients[role].token;
          const r = await call(token, p.method, p.url(t), p.body?.(t));
          const want = expected(p, role, side);
          if (r.status !== want) failures.push(`${role} ${side}: ${r.status} (expected ${want}) ${JSON.stringify(r.body).slice(0, 160)}`);
          if (r.status >= 400 && !r.body?.error?.message) failures.push(`${role} ${side}: error without a message`);
          if (p.ids && r.status === 200) {
            const shown = p.ids(r.body).includes(t.orderId);
            const hidden = UNIT_ROLES.includes(role as Role) && side === 'other';
            if (shown === hidden) failures.push(`${role} ${side}: order ${t.orderId} ${shown ? 'shown' : 'missing'} in the list`);
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
