// The escalation job through the API and the CLI: yellow, red (with an automatic 督办 in the
// order history), the second level to the parent unit, exactly once, inbox and webhook.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, engine } from '../../test/helpers.js';
import { useCity } from '../../test/fixtures.js';
import { cityTimeText } from '../core/time.js';
import type { WorkOrder } from '../workorders/index.js';

const run = promisify(execFile);

const t = useCity();

async function step(c: Client, o: WorkOrder, action: string, body: Record<string, unknown> = {}): Promise<WorkOrder> {
  const r = await c.post(`/api/v1/workorders/${o.id}/actions/${action}`, { version: o.version, ...body });
  expect(r.status, `${action}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}
async function dispatched(unitId: number, extra: Record<string, unknown> = {}): Promise<WorkOrder> {
  const r = await t.u.agent.post('/api/v1/workorders', { type: 'request', title: '路面塌陷', content: '人行道路面塌陷，存在安全隐患。', ...extra });
  expect(r.status).toBe(201);
  return step(t.u.dispatcher, r.body, 'dispatch', { unitId });
}
const deadlines = async (id: number) =>
  Object.fromEntries((await t.u.dispatcher.get(`/api/v1/workorders/${id}/deadlines`)).body.items.map((d: any) => [d.kind, d])) as Record<'sign' | 'reply', any>;
const tickAt = async (now: string | number) => {
  const r = await t.u.admin.post('/api/v1/sla/tick', { now: new Date(now).toISOString() });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { claimed: number; fired: { orderId: number; kind: string; level: string }[]; webhooks: { sent: number; failed: number; dead: number } };
};
const firedFor = (r: { fired: { orderId: number; kind: string; level: string }[] }, id: number) =>
  r.fired
    .filter((f) => f.orderId === id)
    .map((f) => `${f.kind}:${f.level}`)
    .sort();
const inbox = async (c: Client, orderId: number) =>
  ((await c.get('/api/v1/notifications?limit=200')).body.items as any[]).filter((n) => n.workorderId === orderId);
const ms = (iso: string) => Date.parse(iso);
const fresh = async (o: WorkOrder): Promise<WorkOrder> => (await t.u.dispatcher.get(`/api/v1/workorders/${o.id}`)).body;
/** Moves the start of an order's deadlines to a fixed instant (as if dispatched then) and recomputes them. */
async function dispatchedAt(id: number, at: string) {
  await t.platform.db.query('UPDATE order_deadlines SET started_at = $2 WHERE workorder_id = $1', [id, at]);
  expect((await t.u.admin.post('/api/v1/sla/recompute', { orderId: id })).status).toBe(200);
}

describe('the escalation job', () => {
  it('fires yellow, red with a supervision notice, then the second level to the parent unit — each once', async () => {
    const o = await dispatched(t.city.units.streetA, { urgency: 'urgent' });
    await dispatchedAt(o.id, '2025-10-09T10:00:00+08:00'); // Thursday after National Day
    const d = await deadlines(o.id);
    expect(d.sign).toMatchObject({ dueAt: '2025-10-09T04:00:00.000Z', warnAt: '2025-10-09T03:30:00.000Z', escalateAt: '2025-10-10T10:00:00.000Z' });
    expect(d.reply.dueAt).toBe('2025-10-10T10:00:00.000Z');

    expect(firedFor(await tickAt(ms(d.sign.warnAt) - 1000), o.id)).toEqual([]);
    expect(firedFor(await tickAt(d.sign.warnAt), o.id)).toEqual(['sign:yellow']);
    expect(firedFor(await tickAt(d.sign.warnAt), o.id)).toEqual([]); // again: nothing
    expect((await deadlines(o.id)).sign.firedLevel).toBe('yellow');

    // The street's handler and the supervisors are told; others are not.
    const mine = await inbox(t.u.handlerStreetA, o.id);
    expect(mine.map((n) => n.kind)).toEqual(['sla.yellow']);
    expect(mine[0].title).toContain(o.number);
    // The deadline reads in the city's clock, as people write it; programs get ISO in data.
    expect(mine[0].body).toContain(cityTimeText(d.sign.dueAt));
    expect(mine[0].body).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(`${mine[0].title}${mine[0].body}`).not.toMatch(/[A-Za-z]{3,}/);
    expect(mine[0].data).toMatchObject({ number: o.number, dueAt: new Date(d.sign.dueAt).toISOString(), deadline: 'sign' });
    expect((await inbox(t.u.supervisor, o.id)).map((n) => n.kind)).toEqual(['sla.yellow']);
    expect(await inbox(t.u.handlerB, o.id)).toEqual([]);
    expect(await inbox(t.u.handlerA, o.id)).toEqual([]);

    const red = await tickAt(d.sign.dueAt);
    expect(firedFor(red, o.id)).toEqual(['sign:red']);
    const events = (await t.u.supervisor.get(`/api/v1/workorders/${o.id}/events`)).body.items as any[];
    const sup = events.filter((e) => e.type === 'supervised');
    expect(sup).toHaveLength(1);
    expect(sup[0]).toMatchObject({ actorId: null, data: { automatic: true, level: 1, deadline: 'sign' } });
    expect((await t.u.supervisor.get(`/api/v1/workorders/${o.id}`)).body.supervisionCount).toBe(1);
    expect((await t.u.supervisor.get('/api/v1/sla/orders?level=red&at=' + encodeURIComponent(d.sign.dueAt))).body.items.map((i: any) => i.orderId)).toContain(
      o.id,
    );

    // The second level goes to the parent (the district) after the further delay.
    expect(firedFor(await tickAt(ms(d.sign.escalateAt) - 1000), o.id)).toEqual(['reply:yellow']);
    expect(await inbox(t.u.managerA, o.id)).toEqual([]);
    const esc = await tickAt(d.sign.escalateAt); // also the urgent reply's due time (end of the next working day)
    expect(firedFor(esc, o.id)).toEqual(['reply:red', 'sign:escalated']);
    expect((await inbox(t.u.managerA, o.id)).map((n) => n.kind)).toEqual(['sla.escalated']);
    expect((await inbox(t.u.handlerA, o.id)).map((n) => n.kind)).toEqual(['sla.escalated']);
    const levels = ((await t.u.supervisor.get(`/api/v1/workorders/${o.id}/events`)).body.items as any[])
      .filter((e) => e.type === 'supervised')
      .map((e) => `${e.data.deadline}:${e.data.level}`);
    expect(levels[0]).toBe('sign:1');
    expect(levels.slice(1).sort()).toEqual(['reply:1', 'sign:2']);
    expect(firedFor(await tickAt(ms(d.sign.escalateAt) + 30 * 86400_000), o.id)).toEqual(['reply:escalated']);
    expect(firedFor(await tickAt(ms(d.sign.escalateAt) + 60 * 86400_000), o.id)).toEqual([]);

    // Mark read.
    const n = (await inbox(t.u.managerA, o.id))[0];
    const before = (await t.u.managerA.get('/api/v1/notifications?unread=true')).body.unreadCount;
    const read = await t.u.managerA.post(`/api/v1/notifications/${n.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.readAt).toBeTruthy();
    expect((await t.u.managerA.get('/api/v1/notifications?unread=true')).body.unreadCount).toBe(before - 1);
    expect((await t.u.handlerB.post(`/api/v1/notifications/${n.id}/read`)).status).toBe(404); // not theirs
  });

  it('a deadline missed while no job ran fires its highest level once; met deadlines never fire', async () => {
    let o = await dispatched(t.city.units.districtA);
    o = await step(t.u.handlerA, o, 'sign');
    const d = await deadlines(o.id);
    const r = await tickAt(ms(d.reply.dueAt) + 60_000);
    expect(firedFor(r, o.id)).toEqual(['reply:red']); // no yellow first, no sign warning (signed)
    o = await step(t.u.handlerA, await fresh(o), 'reply', { content: '已修复', resolved: true });
    expect(firedFor(await tickAt(ms(d.reply.escalateAt) + 86400_000), o.id)).toEqual([]);
  });

  it('stops while the order is back at the center and starts again on re-dispatch', async () => {
    let o = await dispatched(t.city.units.districtA);
    const first = await deadlines(o.id);
    o = await step(t.u.handlerA, o, 'return', { reason: '不属于本单位职责' });
    expect((await deadlines(o.id)).sign.state).toBe('suspended');
    expect(firedFor(await tickAt(ms(first.reply.escalateAt) + 1000), o.id)).toEqual([]);
    o = await step(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtB });
    const second = await deadlines(o.id);
    expect(second.sign).toMatchObject({ state: 'running', cycle: 2, unitId: t.city.units.districtB, firedLevel: 'green' });
    expect(firedFor(await tickAt(second.sign.dueAt), o.id)).toContain('sign:red');
    expect((await inbox(t.u.handlerB, o.id)).map((x) => x.kind)).toContain('sla.red');
  });

  it('fires each level exactly once when several job runs race', async () => {
    const orders: WorkOrder[] = [];
    for (let i = 0; i < 12; i++) orders.push(await dispatched(t.city.units.bureau));
    const late = ms((await deadlines(orders[0]!.id)).reply.dueAt) + 3600_000;
    const runs = await Promise.all([0, 1, 2, 3].map(() => tickAt(late)));
    const all = runs.flatMap((r) => r.fired).filter((f) => orders.some((o) => o.id === f.orderId));
    expect(all).toHaveLength(24); // sign and reply red for each order
    expect(new Set(all.map((f) => `${f.orderId}:${f.kind}:${f.level}`)).size).toBe(24);
    const { rows } = await t.platform.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM workorder_events WHERE type = 'supervised' AND workorder_id = ANY($1::int[])`,
      [orders.map((o) => o.id)],
    );
    expect(rows[0]!.n).toBe(24);
  });
});

describe('the webhook', () => {
  let server: Server;
  const received: any[] = [];
  let failNext = 1;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end('busy');
          return;
        }
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await t.u.admin.patch('/api/v1/sla/settings', { webhookUrl: null });
    await new Promise((r) => server.close(r));
  });

  it('posts each warning as JSON, retries a failure later and records every attempt', async () => {
    expect((await t.u.admin.patch('/api/v1/sla/settings', { webhookUrl: 'ftp://x' })).status).toBe(400);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    expect((await t.u.admin.patch('/api/v1/sla/settings', { webhookUrl: url })).status).toBe(200);
    let o = await dispatched(t.city.units.districtA);
    o = await step(t.u.handlerA, o, 'sign');
    const d = await deadlines(o.id);
    const t1 = await tickAt(d.reply.warnAt);
    expect(firedFor(t1, o.id)).toEqual(['reply:yellow']);
    expect(t1.webhooks).toMatchObject({ sent: 0, failed: 1 });
    expect(received).toHaveLength(0);
    expect((await tickAt(ms(d.reply.warnAt) + 1000)).webhooks.sent).toBe(0); // not yet due for a retry
    const t2 = await tickAt(ms(d.reply.warnAt) + 60_000);
    expect(t2.webhooks.sent).toBe(1);
    expect(received[0]).toMatchObject({ event: 'sla.yellow', deadline: 'reply', order: { id: o.id, number: o.number } });
    const out = (await t.u.admin.get('/api/v1/webhooks/outbox')).body.items.find((x: any) => x.payload.order.id === o.id);
    expect(out).toMatchObject({ status: 'sent', attempts: 2 });
    expect(out.attemptLog.map((a: any) => a.status)).toEqual([503, 204]);
    expect((await t.u.supervisor.get('/api/v1/webhooks/outbox')).status).toBe(403);
  });
});

describe('jiesu sla tick (CLI)', () => {
  it('runs the job once from the command line, and rejects a bad --now with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-sla-'));
    try {
      const args = t.platform.databaseUrl ? ['--database-url', t.platform.databaseUrl] : ['--data', dir];
      if (engine === 'postgres') {
        // On PGlite the test database lives in this process, so only PostgreSQL can share it with the CLI.
        const late = new Date(Date.now() + 400 * 86400_000).toISOString();
        const orders: WorkOrder[] = [];
        for (let i = 0; i < 12; i++) orders.push(await dispatched(t.city.units.districtA));
        // Two processes on one database: each escalation fires exactly once between them.
        const tickCli = async () =>
          JSON.parse((await run('node', ['bin/jiesu.js', 'sla', 'tick', '--json', '--now', late, ...args])).stdout.trim().split('\n').pop()!);
        const [a, b] = await Promise.all([tickCli(), tickCli()]);
        expect(a.now).toBe(late);
        const ids = new Set(orders.map((o) => o.id));
        const fired = [...a.fired, ...b.fired].filter((f: any) => ids.has(f.orderId)).map((f: any) => `${f.orderId}:${f.kind}:${f.level}`);
        expect(fired).toHaveLength(24); // sign and reply of each order, at the highest level only
        expect(new Set(fired).size).toBe(24);
        expect(firedFor(a, orders[0]!.id).concat(firedFor(b, orders[0]!.id)).sort()).toEqual(['reply:escalated', 'sign:escalated']);
        const again = await tickCli();
        expect(again.fired.filter((f: any) => ids.has(f.orderId))).toEqual([]);
      }
      const bad = await run('node', ['bin/jiesu.js', 'sla', 'tick', '--now', 'tomorrow', ...args]).catch((e) => e);
      expect(bad.code).toBe(1);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toContain('ISO date-time');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
