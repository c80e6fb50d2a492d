// End to end through a real browser on the demo city (`jiesu serve --demo`, a small one, on a
// fresh PGlite folder): the agent records contacts with the assistant beside the form, the
// supervisor reads the rankings and opens the orders behind a number, a citizen submits a
// request on the public portal and tracks it. Screenshots go to test-results/.
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, shot, signIn as signInAt, startServer, toast, type TestServer } from './browser.js';

const PASSWORD = 'jiesu-demo';

/** A small solid-colour PNG (the portal re-encodes photos as JPEG in the browser before sending them). */
function png(w: number, h: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, 0x80)]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let server: TestServer;
let base = '';
const call = <T = any>(method: string, path: string, token?: string, body?: unknown) => server.call<T>(method, path, token, body);
const tokenOf = (username: string) => server.tokenOf(username, PASSWORD);

describe.skipIf(!hasChromium)('web app on the demo city, in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    // Both at once; each is kept as soon as it is up, so that afterAll stops it even when the other failed.
    await Promise.all([
      startServer({ demo: true, env: { JIESU_DEMO_CONTACTS: '600', JIESU_ADMIN_PASSWORD: undefined } }).then((s) => (server = s)),
      launchChromium().then((b) => (browser = b)),
    ]);
    base = server.base;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const signIn = (username: string): Promise<Page> => signInAt(browser, base, username, PASSWORD, { width: 1440, height: 900 });

  it('the agent records a work order and then a repeat call, with the assistant beside the form', async () => {
    const phone = '13912345678';
    const agent = await signIn('agent1');
    expect(new URL(agent.url()).pathname).toBe('/agent');
    await agent.getByLabel('来电号码').fill(phone);
    await agent.getByLabel('标题').fill('小区门口路灯不亮');
    await agent.getByLabel('诉求内容').fill('青山区小区门口路灯不亮一周了，晚上出行很黑，请尽快维修。');
    // The assistant answers while the agent types: knowledge articles about street lights.
    await agent.getByTestId('assist-articles').getByText('路灯问题如何反映和办理').waitFor();
    await agent.getByTestId('assist-similar').locator('a').first().waitFor();
    await shot(agent, '11-agent-assistant');
    await agent.keyboard.press('Control+Enter');
    await toast(agent, /已创建工单 \d{13}/);
    const agentToken = await tokenOf('agent1');
    const first = await call('GET', `/contacts?phone=${phone}`, agentToken);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0]).toMatchObject({ outcome: 'workorder', channel: 'phone' });
    const orderId: number = first.body.items[0].workorderId;
    const order = await call('GET', `/workorders/${orderId}`, agentToken);

    // The same citizen calls again: the call panel shows the open order; link it, Alt+D.
    await agent.getByLabel('来电号码').fill(phone);
    const panel = agent.getByTestId('call-panel');
    await panel.getByText('历史来电 1 次').waitFor();
    await panel.getByRole('button', { name: `关联 ${order.body.number}` }).click();
    await agent.getByLabel('诉求内容').fill('再次反映路灯仍然不亮');
    await agent.keyboard.press('Alt+D');
    await toast(agent, '已登记来电：重复诉求');
    // A third call, in other words: the caller's own order is listed with why; the agent links it
    // by typing its number (a wrong number is refused in words).
    await agent.getByLabel('来电号码').fill(phone);
    await agent.getByLabel('标题').fill('路灯还是不亮');
    await agent.getByLabel('诉求内容').fill('小区门口那盏路灯一直不亮，晚上出门黑乎乎的。');
    await agent.getByTestId('assist-caller-orders').getByText(order.body.number).waitFor();
    await agent.getByTestId('assist-caller-orders').getByText('同一来电人').first().waitFor();
    const byNumber = agent.getByTestId('link-by-number').locator('input');
    await byNumber.fill('2099010199999');
    await byNumber.press('Enter');
    await agent.getByText('找不到工单 2099010199999').first().waitFor();
    await byNumber.fill(order.body.number);
    await byNumber.press('Enter');
    await agent.getByTestId('linked-by-number').getByText(`已关联工单 ${order.body.number}`).waitFor();
    await agent.keyboard.press('Alt+D');
    await toast(agent, '已登记来电：重复诉求');
    // A prank call: one keystroke.
    await agent.getByLabel('来电号码').fill('13700000001');
    await agent.keyboard.press('Alt+X');
    await toast(agent, '已登记来电：无效来电');
    await shot(agent, '12-agent-contacts');
    const after = await call('GET', `/contacts?phone=${phone}`, agentToken);
    expect(after.body.items.map((c: any) => [c.outcome, c.workorderId])).toEqual([
      ['duplicate', orderId],
      ['duplicate', orderId],
      ['workorder', orderId],
    ]);
    // The repeat caller joined the order's callers, once a call.
    const callers = await call('GET', `/workorders/${orderId}/callers`, agentToken);
    expect(callers.body.items.map((c: any) => c.source)).toEqual(['order', 'repeat', 'repeat']);
    const invalid = await call('GET', '/contacts?phone=13700000001', agentToken);
    expect(invalid.body.items[0]).toMatchObject({ outcome: 'invalid', invalidReason: 'hung_up' });
    await agent.context().close();
  }, 60_000);

  it('the supervisor reads the month ranking and opens the orders behind a number', async () => {
    const page = await signIn('supervisor1');
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    const rankings = page.getByTestId('rankings');
    const firstRow = rankings.locator('tbody tr.ant-table-row').first();
    await firstRow.getByRole('cell', { name: '1', exact: true }).waitFor();
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const api = await call('GET', `/kpi/rankings?month=${month}&kind=district`, await tokenOf('supervisor1'));
    await firstRow.getByText(api.body.items[0].unitName).waitFor();
    // Early in a month the best-ranked unit may have received nothing yet: open one that has.
    const top = api.body.items.find((x: any) => x.counts.received > 0);
    await page.locator('canvas').first().waitFor();
    await shot(page, '13-supervisor-dashboard', true);
    await rankings.getByRole('button', { name: `${top.unitName} 受理 ${top.counts.received}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`共 ${top.counts.received} 件`).waitFor();
    expect(await dialog.locator('tbody tr a').count()).toBeGreaterThan(0);
    await shot(page, '14-dashboard-drill-down');
    await page.context().close();
  }, 60_000);

  it('a citizen submits on the portal (no login, phone-sized screen) and tracks the request', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('[browser citizen]', e.message));
    await page.goto(base + '/portal');
    await page.getByLabel('诉求类别').click();
    await page.keyboard.type('路灯');
    await page.locator('.ant-select-item-option').filter({ hasText: '路灯' }).first().click();
    await page.getByLabel('地址').fill('青山区和平街道幸福路 8 号');
    await page.getByLabel('诉求内容').fill('幸福路 8 号门口路灯不亮，晚上很黑。');
    await page.locator('input[type=file]').setInputFiles({ name: 'light.png', mimeType: 'image/png', buffer: png(64, 48) });
    await page.getByLabel('联系电话').fill('13600001111');
    const label = await page.locator('label[for="portal_challengeAnswer"]').textContent();
    const [, a, op, b] = /(\d+)\s*([+-])\s*(\d+)/.exec(label ?? '')!;
    await page.getByLabel(/验证/).fill(String(op === '+' ? Number(a) + Number(b) : Number(a) - Number(b)));
    await shot(page, '15-portal-form', true);
    await page.getByRole('button', { name: '提交', exact: true }).click();
    const numberText = await page.getByTestId('portal-number').locator('strong').textContent({ timeout: 20_000 });
    const code = (await page.getByTestId('portal-code').locator('strong').textContent())!;
    expect(numberText).toMatch(/^\d{13}$/);
    await shot(page, '16-portal-submitted');
    await page.getByRole('button', { name: '查询进度' }).click();
    const tracked = page.getByTestId('tracked');
    await tracked.getByText(numberText!).waitFor();
    await tracked
      .locator('.ant-tag')
      .getByText(/已受理|已派至承办单位/)
      .waitFor();
    await shot(page, '17-portal-tracked', true);
    const api = await call('GET', `/portal/requests/${numberText}?code=${code}`);
    expect(api.status).toBe(200);
    expect(api.body.content).toContain('路灯不亮');
    // The photo arrived as a JPEG the browser re-encoded.
    const staff = await tokenOf('dispatcher1');
    const found = await call('GET', `/workorders?q=${numberText}`, staff);
    const photos = await call('GET', `/workorders/${found.body.items[0].id}/attachments`, staff);
    expect(photos.body.items).toMatchObject([{ contentType: 'image/jpeg', uploadedBy: null }]);

    // Open data: public, charts and the CSV link of the month.
    await page.goto(base + '/open-data');
    await page.locator('canvas').first().waitFor();
    const href = await page.getByRole('link', { name: /下载 CSV/ }).getAttribute('href');
    const csv = await fetch(base + href!);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    await ctx.close();
  }, 60_000);

  it('the administrator writes a knowledge article that the assistant then finds', async () => {
    const page = await signIn('demo_admin');
    await page.goto(base + '/admin/kb');
    await page.getByRole('button', { name: '新建知识' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('标题').fill('共享单车乱停放如何反映');
    await dialog.getByLabel('答复内容').fill('共享单车乱停放由所在区城管部门负责。\n请说明具体地点 <b>和时间</b>。');
    await dialog.getByRole('button', { name: '保存并发布' }).click();
    await page.getByRole('cell', { name: '共享单车乱停放如何反映' }).waitFor();
    await shot(page, '18-admin-kb');
    await page.context().close();
    const found = await call('POST', '/assist', await tokenOf('agent1'), { text: '共享单车乱停放' });
    const article = found.body.articles.find((a: any) => a.title === '共享单车乱停放如何反映');
    expect(article?.answer).toBe('<p>共享单车乱停放由所在区城管部门负责。</p><p>请说明具体地点 &lt;b&gt;和时间&lt;/b&gt;。</p>');
  }, 60_000);

  it('the agent adds the photo a caller sent by message to the order page', async () => {
    const agent = await tokenOf('agent1');
    const order = (await call('POST', '/workorders', agent, { type: 'report', title: '井盖缺失', content: '市民发来井盖缺失的照片，请尽快处置。' })).body;
    const page = await signIn('agent1');
    await page.goto(`${base}/orders/${order.id}`);
    const files = page.getByTestId('attachments');
    await files.getByText('暂无附件').waitFor();
    await files.locator('input[type=file]').setInputFiles({ name: '井盖缺失.png', mimeType: 'image/png', buffer: png(32, 24) });
    await toast(page, /已上传/);
    await files.getByText('井盖缺失.png').waitFor();
    await files.locator('img[alt="井盖缺失.png"][src^="blob:"]').waitFor(); // the thumbnail, fetched with the token
    await shot(page, '20-order-files');
    await page.context().close();
    const listed = await call('GET', `/workorders/${order.id}/attachments`, agent);
    expect(listed.body.items).toMatchObject([{ name: '井盖缺失.png', contentType: 'image/png', size: png(32, 24).length }]);
  }, 60_000);

  it("in a unit that reviews replies, the handler's reply waits for the manager, who amends and sends it", async () => {
    const [agent, dispatcher, handler] = await Promise.all(['agent1', 'dispatcher1', 'unit1_handler'].map(tokenOf));
    const qingshan = (await call('GET', '/units?kind=district', dispatcher)).body.items.find((u: any) => u.name === '青山区');
    expect(qingshan.managerReview).toBe(true); // the demo city turns review on for its first district
    let o = (await call('POST', '/workorders', agent, { type: 'request', title: '楼道灯不亮', content: '青山区某小区3号楼楼道灯坏了一周。' })).body;
    o = (await call('POST', `/workorders/${o.id}/actions/dispatch`, dispatcher, { version: o.version, unitId: qingshan.id })).body;
    o = (await call('POST', `/workorders/${o.id}/actions/sign`, handler, { version: o.version })).body;

    const h = await signIn('unit1_handler');
    await h.getByRole('button', { name: `答复 ${o.number}` }).click();
    await h.getByRole('dialog').getByLabel('答复', { exact: true }).fill('已更换楼道灯。');
    await h.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    await toast(h, '已完成：答复');
    await h
      .getByRole('row', { name: new RegExp(o.number) })
      .getByText('答复待审')
      .waitFor();
    await h.context().close();

    const m = await signIn('unit1_manager');
    await m.getByRole('button', { name: `审核通过并发出 ${o.number}` }).click();
    const dialog = m.getByRole('dialog');
    const text = dialog.getByLabel('答复', { exact: true });
    expect(await text.inputValue()).toBe('已更换楼道灯。');
    await text.fill('已于今日更换楼道灯，感谢您的反映。');
    await shot(m, '21-manager-approves-reply');
    await dialog.getByRole('button', { name: '确定' }).click();
    await toast(m, '已完成：审核通过并发出');
    await m.context().close();
    const done = (await call('GET', `/workorders/${o.id}`, agent)).body;
    expect(done).toMatchObject({ status: 'replied', pendingReply: null, reply: { content: '已于今日更换楼道灯，感谢您的反映。' } });
  }, 60_000);
});
