// Text messages in a real browser: the order page's history shows what was sent to the citizen
// and where it stands, and the citizen answers the follow-up on the rating page the link opens.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, shot, signIn, startServer, type TestServer } from './browser.js';

const ADMIN_PASSWORD = 'admin-pass-e2e-1';
const PASSWORD = 'password-123';
if (!hasChromium) console.warn(`sms e2e: skipped, ${CHROMIUM} is missing`);

// The center's SMS gateway, here.
const sent: { to: string; text: string; template: string; params: Record<string, string> }[] = [];
const gateway: Server = createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    sent.push(JSON.parse(raw));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

let server: TestServer;
let order: { id: number; number: string };
let admin: string;

beforeAll(async () => {
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  server = await startServer({
    env: {
      JIESU_ADMIN_PASSWORD: ADMIN_PASSWORD,
      JIESU_SMS_PROVIDER: 'webhook',
      JIESU_SMS_WEBHOOK_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/`,
      JIESU_SMS_QUIET_HOURS: '',
      JIESU_PUBLIC_URL: 'https://12345.example.gov.cn',
    },
  });
  const call = <T = any>(method: string, path: string, token?: string, body?: unknown) => server.call<T>(method, path, token, body);
  admin = await server.tokenOf('admin', ADMIN_PASSWORD);
  const unit = async (name: string, kind: string, parentId?: number) => (await call('POST', '/units', admin, { name, kind, parentId })).body.id as number;
  const city = await unit('示范市', 'city');
  const center = await unit('12345热线中心', 'bureau', city);
  const district = await unit('东城区', 'district', city);
  const user = async (username: string, unitId: number, roles: string[]) => {
    const r = await call('POST', '/users', admin, { username, password: PASSWORD, displayName: username, unitId, roles });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    return server.tokenOf(username, PASSWORD);
  };
  const agent = await user('agent1', center, ['agent']);
  const dispatcher = await user('dispatcher1', center, ['dispatcher']);
  const handler = await user('handler_a', district, ['handler']);
  expect((await call('PATCH', '/sms/settings', admin, { followup: 'sms' })).status).toBe(200);
  const c = await call('POST', '/workorders', agent, {
    type: 'request',
    title: '路灯不亮 短信',
    content: '小区门口路灯不亮',
    citizen: { name: '李四', phone: '13800138000' },
  });
  const d = await call('POST', `/workorders/${c.body.id}/actions/dispatch`, dispatcher, { version: c.body.version, unitId: district });
  const s = await call('POST', `/workorders/${c.body.id}/actions/sign`, handler, { version: d.body.version });
  const r = await call('POST', `/workorders/${c.body.id}/actions/reply`, handler, { version: s.body.version, content: '已更换路灯灯泡。', resolved: true });
  expect(r.status).toBe(200);
  order = r.body;
  expect((await call('POST', '/sms/deliver', admin, {})).body).toMatchObject({ sent: 3 });
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await new Promise((r) => gateway.close(r));
});

describe.skipIf(!hasChromium)('text messages in the browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => browser?.close());

  it("shows the order's messages in its history, and the citizen rates on the page the link opens", async () => {
    const agent = await signIn(browser, server.base, 'agent1', PASSWORD);
    await agent.goto(`${server.base}/orders/${order.id}`);
    const entries = agent.getByTestId('sms-entry');
    await expect.poll(() => entries.count(), { timeout: 20_000 }).toBe(3);
    await expect(entries.nth(0).innerText()).resolves.toMatch(/受理短信[\s\S]*已发送[\s\S]*138\*\*\*\*8000/);
    await expect(entries.nth(0).innerText()).resolves.toContain('查询码**********');
    await expect(entries.nth(1).innerText()).resolves.toContain('已更换路灯灯泡');
    await expect(agent.getByTestId('timeline').innerText()).resolves.not.toContain('13800138000');
    await shot(agent, 'sms-order-history');
    await agent.context().close();

    // The citizen, on a phone, with no login.
    const link = sent.find((m) => m.template === 'followup')!.params.link!;
    const token = link.split('/r/')[1];
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const citizen = await ctx.newPage();
    await citizen.goto(`${server.base}/r/${token}`);
    const card = citizen.getByTestId('rating');
    await card.getByText('已更换路灯灯泡。').waitFor();
    await expect(card.innerText()).resolves.toContain(order.number);
    await card.getByText('基本满意').click();
    await card.getByLabel('意见建议（选填）').fill('修得及时');
    await shot(citizen, 'sms-rating');
    await card.getByRole('button', { name: '提交评价' }).click();
    await citizen.getByTestId('rated').getByText('感谢您的评价').waitFor();
    await ctx.close();

    const after = await server.call('GET', `/workorders/${order.id}`, admin);
    expect(after.body).toMatchObject({ status: 'closed', survey: { satisfaction: 'basically_satisfied', resolved: true } });
    // The admin's outbox lists the three.
    const admin2 = await signIn(browser, server.base, 'admin', ADMIN_PASSWORD);
    await admin2.goto(`${server.base}/admin/sms`);
    await expect.poll(() => admin2.getByTestId('sms-outbox').locator('tbody tr.ant-table-row').count(), { timeout: 20_000 }).toBe(3);
    await shot(admin2, 'sms-admin-outbox');
    await admin2.context().close();
  });
});
