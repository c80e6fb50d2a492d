// The departments' side (#24) in a real browser, each role at 1366×768 in Chinese: the district's
// manager names a handler, the district passes the order down to its street, the street returns it
// up one level, takes it again, asks to suspend (the dispatcher approves in its queue) and resumes;
// the co-unit gives its part; the street replies and the district reviews it before the center
// sees it; after an unsatisfied survey the district appeals and the supervisor upholds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, shot, signIn, startServer, toast, type TestServer } from './browser.js';

const ADMIN_PASSWORD = 'admin-pass-e2e-1';
const PASSWORD = 'password-123';
if (!hasChromium) console.warn(`departments e2e: skipped, ${CHROMIUM} is missing`);

let server: TestServer;
let order: { id: number; number: string };
const units: Record<string, number> = {};

beforeAll(async () => {
  server = await startServer({ env: { JIESU_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  const call = <T = any>(method: string, path: string, token?: string, body?: unknown) => server.call<T>(method, path, token, body);
  const admin = await server.tokenOf('admin', ADMIN_PASSWORD);
  const unit = async (key: string, name: string, kind: string, parentId?: number) =>
    (units[key] = (await call('POST', '/units', admin, { name, kind, parentId })).body.id as number);
  const city = await unit('city', '示范市', 'city');
  const center = await unit('center', '12345热线中心', 'bureau', city);
  const district = await unit('district', '东城区', 'district', city);
  const street = await unit('street', '东华门街道', 'subdistrict', district);
  const co = await unit('co', '市园林绿化局', 'bureau', city);
  const user = async (username: string, unitId: number, roles: string[]) => {
    const r = await call('POST', '/users', admin, { username, password: PASSWORD, displayName: `${username}姓名`, unitId, roles });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    return server.tokenOf(username, PASSWORD);
  };
  const agent = await user('agent1', center, ['agent']);
  const dispatcher = await user('dispatcher1', center, ['dispatcher']);
  await user('followup1', center, ['followup']);
  await user('supervisor1', center, ['supervisor']);
  await user('handler_a', district, ['handler']);
  await user('manager_a', district, ['unit_manager']);
  await user('handler_street', street, ['handler']);
  await user('handler_co', co, ['handler']);
  const c = await call('POST', '/workorders', agent, {
    type: 'complaint',
    title: '行道树倒伏挡路 转派',
    content: '东华门大街行道树倒伏，挡住人行道',
    categoryCode: '0101',
    location: { districtUnitId: district },
    citizen: { name: '李四', phone: '13900001111' },
  });
  const d = await call('POST', `/workorders/${c.body.id}/actions/dispatch`, dispatcher, { version: c.body.version, unitId: district, coUnitIds: [co] });
  expect(d.status).toBe(200);
  order = d.body;
}, 90_000);
afterAll(async () => server?.stop());

/** Opens the order's page and takes one action through its button and form. */
async function actOn(page: Page, action: string, fill?: (dialog: ReturnType<Page['getByRole']>) => Promise<void>) {
  await page.goto(`${server.base}/orders/${order.id}`);
  await page.getByRole('button', { name: `${action} ${order.number}`, exact: true }).click();
  if (fill) {
    const dialog = page.getByRole('dialog');
    await fill(dialog);
    await dialog.getByRole('button', { name: '确定' }).click();
  }
  await toast(page, `已完成：${action}`);
}
const pickTree = async (page: Page, dialog: ReturnType<Page['getByRole']>, label: string, name: string) => {
  // Typed first, so the tree holds only the match, and checked after: on a busy machine a click could
  // land while the list still moved, and the form was sent with no unit.
  await dialog.getByLabel(label).fill(name);
  const option = page.locator('.ant-select-dropdown:visible').getByTitle(name);
  await option.waitFor();
  await option.click();
  await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
  await expect.poll(() => dialog.textContent()).toContain(name);
};
const api = async (username: string) => {
  const token = await server.tokenOf(username, PASSWORD);
  return (path: string) => server.call('GET', path, token);
};

describe.skipIf(!hasChromium)('the departments’ side in the web app', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => browser?.close());

  it('walks the order down the tree, back up, through a suspension, the co-unit’s part and the upper review', async () => {
    // The district's manager names its handler; the handler finds it under 「只看指定给我的」.
    const manager = await signIn(browser, server.base, 'manager_a', PASSWORD);
    await actOn(manager, '签收');
    await actOn(manager, '指定承办人', async (dialog) => {
      // Typed and chosen with Enter: the list loads while it opens, and a click may land as it moves.
      await dialog.getByLabel('指定承办人').fill('handler_a');
      await manager
        .locator('.ant-select-dropdown:visible')
        .getByTitle(/^handler_a姓名/)
        .waitFor();
      await manager.keyboard.press('Enter');
      await expect.poll(() => manager.locator('.ant-select-dropdown:visible').count()).toBe(0);
    });
    await expect.poll(() => manager.getByTestId('assignee').textContent()).toBe('handler_a姓名');
    await manager.context().close();

    const district = await signIn(browser, server.base, 'handler_a', PASSWORD);
    await district.getByText('只看指定给我的').click();
    await district.getByRole('row', { name: /行道树倒伏挡路/ }).waitFor();
    await shot(district, 'departments-inbox-mine');
    await actOn(district, '转派下级', async (dialog) => {
      await pickTree(district, dialog, '选择下级单位', '东华门街道');
      await dialog.getByLabel('备注').fill('请街道先行处置');
    });
    await expect.poll(() => district.getByTestId('transfer-chain').textContent()).toMatch(/东城区 → 东华门街道 待签收/);
    await shot(district, 'departments-transferred');

    // The street signs in its inbox's own filter, then returns it up one level.
    const street = await signIn(browser, server.base, 'handler_street', PASSWORD);
    await street.getByLabel('办理环节').click();
    await street.locator('.ant-select-dropdown:visible').getByText('待签收（转派）').click();
    await street.getByRole('row', { name: /行道树倒伏挡路/ }).waitFor();
    await shot(street, 'departments-street-inbox');
    await actOn(street, '签收');
    await actOn(street, '退回', (dialog) => dialog.getByLabel('原因').fill('需区园林部门协调'));
    const read = await api('handler_a');
    expect((await read(`/workorders/${order.id}`)).body).toMatchObject({ status: 'accepted', mainUnitId: units.district, transferChain: [] });

    // Passed down again; the street signs and asks to stop the clock.
    await actOn(district, '转派下级', (dialog) => pickTree(district, dialog, '选择下级单位', '东华门街道'));
    await actOn(street, '签收');
    await actOn(street, '申请挂起', async (dialog) => {
      await dialog.getByLabel('挂起工作日数').fill('1');
      await dialog.getByLabel('原因').fill('等待园林部门出具鉴定');
    });
    const dispatcher = await signIn(browser, server.base, 'dispatcher1', PASSWORD);
    await dispatcher.getByRole('tab', { name: '挂起待审批' }).click();
    await dispatcher.getByRole('button', { name: `同意挂起 ${order.number}`, exact: true }).click();
    await toast(dispatcher, '已完成：同意挂起');
    await shot(dispatcher, 'departments-dispatcher-suspension');
    await dispatcher.context().close();
    await street.goto(`${server.base}/orders/${order.id}`);
    await street.getByTestId('suspended').waitFor();
    await shot(street, 'departments-suspended');
    await actOn(street, '恢复办理');
    await expect.poll(async () => (await read(`/workorders/${order.id}/deadlines`)).body.items.find((d: any) => d.kind === 'reply').suspensions.length).toBe(1);

    // The co-unit gives its part; the lead sees it beside the reply.
    const co = await signIn(browser, server.base, 'handler_co', PASSWORD);
    await actOn(co, '协办答复', (dialog) => dialog.getByLabel('本单位协办意见').fill('园林局已安排修剪'));
    await co.context().close();

    // The street replies; the district reviews it before the center sees it.
    await actOn(street, '答复', (dialog) => dialog.getByLabel('答复', { exact: true }).fill('倒伏树木已清理'));
    await street.context().close();
    await district.goto(`${server.base}/orders/${order.id}`);
    await expect.poll(() => district.getByTestId('pending-reply').textContent()).toMatch(/答复待上级单位审核：东城区/);
    await expect.poll(() => district.getByTestId('co-replies').textContent()).toMatch(/市园林绿化局.*园林局已安排修剪/);
    await shot(district, 'departments-upper-review', true);
    expect((await (await api('dispatcher1'))(`/workorders/${order.id}`)).body.status).toBe('accepted');
    await actOn(district, '审核通过并发出', () => Promise.resolve());
    expect((await read(`/workorders/${order.id}`)).body).toMatchObject({ status: 'replied', reply: { content: '倒伏树木已清理' } });
    // The history tells the whole way.
    const timeline = await district.getByTestId('timeline').textContent();
    for (const step of ['转派下级', '下级单位签收', '下级单位退回上级', '申请挂起', '同意挂起，暂停计时', '恢复计时', '协办答复'])
      expect(timeline).toContain(step);
    await district.context().close();
  });

  it('the district appeals an unsatisfied survey and the supervisor upholds it', async () => {
    const followup = await server.tokenOf('followup1', PASSWORD);
    const o = (await server.call('GET', `/workorders/${order.id}`, followup)).body;
    const s = await server.call('POST', `/workorders/${order.id}/actions/survey`, followup, {
      version: o.version,
      satisfaction: 'unsatisfied',
      resolved: true,
    });
    expect(s.status).toBe(200);

    const district = await signIn(browser, server.base, 'handler_a', PASSWORD);
    await actOn(district, '申诉', async (dialog) => {
      await dialog.getByText('回访结果有误').click();
      await dialog.getByLabel('原因').fill('市民反映的是另一处树木');
    });
    await expect.poll(() => district.getByTestId('appeal').textContent()).toMatch(/待裁定.*回访结果有误/);
    await district.context().close();

    const supervisor = await signIn(browser, server.base, 'supervisor1', PASSWORD);
    await supervisor.getByRole('menuitem', { name: '终审与申诉' }).click();
    await supervisor.getByRole('tab', { name: '待裁定申诉' }).click();
    await shot(supervisor, 'departments-appeals');
    await supervisor.getByRole('link', { name: '查看并裁定' }).click();
    await supervisor.getByRole('button', { name: `裁定申诉 ${order.number}` }).click();
    const dialog = supervisor.getByRole('dialog');
    await dialog.getByLabel('备注').fill('经核实回访记录有误');
    await dialog.getByRole('button', { name: '确定' }).click();
    await toast(supervisor, '已完成：裁定申诉');
    await expect.poll(() => supervisor.getByTestId('appeal').textContent()).toMatch(/申诉成立/);
    await shot(supervisor, 'departments-appeal-upheld', true);
    await supervisor.context().close();
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
    const kpi = await (await api('supervisor1'))(`/kpi/units?month=${month}&unitId=${units.district}&includeDescendants=false`);
    expect(kpi.body.items[0].counts).toMatchObject({ surveyed: 0, unsatisfied: 0, appeals_upheld: 1 });
  });
});
