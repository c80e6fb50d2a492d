import { describe, expect, it } from 'vitest';
import { useCity } from '../../test/fixtures.js';

const t = useCity();

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const base = (extra: Record<string, unknown> = {}) => ({
  channel: 'phone',
  startedAt: minutesAgo(10),
  endedAt: minutesAgo(7),
  caller: { phone: '+86 139-0000-1111', name: '李四' },
  summary: '咨询公积金提取政策',
  outcome: 'answered',
  ...extra,
});
const post = (body: unknown, key?: string, client = t.u.agent) => client.request('POST', '/api/v1/contacts', body, key ? { 'idempotency-key': key } : {});
const count = async (sql: string, params: unknown[] = []) => Number((await t.platform.db.query<{ n: number }>(sql, params)).rows[0]!.n);

describe('recording contacts', () => {
  it('records a contact on every channel with every outcome, phone normalised', async () => {
    const order = (await post(base({ outcome: 'workorder', workorder: { type: 'request', title: '路灯', content: '路灯不亮' } }))).body.workorder;
    const outcomes: Record<string, Record<string, unknown>> = {
      answered: {},
      workorder: { workorderId: order.id },
      duplicate: { workorderId: order.id },
      transferred: { transferTo: '119' },
      invalid: { invalidReason: 'silent' },
    };
    for (const channel of ['phone', 'web', 'app', 'miniprogram', 'email', 'open311', 'walkin']) {
      for (const [outcome, extra] of Object.entries(outcomes)) {
        const r = await post(base({ channel, outcome, ...extra }));
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        expect(r.body).toMatchObject({ channel, outcome, caller: { phone: '13900001111', name: '李四' }, durationSeconds: 180 });
      }
    }
    const r = await post(base({ agentId: null }));
    expect(r.body.agentId).toBe((await t.u.agent.get('/api/v1/contacts?limit=1')).body.items[0].agentId);
  });

  it('creates the order in the same transaction and links both ways', async () => {
    const r = await post(
      base({
        outcome: 'workorder',
        workorder: { type: 'complaint', title: '夜间施工噪音', content: '工地夜间施工', location: { districtUnitId: t.city.units.districtA } },
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const { workorder, id, workorderId } = r.body;
    expect(workorder).toMatchObject({ id: workorderId, contactId: id, status: 'new', citizen: { name: '李四', phone: '13900001111' } });
    const o = await t.u.agent.get(`/api/v1/workorders/${workorderId}`);
    expect(o.body.contactId).toBe(id);
    const c = await t.u.agent.get(`/api/v1/contacts/${id}`);
    expect(c.body.workorderId).toBe(workorderId);
  });

  it('rolls the contact back when the order cannot be created', async () => {
    const before = await count('SELECT count(*) AS n FROM contacts');
    const r = await post(base({ outcome: 'workorder', workorder: { type: 'request', title: 't', content: 'c', location: { districtUnitId: 99999 } } }));
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('location.districtUnitId');
    expect(await count('SELECT count(*) AS n FROM contacts')).toBe(before);
  });

  it('rejects bad bodies with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [base({ outcome: 'transferred' }), 'transferTo'],
      [base({ transferTo: '110' }), 'transferTo'],
      [base({ outcome: 'invalid' }), 'invalidReason'],
      [base({ outcome: 'invalid', invalidReason: 'boring' }), 'invalidReason'],
      [base({ outcome: 'duplicate' }), 'workorderId'],
      [base({ outcome: 'duplicate', workorderId: 999999 }), 'workorderId'],
      [base({ outcome: 'workorder', workorderId: 999999 }), 'workorderId'],
      [base({ outcome: 'workorder' }), 'workorder'],
      [base({ workorderId: 1 }), 'workorderId'],
      [base({ channel: 'fax' }), 'channel'],
      [base({ outcome: 'lost' }), 'outcome'],
      [base({ startedAt: 'yesterday' }), 'startedAt'],
      [base({ endedAt: minutesAgo(20) }), 'endedAt'],
      [base({ caller: { phone: 'abc' } }), 'caller.phone'],
      [base({ summary: '  ' }), 'summary'],
      [base({ agentId: 999999 }), 'agentId'],
      [base({ extra: 1 }), 'extra'],
    ];
    for (const [body, field] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'validation_failed', field });
    }
  });

  it('refuses a huge body with 413', async () => {
    const r = await post(base({ summary: '很'.repeat(70_000) }));
    expect(r.status).toBe(413);
  });

  it('only agents and dispatchers record contacts; handlers do not read them', async () => {
    for (const c of [t.u.handlerA, t.u.supervisor, t.u.followup]) expect((await post(base(), undefined, c)).status).toBe(403);
    expect((await post(base(), undefined, t.u.dispatcher)).status).toBe(201);
    expect((await t.u.handlerA.get('/api/v1/contacts')).status).toBe(403);
    expect((await t.u.supervisor.get('/api/v1/contacts')).status).toBe(200);
  });
});

describe('idempotent intake', () => {
  it('returns the same contact for a retry, and 422 for the same key with another body', async () => {
    const body = base({ summary: '幂等测试' });
    const a = await post(body, 'key-1');
    const b = await post({ ...body }, 'key-1');
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE idempotency_key = 'key-1'")).toBe(1);
    const c = await post({ ...body, summary: '另一件事' }, 'key-1');
    expect(c.status).toBe(422);
    expect(c.body.error.code).toBe('idempotency_key_reused');
    // keys belong to their user: another agent may use the same string
    const d = await post(body, 'key-1', t.u.dispatcher);
    expect(d.status).toBe(201);
    expect(d.body.id).not.toBe(a.body.id);
  });

  it('creates one contact and one order for concurrent retries', async () => {
    const body = base({ outcome: 'workorder', workorder: { type: 'request', title: '并发', content: '并发重试' } });
    const rs = await Promise.all(Array.from({ length: 8 }, () => post(body, 'key-concurrent')));
    for (const r of rs) expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(new Set(rs.map((r) => r.body.id)).size).toBe(1);
    expect(new Set(rs.map((r) => r.body.workorder?.id)).size).toBe(1);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE idempotency_key = 'key-concurrent'")).toBe(1);
    expect(await count('SELECT count(*) AS n FROM workorders WHERE contact_id = $1', [rs[0]!.body.id])).toBe(1);
  });

  it('group-commits concurrent keyed contacts and still answers each one on its own', async () => {
    // Sent at once, so that they share batches: new keys, retries of one key (same body),
    // the same key with another body, an unknown agent, another user's key of the same name.
    const body = (i: number) => base({ summary: `批量 ${i}` });
    // One body for the retries: base() reads the clock, and a retry resends the same bytes.
    const retried = body(100);
    const sent = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => post(body(i), `batch-${i}`)),
      ...Array.from({ length: 4 }, () => post(retried, 'batch-retry')),
      post(body(0), 'batch-0', t.u.dispatcher),
    ]);
    // A batch with one bad row fails as a whole; each request then gets its own answer.
    const mixed = await Promise.all([
      post(base({ summary: '未知话务员', agentId: 999999 }), 'batch-bad-agent'),
      ...Array.from({ length: 3 }, (_, i) => post(body(200 + i), `batch-mixed-${i}`)),
    ]);
    sent.push(...mixed);
    const late = await post(body(101), 'batch-retry');
    for (const r of sent.slice(0, 25)) expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(sent.slice(0, 20).map((r) => r.body.summary)).toEqual(Array.from({ length: 20 }, (_, i) => `批量 ${i}`));
    expect(new Set(sent.slice(0, 20).map((r) => r.body.id)).size).toBe(20);
    expect(new Set(sent.slice(20, 24).map((r) => r.body.id)).size).toBe(1);
    expect(sent[24]!.body.id).not.toBe(sent[0].body.id);
    expect(sent[25]!.status).toBe(400);
    expect(sent[25]!.body.error.field).toBe('agentId');
    expect(late.status).toBe(422);
    for (const r of mixed.slice(1)) expect(r.status).toBe(201);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE idempotency_key LIKE 'batch-%'")).toBe(25);
    const stored = await t.platform.db.query<{ id: number; summary: string }>(
      "SELECT id, summary FROM contacts WHERE idempotency_key LIKE 'batch-%' AND created_by = $1",
      [sent[0].body.createdBy],
    );
    for (const r of sent.slice(0, 24)) expect(stored.rows).toContainEqual({ id: r.body.id, summary: r.body.summary });
  });

  it('rejects a malformed key', async () => {
    const r = await post(base(), 'x'.repeat(201));
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('Idempotency-Key');
  });
});

describe('listing and caller history', () => {
  it('filters contacts and masks callers in lists', async () => {
    const phone = '021-6666 7777';
    await post(base({ channel: 'web', caller: { phone, name: '赵六' }, outcome: 'invalid', invalidReason: 'prank' }));
    await post(base({ channel: 'web', caller: { phone }, outcome: 'transferred', transferTo: '110' }));
    const r = await t.u.supervisor.get(`/api/v1/contacts?phone=${encodeURIComponent('02166667777')}&outcome=invalid`);
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(1);
    expect(r.body.items[0]).toMatchObject({ outcome: 'invalid', invalidReason: 'prank', caller: { phone: '021****7777', name: '赵*' } });
    const both = await t.u.supervisor.get(`/api/v1/contacts?phone=02166667777&channel=web&channel=phone`);
    expect(both.body.items).toHaveLength(2);
    const page1 = await t.u.supervisor.get('/api/v1/contacts?limit=2');
    const page2 = await t.u.supervisor.get(`/api/v1/contacts?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items[0].id).toBeLessThan(page1.body.items[1].id);
    expect((await t.u.supervisor.get('/api/v1/contacts?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z')).body.items).toHaveLength(0);
  });

  it('gives the answering agent earlier contacts and open orders in one call, and logs the read', async () => {
    const phone = '13512345678';
    const first = await post(
      base({
        caller: { phone: '+86 135 1234 5678', name: '钱七' },
        outcome: 'workorder',
        workorder: { type: 'complaint', title: '漏水', content: '楼上漏水' },
      }),
    );
    await post(base({ caller: { phone }, outcome: 'duplicate', workorderId: first.body.workorderId }));
    // an order keyed in directly with a differently written number is found too
    const direct = await t.u.agent.post('/api/v1/workorders', { type: 'request', title: '井盖', content: '井盖缺失', citizen: { phone: '135-1234-5678' } });
    const closed = await t.u.agent.post('/api/v1/workorders', { type: 'request', title: '已结', content: 'x', citizen: { phone } });
    await t.u.dispatcher.post(`/api/v1/workorders/${closed.body.id}/actions/close`, { version: 1, reason: 'answered' });
    const logsBefore = await count("SELECT count(*) AS n FROM pii_access_log WHERE purpose = 'caller.history'");
    const h = await t.u.agent.get(`/api/v1/callers/${encodeURIComponent('+86 135-1234-5678')}/history`);
    expect(h.status, JSON.stringify(h.body)).toBe(200);
    expect(h.body.phone).toBe(phone);
    expect(h.body.contactCount).toBe(2);
    expect(h.body.contacts.map((c: any) => c.outcome)).toEqual(['duplicate', 'workorder']);
    expect(h.body.openOrders.map((o: any) => o.id).sort()).toEqual([first.body.workorderId, direct.body.id].sort());
    expect(h.body.openOrders[0].citizen.phone).toMatch(/^135/);
    expect(await count("SELECT count(*) AS n FROM pii_access_log WHERE purpose = 'caller.history'")).toBe(logsBefore + 3);
    expect((await t.u.supervisor.get(`/api/v1/callers/${phone}/history`)).status).toBe(403);
    expect((await t.u.handlerA.get(`/api/v1/callers/${phone}/history`)).status).toBe(403);
    expect((await t.u.agent.get('/api/v1/callers/not-a-phone/history')).body.error.field).toBe('phone');
    const none = await t.u.agent.get('/api/v1/callers/10000/history');
    expect(none.body).toEqual({ phone: '10000', contacts: [], contactCount: 0, openOrders: [] });
  });
});
