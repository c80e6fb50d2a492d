// 常用语 in a real browser: the handler's reply box and the follow-up agent's note offer the
// center's and the unit's templates, and picking one puts the text filled for the order (the
// salutation from the surname, the order number) into the box, after what was typed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, shot, signIn, startServer, toast, type TestServer } from './browser.js';

const ADMIN_PASSWORD = 'admin-pass-e2e-1';
const PASSWORD = 'password-123';
if (!hasChromium) console.warn(`reply templates e2e: skipped, ${CHROMIUM} is missing`);

let server: TestServer;
let order: { id: number; number: string; version: number };

beforeAll(async () => {
  server = await startServer({ env: { JIESU_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  const call = <T = any>(method: string, path: string, token?: string, body?: unknown) => server.call<T>(method, path, token, body);
  const admin = await server.tokenOf('admin', ADMIN_PASSWORD);
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
  const manager = await user('manager_a', district, ['unit_manager']);
  await user('followup1', center, ['followup']);
  const template = (token: string, body: Record<string, unknown>) => call('POST', '/reply-templates', token, body);
  expect((await template(dispatcher, { scope: 'center', title: '答复开头', body: '{{称呼}}您好！工单 {{工单编号}} 已办理：', kinds: ['reply'] })).status).toBe(
    201,
  );
  expect((await template(dispatcher, { scope: 'center', title: '回访满意', body: '{{称呼}}表示满意。', kinds: ['followup'] })).status).toBe(201);
  expect((await template(manager, { scope: 'unit', title: '东城区现场核查', body: '{{承办单位}}已到现场核查。', kinds: ['reply'] })).status).toBe(201);
  const c = await call('POST', '/workorders', agent, {
    type: 'complaint',
    title: '楼道灯不亮 常用语',
    content: '3号楼楼道灯坏了',
    location: { districtUnitId: district },
    citizen: { name: '张三', phone: '13800138000' },
  });
  const d = await call('POST', `/workorders/${c.body.id}/actions/dispatch`, dispatcher, { version: c.body.version, unitId: district });
  const s = await call('POST', `/workorders/${c.body.id}/actions/sign`, handler, { version: d.body.version });
  expect(s.status).toBe(200);
  order = s.body;
}, 90_000);
afterAll(async () => server?.stop());

describe.skipIf(!hasChromium)('常用语 in the order forms', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => browser?.close());

  it('fills the reply box and the follow-up note from the templates, rendered for the order', async () => {
    const handler = await signIn(browser, server.base, 'handler_a', PASSWORD);
    await handler.goto(`${server.base}/orders/${order.id}`);
    await handler.getByRole('button', { name: `答复 ${order.number}` }).click();
    const dialog = handler.getByRole('dialog');
    const box = dialog.getByLabel('答复', { exact: true });
    await box.fill('经核查：');
    await dialog.getByRole('combobox', { name: '常用语' }).click();
    // The unit's own come first, then the center's; the follow-up ones are not offered here.
    const list = handler.locator('.ant-select-dropdown:visible');
    await list.getByText('东城区现场核查').waitFor();
    await expect(list.getByText('回访满意').count()).resolves.toBe(0);
    await list.getByText('答复开头').click();
    await expect.poll(() => box.inputValue()).toBe(`经核查：\n张先生/女士您好！工单 ${order.number} 已办理：`);
    await dialog.getByRole('combobox', { name: '常用语' }).click();
    await handler.locator('.ant-select-dropdown:visible').getByText('东城区现场核查').click();
    await expect.poll(() => box.inputValue()).toMatch(/已办理：\n东城区已到现场核查。$/);
    await shot(handler, 'templates-reply');
    await dialog.getByRole('button', { name: '确定' }).click();
    await toast(handler, '已完成：答复');
    const replied = await server.call('GET', `/workorders/${order.id}`, await server.tokenOf('handler_a', PASSWORD));
    expect(replied.body.reply.content).toBe(`经核查：\n张先生/女士您好！工单 ${order.number} 已办理：\n东城区已到现场核查。`);
    await handler.context().close();

    const followup = await signIn(browser, server.base, 'followup1', PASSWORD);
    await followup.getByRole('row', { name: /楼道灯不亮 常用语/ }).click();
    await followup.getByRole('button', { name: `回访 ${order.number}` }).click();
    const survey = followup.getByRole('dialog');
    // Once the dialog has opened (its animation would move the list away from under the click).
    await survey.getByLabel('备注').click();
    await survey.getByRole('combobox', { name: '常用语' }).click();
    await followup.locator('.ant-select-dropdown:visible').getByText('回访满意').click();
    await expect.poll(() => survey.getByLabel('备注').inputValue()).toBe('张先生/女士表示满意。');
    await shot(followup, 'templates-followup');
    await followup.context().close();
  });
});
