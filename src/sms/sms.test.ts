import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client, type Res } from '../../test/helpers.js';
import { useCity } from '../../test/fixtures.js';
import type { WorkOrder } from '../workorders/index.js';

// A local stand-in for the center's SMS gateway (and, below, for Tencent Cloud's API).
interface Hit {
  headers: IncomingHttpHeaders;
  body: any;
  raw: string;
}
function gateway() {
  const hits: Hit[] = [];
  let answer: (h: Hit) => { status: number; body: unknown } = () => ({ status: 200, body: { ok: true } });
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const hit = { headers: req.headers, body: JSON.parse(raw || 'null'), raw };
      hits.push(hit);
      const a = answer(hit);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  return {
    hits,
    server,
    set answer(f: typeof answer) {
      answer = f;
    },
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    to: (phone: string) => hits.filter((h) => h.body?.to === phone),
  };
}

const t = useCity();
const gw = gateway();
const TOKEN = 'callback-token-for-tests';
const PUBLIC = 'https://12345.example.gov.cn';
const anon = () => new Client(t.platform);

beforeAll(async () => {
  await new Promise<void>((r) => gw.server.listen(0, '127.0.0.1', r));
  Object.assign(process.env, {
    JIESU_SMS_PROVIDER: 'webhook',
    JIESU_SMS_WEBHOOK_URL: gw.url() + '/send',
    JIESU_SMS_CALLBACK_TOKEN: TOKEN,
    JIESU_PUBLIC_URL: PUBLIC,
    JIESU_SMS_QUIET_HOURS: '',
    JIESU_SMS_PHONE_PER_HOUR: '100',
    JIESU_SMS_MAX_ATTEMPTS: '3',
  });
});
afterAll(() => new Promise<void>((r) => gw.server.close(() => r())));
beforeEach(() => {
  gw.answer = () => ({ status: 200, body: { ok: true } });
});

let seq = 0;
/** A fresh mobile number per order, so tests do not share limits or opt-outs. */
const newPhone = () => `1390000${String(++seq).padStart(4, '0')}`;

async function act(c: Client, o: WorkOrder, action: string, body: Record<string, unknown> = {}) {
  const r = await c.post(`/api/v1/workorders/${o.id}/actions/${action}`, { version: o.version, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as WorkOrder;
}
async function newOrder(phone: string, extra: Record<string, unknown> = {}) {
  const r = await t.u.agent.post('/api/v1/workorders', {
    type: 'request',
    title: '楼道灯坏了',
    content: '三单元楼道灯坏了一周，请尽快修理。',
    citizen: { name: '张三丰', phone },
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as WorkOrder;
}
async function reply(o: WorkOrder, content = '张三丰您好，已安排电工于本周五前更换灯具。') {
  o = await act(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA });
  o = await act(t.u.handlerA, o, 'sign');
  return act(t.u.handlerA, o, 'reply', { content, resolved: true });
}
const deliver = async (now?: Date): Promise<Res> => {
  const r = await t.u.admin.post('/api/v1/sms/deliver', now ? { now: now.toISOString() } : {});
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r;
};
const messages = async (o: WorkOrder, c: Client = t.u.agent) => (await c.get(`/api/v1/workorders/${o.id}/sms`)).body.items as any[];

describe('the receipt and the reply notice', () => {
  it('reach the gateway with the citizen number and text; the code tracks the order; the history shows them masked', async () => {
    const phone = newPhone();
    let o = await newOrder(phone);
    expect((await deliver()).body).toMatchObject({ sent: 1, dead: 0 });
    const [receipt] = gw.to(phone);
    expect(receipt!.body).toMatchObject({ to: phone, template: 'receipt', params: { number: o.number } });
    expect(receipt!.headers['idempotency-key']).toMatch(/^jiesu-sms-\d+$/);
    const code = receipt!.body.params.code as string;
    expect(code).toMatch(/^[A-Z2-9]{10}$/);
    expect(receipt!.body.text).toBe(`您的诉求已受理，工单号${o.number}，查询码${code}，可在网上查询办理进度。`);
    expect([...receipt!.body.text].length).toBeLessThanOrEqual(70);
    // The query code in the message is the one the portal looks the order up with.
    const track = await anon().get(`/api/v1/portal/requests/${o.number}?code=${code}`);
    expect(track.status).toBe(200);
    expect(track.body.number).toBe(o.number);

    o = await reply(o);
    expect((await deliver()).body.sent).toBe(1);
    const notice = gw.to(phone)[1]!;
    expect(notice.body.template).toBe('reply');
    expect(notice.body.text).toContain(o.number);
    expect(notice.body.text).toContain('已安排电工');
    expect(notice.body.text).not.toContain('张三丰'); // never the citizen's name
    expect([...notice.body.text].length).toBeLessThanOrEqual(70);

    // The order's history: what was sent, to a masked number, the code masked; handlers see it too.
    const list = await messages(o, t.u.handlerA);
    expect(list.map((m) => [m.kind, m.status, m.to])).toEqual([
      ['receipt', 'sent', phone.slice(0, 3) + '****' + phone.slice(-4)],
      ['reply', 'sent', phone.slice(0, 3) + '****' + phone.slice(-4)],
    ]);
    expect(list[0].text).not.toContain(code);
    expect(list[0].text).toContain('**********');
    expect((await t.u.handlerB.get(`/api/v1/workorders/${o.id}/sms`)).status).toBe(404); // another district's handler
    expect(JSON.stringify(list)).not.toContain(phone);

    // The provider's delivery receipt, by the message id the gateway was given.
    expect((await anon().post('/api/v1/sms/receipts?token=wrong', { messageId: receipt!.headers['idempotency-key'], status: 'delivered' })).status).toBe(401);
    const rc = await anon().post(`/api/v1/sms/receipts?token=${TOKEN}`, { messageId: receipt!.headers['idempotency-key'], status: 'delivered' });
    expect(rc.body).toMatchObject({ matched: 1 });
    expect((await messages(o))[0]).toMatchObject({ delivery: 'delivered' });
    expect((await messages(o))[1].delivery).toBeNull();
  });

  it('sends nothing for an order without a mobile number', async () => {
    const before = gw.hits.length;
    await newOrder('010-12345678');
    expect((await deliver()).body.sent).toBe(0);
    expect(gw.hits.length).toBe(before);
  });
});

describe('a failing gateway', () => {
  it('is retried with backoff, then the message is a dead letter an admin can resend', async () => {
    gw.answer = () => ({ status: 503, body: { error: 'down' } });
    const phone = newPhone();
    const o = await newOrder(phone);
    const now = Date.now();
    expect((await deliver(new Date(now))).body).toMatchObject({ failed: 1, sent: 0 });
    expect((await deliver(new Date(now + 5_000))).body).toMatchObject({ failed: 0, sent: 0 }); // waiting for its backoff
    expect((await deliver(new Date(now + 31_000))).body).toMatchObject({ failed: 1 });
    expect((await deliver(new Date(now + 200_000))).body).toMatchObject({ dead: 1 });
    expect(gw.to(phone)).toHaveLength(3);
    const [m] = await messages(o);
    expect(m).toMatchObject({ status: 'dead', attempts: 3, lastError: 'HTTP 503' });
    expect(m.attemptLog).toHaveLength(3);

    const dead = await t.u.admin.get('/api/v1/sms/dead-letters');
    expect(dead.body.items.map((x: any) => x.id)).toContain(m.id);
    expect((await t.u.agent.get('/api/v1/sms/dead-letters')).status).toBe(403);
    gw.answer = () => ({ status: 200, body: {} });
    const again = await t.u.admin.post(`/api/v1/sms/outbox/${m.id}/resend`);
    expect(again.status).toBe(201);
    expect((await deliver()).body.sent).toBe(1);
    expect(gw.to(phone)).toHaveLength(4);
    expect((await t.u.admin.get('/api/v1/sms/dead-letters')).body.items.map((x: any) => x.id)).not.toContain(m.id);
    expect((await messages(o)).map((x) => x.status)).toEqual(['dead', 'sent']);
    // Sent once more: a new query code, which is the one that works.
    const sentRow = (await messages(o))[1];
    expect((await t.u.admin.post(`/api/v1/sms/outbox/${sentRow.id}/resend`)).status).toBe(201);
    await deliver();
    const [first, second] = [gw.to(phone)[3]!.body.params.code, gw.to(phone)[4]!.body.params.code];
    expect(second).toMatch(/^[A-Z2-9]{10}$/);
    expect(second).not.toBe(first);
    expect((await anon().get(`/api/v1/portal/requests/${o.number}?code=${second}`)).status).toBe(200);
    expect((await anon().get(`/api/v1/portal/requests/${o.number}?code=${first}`)).status).toBe(404);
  });
});

describe('quiet hours and opt-out', () => {
  it('holds the reply notice through the night; the receipt goes at once', async () => {
    process.env.JIESU_SMS_QUIET_HOURS = '22-8';
    try {
      const phone = newPhone();
      const o = await reply(await newOrder(phone));
      // 23:00 in the city (UTC+8) on the next evening after now.
      const night = new Date(Math.ceil((Date.now() - 15 * 3_600_000) / 86_400_000) * 86_400_000 + 15 * 3_600_000);
      const r = await deliver(night);
      expect(r.body).toMatchObject({ sent: 1, deferred: 1 });
      expect(gw.to(phone).map((h) => h.body.template)).toEqual(['receipt']);
      const waiting = (await messages(o)).find((m) => m.kind === 'reply');
      expect(waiting.nextAttemptAt).toBe(new Date(night.getTime() + 9 * 3_600_000).toISOString()); // 08:00 the next morning
      expect((await deliver(new Date(night.getTime() + 8 * 3_600_000))).body.sent).toBe(0);
      expect((await deliver(new Date(night.getTime() + 9 * 3_600_000))).body.sent).toBe(1);
      expect(gw.to(phone).map((h) => h.body.template)).toEqual(['receipt', 'reply']);
    } finally {
      process.env.JIESU_SMS_QUIET_HOURS = '';
    }
  });

  it('a reply of 退订 or TD stops every message to that number', async () => {
    const phone = newPhone();
    const o = await newOrder(phone);
    expect((await anon().post('/api/v1/sms/inbound', { from: phone, text: 'TD' })).status).toBe(401);
    const r = await anon().post(`/api/v1/sms/inbound?token=${TOKEN}`, { mobile: phone, text: ' td ' });
    expect(r.body).toMatchObject({ optedOut: true });
    await reply(o);
    await newOrder(`+86 ${phone}`);
    expect((await deliver()).body.sent).toBe(0);
    expect(gw.to(phone)).toHaveLength(0);
    expect((await messages(o)).map((m) => [m.status, m.skipReason])).toEqual([
      ['skipped', 'opted_out'],
      ['skipped', 'opted_out'],
    ]);
    // Other words are not an opt-out.
    const other = newPhone();
    expect((await anon().post(`/api/v1/sms/inbound?token=${TOKEN}`, { from: other, text: '谢谢' })).body.optedOut).toBe(false);
    await newOrder(other);
    expect((await deliver()).body.sent).toBe(1);
    // The opt-out is stored sealed, like every phone.
    const { rows } = await t.platform.db.query<any>('SELECT * FROM sms_optouts');
    expect(JSON.stringify(rows)).not.toContain(phone);
  });

  it('holds messages beyond the per-phone hourly limit', async () => {
    process.env.JIESU_SMS_PHONE_PER_HOUR = '2';
    try {
      const phone = newPhone();
      await newOrder(phone);
      await newOrder(phone);
      await newOrder(phone);
      expect((await deliver()).body).toMatchObject({ sent: 2, deferred: 1 });
      expect(gw.to(phone)).toHaveLength(2);
    } finally {
      process.env.JIESU_SMS_PHONE_PER_HOUR = '100';
    }
  });
});

describe('restarting mid-send', () => {
  it('sends a claimed-but-unfinished message exactly once, with the same call id, however many nodes deliver', async () => {
    const phone = newPhone();
    const o = await newOrder(phone);
    const [m] = await messages(o);
    // A node claimed the row and died before finishing: its lease holds the row for a while.
    await t.platform.db.query(`UPDATE sms_outbox SET lease_until = now() + interval '1 minute' WHERE id = $1`, [m.id]);
    expect((await deliver()).body.sent).toBe(0);
    expect(gw.to(phone)).toHaveLength(0);
    // The lease runs out: two nodes deliver at once; one of them sends it.
    await t.platform.db.query(`UPDATE sms_outbox SET lease_until = now() - interval '1 second' WHERE id = $1`, [m.id]);
    const [a, b] = await Promise.all([deliver(), deliver()]);
    expect(a.body.sent + b.body.sent).toBe(1);
    expect((await deliver()).body.sent).toBe(0);
    expect(gw.to(phone)).toHaveLength(1);
    expect(gw.to(phone)[0]!.headers['idempotency-key']).toBe(`jiesu-sms-${m.id}`);
  });
});

describe('follow-up by message', () => {
  const kpi = async () => {
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
    return (await t.u.supervisor.get(`/api/v1/kpi/units?month=${month}&unitId=${t.city.units.districtA}`)).body.items[0]?.counts ?? {};
  };
  const linkOf = (phone: string) => {
    const h = gw.to(phone).find((x) => x.body.template === 'followup')!;
    const m = new RegExp(`^${PUBLIC.replace(/\./g, '\\.')}/r/([A-Za-z0-9_-]+)$`).exec(h.body.params.link);
    expect(m, h.body.text).not.toBeNull();
    expect(h.body.text).toContain(h.body.params.link);
    return m![1]!;
  };
  const queue = async () => (await t.u.followup.get('/api/v1/survey/queue?limit=100')).body.items.map((i: any) => i.order.id);

  it('the rating link records the survey, which the measures count, once', async () => {
    expect((await t.u.admin.patch('/api/v1/sms/settings', { followup: 'sms' })).body).toMatchObject({ followup: 'sms' });
    const phone = newPhone();
    const o = await reply(await newOrder(phone));
    expect(await queue()).not.toContain(o.id); // waits for the answer by message
    await deliver();
    const token = linkOf(phone);
    const page = await anon().get(`/api/v1/sms/rating/${token}`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ number: o.number, state: 'open', unitName: '东城区' });
    expect(page.body.reply).toContain('已安排电工');
    expect(JSON.stringify(page.body)).not.toContain(phone);
    const before = await kpi();
    const r = await anon().post(`/api/v1/sms/rating/${token}`, { satisfaction: 'satisfied', resolved: true, comment: '修得很快' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const after = (await t.u.agent.get(`/api/v1/workorders/${o.id}`)).body;
    expect(after).toMatchObject({ status: 'closed', survey: { satisfaction: 'satisfied', resolved: true } });
    expect(after.survey.note).toContain('修得很快');
    const counts = await kpi();
    expect(counts.surveyed).toBe((before.surveyed ?? 0) + 1);
    expect(counts.satisfied).toBe((before.satisfied ?? 0) + 1);
    expect(counts.resolved).toBe((before.resolved ?? 0) + 1);
    const twice = await anon().post(`/api/v1/sms/rating/${token}`, { satisfaction: 'unsatisfied', resolved: false });
    expect(twice.status).toBe(409);
    expect((await anon().get(`/api/v1/sms/rating/${token}`)).body.state).toBe('answered');
    expect((await anon().get('/api/v1/sms/rating/notarealtoken0')).status).toBe(404);
  });

  it('an unsatisfied answer reopens the order to its unit, as a call would', async () => {
    const phone = newPhone();
    const o = await reply(await newOrder(phone));
    await deliver();
    const r = await anon().post(`/api/v1/sms/rating/${linkOf(phone)}`, { satisfaction: 'unsatisfied', resolved: false });
    expect(r.status).toBe(200);
    expect((await t.u.agent.get(`/api/v1/workorders/${o.id}`)).body).toMatchObject({
      status: 'dispatched',
      mainUnitId: t.city.units.districtA,
      reopenCount: 1,
    });
  });

  it('an unanswered link falls back to the phone follow-up queue when it expires', async () => {
    const phone = newPhone();
    const o = await reply(await newOrder(phone));
    await deliver();
    const token = linkOf(phone);
    expect(await queue()).not.toContain(o.id);
    await t.platform.db.query(`UPDATE sms_rating_links SET expires_at = now() - interval '1 second' WHERE workorder_id = $1`, [o.id]);
    expect(await queue()).toContain(o.id);
    const late = await anon().post(`/api/v1/sms/rating/${token}`, { satisfaction: 'satisfied', resolved: true });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('link_expired');
    await t.u.admin.patch('/api/v1/sms/settings', { followup: 'phone' });
  });
});

describe('templates', () => {
  it('an admin edits the wording; unknown placeholders are refused, a long message is warned about', async () => {
    const list = await t.u.admin.get('/api/v1/sms/templates');
    expect(list.body.items.map((x: any) => x.kind)).toEqual(['receipt', 'reply', 'followup', 'liaison_urgent', 'liaison_red']);
    expect(list.body.items.every((x: any) => x.warning === null)).toBe(true);
    const bad = await t.u.admin.put('/api/v1/sms/templates/receipt', { body: '{name}您好，工单{number}，查询码{code}' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('{name}');
    expect((await t.u.admin.put('/api/v1/sms/templates/receipt', { body: '工单{number}已受理' })).status).toBe(400); // no {code}
    const long = await t.u.admin.put('/api/v1/sms/templates/receipt', {
      body: '尊敬的市民，您好！您反映的诉求已经由本市十二三四五政务服务便民热线受理登记，工单号{number}，查询码{code}，请妥善保管，可随时查询办理进度。',
    });
    expect(long.status).toBe(200);
    expect(long.body.longest).toBeGreaterThan(70);
    expect(long.body.warning).toContain('70');
    const ok = await t.u.admin.put('/api/v1/sms/templates/receipt', { body: '已受理：工单{number}，查询码{code}。', providerTemplateId: '1234567' });
    expect(ok.body).toMatchObject({ warning: null, providerTemplateId: '1234567', isDefault: false });
    const phone = newPhone();
    const o = await newOrder(phone);
    await deliver();
    expect(gw.to(phone)[0]!.body.text).toBe(`已受理：工单${o.number}，查询码${gw.to(phone)[0]!.body.params.code}。`);
    expect((await t.u.admin.delete('/api/v1/sms/templates/receipt')).body.isDefault).toBe(true);
    expect((await t.u.agent.get('/api/v1/sms/templates')).status).toBe(403);
  });
});

describe("units' liaisons", () => {
  it('get an SMS for an urgent order and for a red-level overdue warning', async () => {
    const liaison = '13700009999';
    const add = await t.u.admin.post('/api/v1/sms/liaisons', { unitId: t.city.units.districtA, name: '王联络', phone: liaison });
    expect(add.status).toBe(201);
    expect(add.body.phone).toBe('137****9999');
    let o = await newOrder(newPhone(), { urgency: 'urgent', title: '燃气管道漏气' });
    o = await act(t.u.dispatcher, o, 'dispatch', { unitId: t.city.units.districtA });
    await deliver();
    const urgent = gw.to(liaison);
    expect(urgent).toHaveLength(1);
    expect(urgent[0]!.body).toMatchObject({ template: 'liaison_urgent' });
    expect(urgent[0]!.body.text).toContain(o.number);
    expect(urgent[0]!.body.text).toContain('东城区');

    // The sign deadline passes: the red warning goes to the liaison too.
    const d = (await t.u.supervisor.get(`/api/v1/workorders/${o.id}/deadlines`)).body.items.find((x: any) => x.kind === 'sign');
    const at = new Date((Date.parse(d.dueAt) + Date.parse(d.escalateAt)) / 2);
    const tick = await t.u.admin.post('/api/v1/sla/tick', { now: at.toISOString() });
    expect(tick.body.fired.map((f: any) => [f.orderId, f.level])).toContainEqual([o.id, 'red']);
    await deliver(at);
    const mine = gw.to(liaison).filter((h) => h.body.text.includes(o.number));
    // One per deadline that turned red at that time (签收, and 答复 when its limit is as short).
    const fired = tick.body.fired.filter((f: any) => f.orderId === o.id && f.level === 'red');
    expect(mine.map((h) => h.body.template)).toEqual(['liaison_urgent', ...fired.map(() => 'liaison_red')]);
    expect(mine.some((h) => h.body.template === 'liaison_red' && h.body.text.includes('签收已超时'))).toBe(true);
    const sent = gw.to(liaison).length;

    // The city may switch them off.
    await t.u.admin.patch('/api/v1/sms/settings', { liaisonUrgent: false });
    let o2 = await newOrder(newPhone(), { urgency: 'urgent' });
    o2 = await act(t.u.dispatcher, o2, 'dispatch', { unitId: t.city.units.districtA });
    await deliver();
    expect(gw.to(liaison)).toHaveLength(sent);
    expect((await t.u.admin.get('/api/v1/sms/liaisons')).body.items).toEqual([expect.objectContaining({ name: '王联络', phone: '137****9999' })]);
    const { rows } = await t.platform.db.query<any>('SELECT * FROM sms_liaisons');
    expect(JSON.stringify(rows)).not.toContain(liaison);
    expect(o2.urgency).toBe('urgent');
  });
});

describe('Tencent Cloud SMS', () => {
  // The stand-in checks the TC3-HMAC-SHA256 signature as Tencent's documentation defines it.
  const SECRET_ID = 'AKIDtestSecretId000000000000';
  const SECRET_KEY = 'testSecretKey00000000000000000';
  const tencent = gateway();
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const mac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
  function verify(h: Hit): string | null {
    const auth = String(h.headers.authorization ?? '');
    const m =
      /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/sms\/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) return 'malformed Authorization';
    if (m[1] !== SECRET_ID) return 'unknown SecretId';
    const ts = String(h.headers['x-tc-timestamp']);
    if (new Date(Number(ts) * 1000).toISOString().slice(0, 10) !== m[2]) return 'date does not match the timestamp';
    const canonical = `POST\n/\n\ncontent-type:${h.headers['content-type']}\nhost:${h.headers.host}\nx-tc-action:${String(h.headers['x-tc-action']).toLowerCase()}\n\ncontent-type;host;x-tc-action\n${sha(h.raw)}`;
    const toSign = `TC3-HMAC-SHA256\n${ts}\n${m[2]}/sms/tc3_request\n${sha(canonical)}`;
    const key = mac(mac(mac('TC3' + SECRET_KEY, m[2]), 'sms'), 'tc3_request');
    return createHmac('sha256', key).update(toSign).digest('hex') === m[3] ? null : 'signature mismatch';
  }
  beforeAll(async () => {
    await new Promise<void>((r) => tencent.server.listen(0, '127.0.0.1', r));
    tencent.answer = (h) => {
      const why = verify(h);
      if (why) return { status: 200, body: { Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: why }, RequestId: 'r1' } } };
      return {
        status: 200,
        body: {
          Response: {
            SendStatusSet: [
              {
                SerialNo: `serial-${tencent.hits.length}`,
                PhoneNumber: h.body.PhoneNumberSet[0],
                Fee: 1,
                SessionContext: h.body.SessionContext,
                Code: 'Ok',
                Message: 'send success',
              },
            ],
            RequestId: 'r2',
          },
        },
      };
    };
  });
  afterAll(() => new Promise<void>((r) => tencent.server.close(() => r())));

  it('sends SendSms with the registered template and its parameters, signed; its status report marks delivery', async () => {
    Object.assign(process.env, {
      JIESU_SMS_PROVIDER: 'tencent',
      JIESU_SMS_TENCENT_ENDPOINT: tencent.url(),
      JIESU_SMS_TENCENT_SECRET_ID: SECRET_ID,
      JIESU_SMS_TENCENT_SECRET_KEY: SECRET_KEY,
      JIESU_SMS_TENCENT_APP_ID: '1400000001',
      JIESU_SMS_TENCENT_SIGN_NAME: '示范市12345',
    });
    try {
      await t.u.admin.put('/api/v1/sms/templates/receipt', { body: '您的诉求已受理，工单号{number}，查询码{code}。', providerTemplateId: '889900' });
      const phone = newPhone();
      const o = await newOrder(phone);
      expect((await deliver()).body).toMatchObject({ sent: 1 });
      const [h] = tencent.hits;
      expect(verify(h!)).toBeNull();
      expect(h!.headers).toMatchObject({ 'x-tc-action': 'SendSms', 'x-tc-version': '2021-01-11', 'x-tc-region': 'ap-guangzhou' });
      expect(h!.body).toMatchObject({ PhoneNumberSet: [`+86${phone}`], SmsSdkAppId: '1400000001', SignName: '示范市12345', TemplateId: '889900' });
      expect(h!.body.TemplateParamSet).toEqual([o.number, expect.stringMatching(/^[A-Z2-9]{10}$/)]);
      const report = await anon().post(`/api/v1/sms/receipts?token=${TOKEN}`, [
        {
          user_receive_time: '2026-12-04 10:00:00',
          nationcode: '86',
          mobile: phone,
          report_status: 'SUCCESS',
          errmsg: 'DELIVRD',
          description: '用户短信送达成功',
          sid: 'serial-1',
        },
      ]);
      expect(report.body.matched).toBe(1);
      expect((await messages(o))[0]).toMatchObject({ provider: 'tencent', delivery: 'delivered', status: 'sent' });

      // A wrong key is refused by the stand-in, and the attempt says why.
      process.env.JIESU_SMS_TENCENT_SECRET_KEY = 'not-the-key';
      const o2 = await newOrder(newPhone());
      expect((await deliver()).body.failed).toBe(1);
      expect((await messages(o2))[0].lastError).toContain('AuthFailure.SignatureFailure');
    } finally {
      process.env.JIESU_SMS_PROVIDER = 'webhook';
      await t.u.admin.delete('/api/v1/sms/templates/receipt');
    }
  });
});
