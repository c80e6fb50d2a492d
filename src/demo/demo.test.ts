import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, testPlatform, throwawayDatabase, type TestPlatform } from '../../test/helpers.js';
import { applyEvent, decide } from '../workorders/index.js';
import type { WorkOrder, ActionContext } from '../workorders/index.js';
import { DEMO_PASSWORD, seedDemo, type DemoSummary } from './seed.js';
import { trainDemoModels } from './models.js';

const END = new Date('2026-11-20T10:00:00Z');
let platform: TestPlatform;
let summary: DemoSummary;

beforeAll(async () => {
  platform = await testPlatform();
  summary = await seedDemo(platform.db, { contacts: 4000, days: 40, seed: 7, end: END });
});
afterAll(async () => platform?.close());

describe('the demo city', () => {
  // First, while the seeded city is untouched (later tests work on its orders).
  it('is reproducible with the same seed, however many parts generate it, and refuses a database that has data', async () => {
    await expect(seedDemo(platform.db, { contacts: 100, days: 2, seed: 7, end: END })).rejects.toThrow(/empty/);
    const other = await testPlatform();
    // The orders in three parts (on a server, three threads with their own connections).
    process.env.JIESU_DEMO_THREADS = '3';
    try {
      await seedDemo(other.db, { contacts: 4000, days: 40, seed: 7, end: END });
      // Everything but the ciphertexts, whose nonces are random (and sums of hours, to rounding).
      const queries = [
        `SELECT md5(string_agg(concat_ws('|', id, number, title, content, status, main_unit_id, created_at, closed_at, citizen_phone_bidx, reopen_count), ',' ORDER BY id)) AS h FROM workorders`,
        `SELECT md5(string_agg(concat_ws('|', workorder_id, seq, type, actor_id, at, data - 'citizen'), ',' ORDER BY workorder_id, seq)) AS h FROM workorder_events`,
        `SELECT md5(string_agg(concat_ws('|', month, unit_id, category_code, district_id, received, signed_on_time, replied_on_time, round(handling_hours::numeric, 6), satisfied, reopened), ',' ORDER BY month, unit_id, category_code, district_id)) AS h FROM kpi_facts`,
        `SELECT md5(string_agg(concat_ws('|', month, unit_id, measures, workorder_id, at), ',' ORDER BY workorder_id, at, measures)) AS h FROM kpi_fact_orders`,
        `SELECT md5(string_agg(concat_ws('|', day, last), ',' ORDER BY day)) AS h FROM workorder_number_counters`,
        `SELECT md5(string_agg(concat_ws('|', id, outcome, workorder_id, started_at), ',' ORDER BY id)) AS h FROM contacts`,
        `SELECT md5(string_agg(concat_ws('|', workorder_id, kind, due_at, level), ',' ORDER BY workorder_id, kind)) AS h FROM order_deadlines`,
      ];
      for (const q of queries) expect((await other.db.query(q)).rows, q).toEqual((await platform.db.query(q)).rows);
    } finally {
      delete process.env.JIESU_DEMO_THREADS;
      await other.close();
    }
  });

  it('has an org tree, staff for every role and printed logins that work', async () => {
    expect(summary.units).toBeGreaterThan(100);
    const roles = new Set(summary.logins.flatMap((l) => l.roles));
    expect([...roles].sort()).toEqual(['admin', 'agent', 'dispatcher', 'followup', 'handler', 'supervisor', 'unit_manager']);
    for (const l of summary.logins) await loginAs(platform, l.username, DEMO_PASSWORD);
    const admin = await loginAs(platform, 'demo_admin', DEMO_PASSWORD);
    const kinds = (await admin.get('/api/v1/units')).body.items.map((u: any) => u.kind);
    for (const k of ['city', 'district', 'subdistrict', 'community', 'bureau', 'utility']) expect(kinds).toContain(k);
  });

  it('has orders in every stage of the lifecycle, with varied texts', async () => {
    const { rows } = await platform.db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM workorders GROUP BY status');
    const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    expect(Object.values(by).reduce((a, b) => a + b, 0)).toBe(summary.orders);
    for (const s of ['closed', 'replied', 'accepted', 'dispatched']) expect(by[s], s).toBeGreaterThan(0);
    const counts = (
      await platform.db.query<{ returns: number; reopens: number; ext: number; titles: number }>(
        `SELECT sum(return_count)::int AS returns, sum(reopen_count)::int AS reopens,
              count(*) FILTER (WHERE extension_days > 0)::int AS ext, count(DISTINCT content)::int AS titles FROM workorders`,
      )
    ).rows[0]!;
    expect(counts.returns).toBeGreaterThan(0);
    expect(counts.reopens).toBeGreaterThan(0);
    expect(counts.ext).toBeGreaterThan(0);
    expect(counts.titles).toBeGreaterThan(summary.orders * 0.9); // not one sentence repeated
    // Replies fit what was asked: questions are answered, only noise is met with quieter working hours.
    const replies = (
      await platform.db.query<{ consult: number; consultExplained: number; offTopicNoise: number }>(
        `SELECT count(*) FILTER (WHERE type = 'consultation')::int AS consult,
              count(*) FILTER (WHERE type = 'consultation' AND reply->>'content' ~ '告知|解释')::int AS "consultExplained",
              count(*) FILTER (WHERE reply->>'content' ~ '噪音|音量' AND content !~ '噪|音响|扰民|吵|喧哗')::int AS "offTopicNoise"
         FROM workorders WHERE reply IS NOT NULL`,
      )
    ).rows[0]!;
    expect(replies.consult).toBeGreaterThan(0);
    expect(replies.consultExplained).toBe(replies.consult);
    expect(replies.offTopicNoise).toBe(0);
  });

  it("follows the city's day and week: busy mornings, quiet nights, fewer calls at the weekend", async () => {
    // END is 18:00 in the city: the rhythm must follow its clock, not the hour the seed ran.
    const { rows } = await platform.db.query<{ morning: number; night: number; weekday: number; weekend: number }>(
      `SELECT count(*) FILTER (WHERE h BETWEEN 9 AND 11)::int AS morning, count(*) FILTER (WHERE h BETWEEN 2 AND 4)::int AS night,
              (count(*) FILTER (WHERE dow BETWEEN 1 AND 5) / 5.0)::float8 AS weekday, (count(*) FILTER (WHERE dow IN (0, 6)) / 2.0)::float8 AS weekend
         FROM (SELECT extract(hour FROM created_at AT TIME ZONE 'Asia/Shanghai') AS h, extract(dow FROM created_at AT TIME ZONE 'Asia/Shanghai') AS dow
                 FROM workorders WHERE created_at < $1::timestamptz - interval '1 day') o`,
      [END],
    );
    const r = rows[0]!;
    expect(r.morning).toBeGreaterThan(10 * r.night);
    expect(r.weekday).toBeGreaterThan(1.2 * r.weekend);
  });

  it('stores every order as the fold of its events, readable through the API', async () => {
    const dispatcher = await loginAs(platform, 'dispatcher1', DEMO_PASSWORD);
    const ids = (await platform.db.query<{ id: number }>('SELECT id FROM workorders ORDER BY random() LIMIT 15')).rows.map((r) => r.id);
    for (const id of ids) {
      const { deadlines: _d, allowedActions: _a, areas: _r, ...order } = (await dispatcher.get(`/api/v1/workorders/${id}`)).body;
      const events = (await dispatcher.get(`/api/v1/workorders/${id}/events`)).body.items;
      const folded = events.reduce((s: WorkOrder | null, e: any) => applyEvent(s, e, id), null);
      expect(folded).toEqual(order);
    }
    // The live lifecycle continues on seeded orders.
    const open = (await dispatcher.get('/api/v1/workorders?status=new&limit=1')).body.items[0];
    if (open) {
      const r = await dispatcher.post(`/api/v1/workorders/${open.id}/actions/dispatch`, { version: open.version, unitId: open.location.districtUnitId });
      expect(r.status).toBe(200);
    }
    // New orders continue the day's numbering without a clash.
    const agent = await loginAs(platform, 'agent1', DEMO_PASSWORD);
    expect((await agent.post('/api/v1/workorders', { type: 'request', title: '测试', content: '测试内容' })).status).toBe(201);
  });

  it('makes each event as the actions do: replayed through decide() by its actor on the order as it stood, it comes out the same', async () => {
    const users = new Map(
      (
        await platform.db.query<{ id: number; username: string; unit_id: number; roles: ActionContext['actor']['roles'] }>(
          'SELECT id, username, unit_id, roles FROM users',
        )
      ).rows.map((u) => [u.id, { id: u.id, username: u.username, unitId: u.unit_id, roles: u.roles }]),
    );
    const { rows } = await platform.db.query<{ workorder_id: number; type: string; actor_id: number; at: Date; data: Record<string, any> }>(
      'SELECT workorder_id, type, actor_id, at, data FROM workorder_events WHERE workorder_id <= $1 ORDER BY workorder_id, seq',
      [summary.orders],
    );
    const actionOf: Record<string, string> = {
      dispatched: 'dispatch',
      signed: 'sign',
      returned: 'return',
      supervised: 'supervise',
      extension_requested: 'request-extension',
      extension_approved: 'approve-extension',
      extension_rejected: 'reject-extension',
      replied: 'reply',
      surveyed: 'survey',
      closed: 'close',
    };
    let order: WorkOrder | null = null;
    let replayed = 0;
    for (const r of rows) {
      const ev = { type: r.type, at: new Date(r.at).toISOString(), actorId: r.actor_id, data: r.data };
      if (ev.type !== 'created') {
        const actor = users.get(ev.actorId)!;
        // The history predates the first district's manager review: its replies went out directly.
        const ctx: ActionContext = {
          actor,
          now: new Date(ev.at),
          survey: { maxAttempts: 3, retryAfterMinutes: 30 },
          isMainUnit: actor.unitId === order!.mainUnitId,
          unitExists: () => Promise.resolve(true),
          orderExists: () => Promise.resolve(true),
          managerReviews: () => Promise.resolve(false),
        };
        const decided = await decide(order!, actionOf[ev.type]!, { ...ev.data, version: order!.version }, ctx);
        expect(decided, `order ${r.workorder_id}, ${ev.type}`).toEqual({ type: ev.type, data: ev.data });
        replayed++;
      }
      order = applyEvent(ev.type === 'created' ? null : order, ev, r.workorder_id);
    }
    expect(replayed).toBeGreaterThan(2 * summary.orders);
  });

  it('has the contacts, calls, deadlines and assessment figures around the orders', async () => {
    expect(summary.contacts).toBe(4000);
    const c = (await platform.db.query<{ outcome: string; n: number }>('SELECT outcome, count(*)::int AS n FROM contacts GROUP BY 1')).rows;
    expect(c.map((r) => r.outcome).sort()).toEqual(['answered', 'duplicate', 'invalid', 'transferred', 'workorder']);
    // Every order links to the contact that created it, and back.
    const unlinked = (
      await platform.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM workorders w LEFT JOIN contacts c ON c.id = w.contact_id AND c.workorder_id = w.id WHERE c.id IS NULL AND w.id <= $1`,
        [summary.orders],
      )
    ).rows[0]!.n;
    expect(unlinked).toBe(0);
    const supervisor = await loginAs(platform, 'supervisor1', DEMO_PASSWORD);
    const stats = await supervisor.get(
      `/api/v1/callcenter/stats?from=${new Date(END.getTime() - 40 * 86400_000).toISOString()}&to=${END.toISOString()}&groupBy=hour`,
    );
    expect(stats.status).toBe(200);
    expect(stats.body.totals.answerRate).toBeGreaterThan(0.8);
    expect(stats.body.totals.answerRate).toBeLessThan(1);
    // Open orders at a unit carry their deadlines, some of them overdue.
    const dl = (await platform.db.query<{ level: string }>(`SELECT DISTINCT level FROM order_deadlines WHERE state = 'running'`)).rows.map((r) => r.level);
    expect(dl).toEqual(expect.arrayContaining(['green', 'red']));
    // The aggregates written while seeding are exactly what a rebuild from the events gives.
    const snapshot = () => platform.db.query('SELECT * FROM kpi_facts ORDER BY month, unit_id, category_code, district_id');
    const seeded = (await snapshot()).rows;
    expect(seeded.length).toBeGreaterThan(0);
    const admin = await loginAs(platform, 'demo_admin', DEMO_PASSWORD);
    expect((await admin.post('/api/v1/kpi/rebuild')).status).toBe(200);
    expect((await snapshot()).rows).toEqual(seeded);
    const rank = await supervisor.get(`/api/v1/kpi/rankings?month=2026-11&kind=district`);
    expect(rank.body.items.filter((x: any) => x.rank != null)).toHaveLength(8);
  });

  it('answers from its knowledge base, lists its services on Open311 and finds duplicates', async () => {
    const agent = await loginAs(platform, 'agent1', DEMO_PASSWORD);
    const kb = await agent.get(`/api/v1/kb/search?q=${encodeURIComponent('路灯不亮')}`);
    expect(kb.status).toBe(200);
    expect(kb.body.items[0].title).toContain('路灯');
    const services = await platform.app.inject({ method: 'GET', url: '/open311/v2/services.json' });
    const list = JSON.parse(services.body);
    expect(list.length).toBe(summary.articles); // one service per leaf category, as one guide each
    expect(list.find((s: any) => s.service_code === '010101')).toMatchObject({ service_name: '城乡建设 / 市政设施 / 路灯', group: '城乡建设' });
    const recent = (
      await platform.db.query<{ title: string; content: string; district_unit_id: number }>(
        'SELECT title, content, district_unit_id FROM workorders ORDER BY created_at DESC LIMIT 1',
      )
    ).rows[0]!;
    const dup = await agent.post('/api/v1/duplicates/check', { title: recent.title, content: recent.content, districtUnitId: recent.district_unit_id });
    expect(dup.status).toBe(200);
    expect(dup.body.candidates.length).toBeGreaterThan(0);
    // The last 14 days' orders, and only those, are indexed for the assistant and the duplicate check.
    const indexed = (
      await platform.db.query<{ orders: number; kb: number; dup: number; both: number }>(
        `SELECT (SELECT count(*)::int FROM workorders WHERE created_at >= $1) AS orders, (SELECT count(*)::int FROM kb_order_index) AS kb,
              (SELECT count(*)::int FROM dup_signatures) AS dup,
              (SELECT count(*)::int FROM workorders w JOIN kb_order_index k ON k.workorder_id = w.id JOIN dup_signatures d ON d.workorder_id = w.id WHERE w.created_at >= $1) AS both`,
        [new Date(END.getTime() - 14 * 86400_000)],
      )
    ).rows[0]!;
    expect(indexed.orders).toBeGreaterThan(100);
    expect(indexed).toEqual({ orders: indexed.orders, kb: indexed.orders, dup: indexed.orders, both: indexed.orders });
    // The traffic light reported again and again on the last day is a hot topic with a spike alert.
    const supervisor = await loginAs(platform, 'supervisor1', DEMO_PASSWORD);
    const hot = await supervisor.get(`/api/v1/hotspots?from=${new Date(END.getTime() - 14 * 86400_000).toISOString()}&to=${END.toISOString()}`);
    expect(hot.status).toBe(200);
    const alerted = hot.body.items.filter((i: any) => i.spike.alert);
    expect(alerted.some((i: any) => JSON.stringify(i).includes('红绿灯'))).toBe(true);
  });
});

describe("the demo city's dispatch models", () => {
  it('are trained from its own history, so an agent typing a complaint sees units and categories with confidence', async () => {
    const trained = await trainDemoModels(platform.db);
    expect(trained.unit).toBeGreaterThan(0);
    expect(trained.category).toBeGreaterThan(0);
    expect(trained.examples).toBeGreaterThan(500);
    const agent = await loginAs(platform, 'agent1', DEMO_PASSWORD);
    const district = (await platform.db.query<{ id: number }>(`SELECT id FROM units WHERE name = '青山区'`)).rows[0]!.id;
    const s = await agent.post('/api/v1/dispatch/suggest', {
      title: '小区门口路灯不亮',
      content: '我家小区门口的路灯好几天了一直不亮，晚上出行很不方便，请尽快维修',
      districtUnitId: district,
    });
    expect(s.status).toBe(200);
    expect(s.body.categories[0]).toMatchObject({ code: '010101', name: '路灯' });
    expect(s.body.categories[0].confidence).toBeGreaterThan(0.5);
    // The responsibility list routes 路灯 in 青山区 and the model agrees.
    // The responsibility list routes 路灯 to 青山区 itself; the model's guesses of other districts are left out.
    expect(s.body.decision).toMatchObject({ unitId: district, reason: 'rule' });
    expect(s.body.units[0]).toMatchObject({ name: '青山区', reason: 'rule' });
    expect(s.body.units.filter((u: any) => /区$/.test(u.name) && u.name !== '青山区')).toEqual([]);
    // A city bureau's matter: the model and the list agree, with the model's confidence.
    const pension = await agent.post('/api/v1/dispatch/suggest', {
      title: '养老保险转移',
      content: '想咨询养老保险转移手续怎么办理，需要带哪些材料',
      districtUnitId: district,
    });
    expect(pension.body.units[0]).toMatchObject({ name: '市人力资源和社会保障局' });
    expect(pension.body.units[0].confidence).toBeGreaterThan(0.3);
    expect(pension.body.categories[0].name).toBe('养老保险');
    // An order made now records the suggestion, and its category is the model's.
    const order = await agent.post('/api/v1/workorders', {
      type: 'complaint',
      title: '路灯不亮',
      content: '小区门口路灯坏了好几天',
      location: { districtUnitId: district },
    });
    const stored = await agent.get(`/api/v1/dispatch/suggestions/${order.body.id}`);
    expect(stored.body.suggestion.categories[0].code).toBe('010101');
  });
});

describe('jiesu demo seed', () => {
  it("ships boundaries for all its districts, sub-districts and communities, holding its orders' points", async () => {
    const agent = await loginAs(platform, 'agent1', DEMO_PASSWORD);
    const fc = (await agent.get('/api/v1/areas')).body;
    const { rows: units } = await platform.db.query<{ id: number; kind: string }>(
      `SELECT id, kind FROM units WHERE kind IN ('district', 'subdistrict', 'community') ORDER BY id`,
    );
    expect(fc.features.map((f: any) => f.properties.unitId).sort((a: number, b: number) => a - b)).toEqual(units.map((u) => u.id));
    // Every sampled order's point lies in the district the order names.
    const { rows } = await platform.db.query<{ lat: number; lng: number; district_unit_id: number }>(
      'SELECT lat, lng, district_unit_id FROM workorders WHERE lat IS NOT NULL ORDER BY id LIMIT 60',
    );
    expect(rows.length).toBe(60);
    for (const r of rows) expect((await agent.get(`/api/v1/areas/resolve?lat=${r.lat}&lng=${r.lng}`)).body.district?.id).toBe(r.district_unit_id);
    // An address of the city, by its estate's name.
    const { rows: c } = await platform.db.query<{ community: string; sub: string; district: string; sub_id: number }>(
      `SELECT c.name AS community, s.name AS sub, d.name AS district, s.id AS sub_id FROM units c JOIN units s ON s.id = c.parent_id
         JOIN units d ON d.id = s.parent_id WHERE c.kind = 'community' ORDER BY c.id LIMIT 1`,
    );
    const estate = `${c[0]!.community.slice(2, -2)}家园`;
    const r = (await agent.post('/api/v1/areas/resolve', { address: `${c[0]!.district}${c[0]!.sub}${estate}小区南门` })).body;
    expect(r.subdistrict).toEqual({ id: c[0]!.sub_id, name: c[0]!.sub });
    expect(r.community.name).toBe(c[0]!.community);
  });

  it('seeds from the command line and prints the demo logins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-demo-'));
    const db = await throwawayDatabase();
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['bin/jiesu.js', 'demo', 'seed', '--contacts', '500', '--days', '5', '--data', join(dir, 'data')],
        { env: { ...process.env, DATABASE_URL: db?.url ?? '' } },
      );
      expect(stdout).toMatch(/demo city seeded/);
      expect(stdout).toMatch(/agent1\s+agent/);
      const bad = await promisify(execFile)(process.execPath, ['bin/jiesu.js', 'demo', 'seed', '--days', 'x'], {}).catch((e) => e);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/positive integer/);
    } finally {
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
