// End to end through a real browser: `jiesu serve` on a fresh PGlite folder, headless Chromium
// (Debian's /usr/bin/chromium via playwright-core), one order walked from the agent's form to the
// follow-up survey, each role through its own workspace. Screenshots go to test-results/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, rightEdge, shot, signIn as signInAt, startServer, toast, type TestServer } from './browser.js';

const ADMIN_PASSWORD = 'admin-pass-e2e-1';
const PASSWORD = 'password-123';
if (!hasChromium) console.warn(`web e2e: skipped, ${CHROMIUM} is missing (apt-get install chromium; .ci/run does it)`);

let server: TestServer;
let base = '';
const call = <T = any>(method: string, path: string, token?: string, body?: unknown) => server.call<T>(method, path, token, body);
const tokenOf = (username: string, password = PASSWORD) => server.tokenOf(username, password);

let units: Record<string, number>;
let tokens: Record<string, string>;

async function seed() {
  const admin = await tokenOf('admin', ADMIN_PASSWORD);
  const unit = async (name: string, kind: string, parentId?: number) => {
    const r = await call('POST', '/units', admin, { name, kind, parentId });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    return r.body.id as number;
  };
  const city = await unit('示范市', 'city');
  const center = await unit('12345热线中心', 'bureau', city);
  const districtA = await unit('东城区', 'district', city);
  await unit('东华门街道', 'subdistrict', districtA);
  await unit('市住房和城乡建设委员会', 'bureau', city);
  units = { city, center, districtA };
  const user = async (username: string, displayName: string, unitId: number, roles: string[]) => {
    const r = await call('POST', '/users', admin, { username, password: PASSWORD, displayName, unitId, roles });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  };
  await user('agent1', '王坐席', center, ['agent']);
  await user('dispatcher1', '李派单', center, ['dispatcher']);
  await user('handler_a', '赵承办', districtA, ['handler']);
  await user('followup1', '钱回访', center, ['followup']);
  await user('supervisor1', '孙督办', center, ['supervisor']);
  tokens = { admin, agent: await tokenOf('agent1'), dispatcher: await tokenOf('dispatcher1'), supervisor: await tokenOf('supervisor1') };
}

describe('web app served by jiesu serve', () => {
  beforeAll(async () => {
    server = await startServer({ env: { JIESU_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    base = server.base;
    await seed();
  }, 90_000);
  afterAll(async () => server?.stop());

  it('serves the app shell for client routes, and JSON 404s for the API and missing assets', async () => {
    const shell = await fetch(base + '/orders/123');
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-type')).toMatch(/text\/html/);
    expect(shell.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await shell.text()).toContain('<div id="root">');
    const api = await call('GET', '/nothing-here');
    expect(api.status).toBe(404);
    expect(api.body.error.code).toBe('not_found');
    expect((await fetch(base + '/assets/missing-file.js')).status).toBe(404);
  });

  describe.skipIf(!hasChromium)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => browser?.close());

    /** A fresh browser context at 1366×768, signed in through the login form. */
    const signIn = (username: string, password = PASSWORD): Promise<Page> => signInAt(browser, base, username, password);

    it('walks one order from the agent to the follow-up survey, each role in its workspace', async () => {
      const title = '小区门口路灯不亮 E2E';
      // Agent: keyboard-first contact form.
      const agent = await signIn('agent1');
      expect(new URL(agent.url()).pathname).toBe('/agent');
      await agent.getByLabel('来电号码').fill('13800138000');
      await agent.getByLabel('市民姓名').fill('张三');
      await agent.keyboard.press('Alt+3'); // 投诉
      await agent.getByLabel('标题').fill(title);
      await agent.getByLabel('诉求内容').fill('东华门大街 12 号门口路灯一周不亮，夜间出行不便。');
      await agent.getByLabel('所属区域').click();
      await agent.keyboard.type('东城区');
      await agent.keyboard.press('Enter');
      await agent.getByLabel('地址').fill('东华门大街 12 号');
      await agent.keyboard.press('Control+Enter');
      await toast(agent, /已创建工单 \d{13}/);
      await shot(agent, '1-agent-console');
      // Every outcome button is on screen at 1366×768, without scrolling.
      for (const name of [/创建工单/, /直接答复/, /重复诉求/, /转接/, /无效来电/]) {
        const box = await agent.getByTestId('agent-actions').getByRole('button', { name }).boundingBox();
        expect(box && box.y + box.height).toBeLessThanOrEqual(768);
      }
      // The shift's recorded calls are still listed after going elsewhere and coming Back.
      await agent.goto(`${base}/orders`);
      await agent.goBack();
      await agent.getByTestId('recent-calls').getByText(title).waitFor();
      const list = await call('GET', '/workorders?q=' + encodeURIComponent(title), tokens.agent);
      expect(list.body.items).toHaveLength(1);
      const created = list.body.items[0];
      expect(created).toMatchObject({ type: 'complaint', status: 'new', location: { districtUnitId: units.districtA } });
      const number: string = created.number;
      await agent.context().close();

      // Dispatcher: the queue pre-fills the district; one click dispatches.
      const dispatcher = await signIn('dispatcher1');
      expect(new URL(dispatcher.url()).pathname).toBe('/dispatch');
      await dispatcher.getByRole('row', { name: new RegExp(title) }).waitFor();
      await shot(dispatcher, '2-dispatch-queue');
      // On a 1366-pixel laptop the dispatch button shows without scrolling the table sideways.
      const dispatchEdge = await rightEdge(dispatcher, dispatcher.getByRole('button', { name: `派单 ${number}` }));
      expect(dispatchEdge.right).toBeLessThanOrEqual(dispatchEdge.window);
      await dispatcher.getByRole('button', { name: `派单 ${number}` }).click();
      await toast(dispatcher, '已完成：派单');
      await dispatcher.getByRole('row', { name: new RegExp(title) }).waitFor({ state: 'detached' });
      await dispatcher.context().close();

      // Handler of the district: sign, then reply.
      const handler = await signIn('handler_a');
      expect(new URL(handler.url()).pathname).toBe('/inbox');
      const signEdge = await rightEdge(handler, handler.getByRole('button', { name: `签收 ${number}` }));
      expect(signEdge.right).toBeLessThanOrEqual(signEdge.window);
      await handler.getByRole('button', { name: `签收 ${number}` }).click();
      await toast(handler, '已完成：签收');
      await handler.getByRole('button', { name: `答复 ${number}` }).click();
      const replyDialog = handler.getByRole('dialog');
      await replyDialog.getByLabel('答复', { exact: true }).fill('已更换灯泡，路灯恢复照明。');
      await shot(handler, '3-unit-inbox-reply');
      await replyDialog.getByRole('button', { name: '确定' }).click();
      await toast(handler, '已完成：答复');
      await handler.context().close();

      // Follow-up: survey the citizen.
      const followup = await signIn('followup1');
      expect(new URL(followup.url()).pathname).toBe('/followup');
      // The queue on the left; the script to read, the reply and the outcomes on the right.
      await followup.getByRole('row', { name: new RegExp(title) }).click();
      const callCard = followup.getByTestId('followup-call');
      await callCard
        .getByTestId('followup-script')
        .getByText(new RegExp(`${title}.*${number}`))
        .waitFor();
      await callCard
        .getByTestId('followup-script')
        .getByText(/已更换灯泡/)
        .waitFor();
      await shot(followup, '4-followup');
      // First call: nobody answers. The order waits for its retry, counted.
      await followup.getByRole('button', { name: `未接通 ${number}` }).click();
      const unreachable = followup.getByRole('dialog');
      await unreachable.getByLabel('备注').fill('无人接听');
      await unreachable.getByRole('button', { name: '确定' }).click();
      await followup.getByRole('row', { name: new RegExp(title) }).waitFor({ state: 'detached' });
      await followup.getByRole('switch', { name: '含等待重拨' }).click();
      await followup
        .getByRole('row', { name: new RegExp(title) })
        .getByText('1/3 次')
        .waitFor();
      await followup.getByRole('row', { name: new RegExp(title) }).click();
      await callCard
        .getByTestId('followup-attempts')
        .getByText(/已拨打未接通 1 次，最多 3 次/)
        .waitFor();
      await followup.getByRole('button', { name: `回访 ${number}` }).click();
      const surveyDialog = followup.getByRole('dialog');
      await surveyDialog.getByLabel('满意', { exact: true }).check();
      await surveyDialog.getByRole('button', { name: '确定' }).click();
      // The toast lasts a few seconds, which a loaded CI machine can miss: wait on the order itself.
      let done = await call('GET', `/workorders/${created.id}`, tokens.supervisor);
      for (let i = 0; i < 60 && done.body.status !== 'closed'; i++) {
        await new Promise((r) => setTimeout(r, 500));
        done = await call('GET', `/workorders/${created.id}`, tokens.supervisor);
      }
      await followup.context().close();
      expect(done.body).toMatchObject({ status: 'closed', survey: { satisfaction: 'satisfied', resolved: true }, reply: { resolved: true } });

      // Supervisor: the dashboard and the order's whole history.
      const supervisor = await signIn('supervisor1');
      expect(new URL(supervisor.url()).pathname).toBe('/dashboard');
      await supervisor.locator('canvas').first().waitFor();
      await supervisor.getByTestId('rankings').locator('tbody tr.ant-table-row').getByText('东城区').waitFor();
      await shot(supervisor, '5-supervisor-dashboard');
      await supervisor.goto(`${base}/orders/${created.id}`);
      const timeline = supervisor.getByTestId('timeline');
      await timeline.waitFor();
      for (const step of ['创建工单', '派单', '签收', '答复', '回访']) await expect(timeline.getByText(step, { exact: true }).count()).resolves.toBe(1);
      // Each step names who took it and their unit (not a user number).
      await expect(timeline.getByText('操作人 王坐席（12345热线中心）').count()).resolves.toBe(1);
      await expect(timeline.getByText('操作人 赵承办（东城区）').count()).resolves.toBe(2);
      await expect(timeline.getByText(/操作人 #\d/).count()).resolves.toBe(0);
      // Supervisors see the phone masked: in the order's fields and among its callers, never in full.
      await expect(supervisor.locator('.ant-descriptions').getByText('138****8000').count()).resolves.toBe(1);
      await expect(supervisor.getByText('13800138000').count()).resolves.toBe(0);
      await shot(supervisor, '6-order-timeline');
      await supervisor.context().close();
    }, 90_000);

    it('shows a version conflict plainly when someone else changed the order', async () => {
      const created = await call('POST', '/workorders', tokens.agent, {
        type: 'request',
        title: '冲突测试工单',
        content: '内容',
        location: { districtUnitId: units.districtA },
      });
      const page = await signIn('dispatcher1');
      const row = page.getByRole('row', { name: /冲突测试工单/ });
      await row.waitFor();
      // Another dispatcher dispatches it first; this page still holds version 1.
      const other = await call('POST', `/workorders/${created.body.id}/actions/dispatch`, tokens.dispatcher, { version: 1, unitId: units.city });
      expect(other.status).toBe(200);
      await row.getByRole('button', { name: /^派单/ }).click();
      await page.locator('.ant-modal-confirm-title').getByText('已被他人修改，请刷新').waitFor();
      await shot(page, '7-version-conflict');
      await page.getByRole('button', { name: '刷新' }).last().click();
      await row.waitFor({ state: 'detached' });
      await page.context().close();
    }, 60_000);

    it('shows script payloads in an order as text and never runs them', async () => {
      const payload = `<img src=x onerror="window.__xss='img'"><script>window.__xss='script'</script>`;
      const created = await call('POST', '/workorders', tokens.agent, { type: 'report', title: payload, content: payload });
      expect(created.status).toBe(201);
      const page = await signIn('supervisor1');
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(`${base}/orders`);
      await page
        .getByRole('row', { name: /<img src=x onerror=/ })
        .first()
        .waitFor();
      await page.goto(`${base}/orders/${created.body.id}`);
      await expect(page.getByTestId('order-heading').textContent()).resolves.toBe(payload);
      await page.getByText(payload).first().waitFor();
      expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.locator('#main script').count()).toBe(0);
      expect(dialogs).toEqual([]);
      await shot(page, '8-script-payload-as-text');
      await page.context().close();
    }, 60_000);

    it('admin imports the responsibility list from a CSV file and edits a rule', async () => {
      expect((await call('POST', '/categories', tokens.admin, { code: 'E01', name: '城乡建设', parentCode: null })).status).toBe(201);
      const page = await signIn('admin', ADMIN_PASSWORD);
      await page.goto(`${base}/admin/rules`);
      await page.locator('input[type=file]').setInputFiles({
        name: '权责清单.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('category,area,main,co\nE01,东城区,东城区,\nE01,,市住房和城乡建设委员会,\n'),
      });
      await toast(page, '导入完成：新增 2 条规则，更新 0 条');
      const rules = (await call('GET', '/dispatch/rules?categoryCode=E01', tokens.admin)).body.items as {
        id: number;
        areaUnitId: number | null;
        mainUnitId: number;
      }[];
      const district = rules.find((r) => r.areaUnitId === units.districtA)!;
      expect(district.mainUnitId).toBe(units.districtA);
      // The district's own rule now goes to the housing bureau, with a note.
      await page.getByRole('button', { name: `编辑 ${district.id}` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('主办单位', { exact: true }).click();
      await page.keyboard.type('市住房和城乡建设委员会');
      await page.keyboard.press('Enter');
      await dialog.getByLabel('备注', { exact: true }).fill('老旧小区改造由住建委统筹');
      await dialog.getByRole('button', { name: '确定' }).click();
      await toast(page, '已保存');
      const bureau = (await call('GET', '/units', tokens.admin)).body.items.find((x: { name: string }) => x.name === '市住房和城乡建设委员会');
      expect((await call('GET', `/dispatch/rules/${district.id}`, tokens.admin)).body).toMatchObject({
        mainUnitId: bureau.id,
        areaUnitId: units.districtA,
        note: '老旧小区改造由住建委统筹',
      });
      await shot(page, '11-admin-rules');
      // The category tree takes a CSV of name paths the same way; what is there already is kept. This one
      // is as Excel saves CSV on a Chinese Windows, in GBK: 城乡建设,市容环卫,垃圾清运.
      await page.goto(`${base}/admin/categories`);
      const gbk = Buffer.from('b3c7cfe7bda8c9e82ccad0c8ddbbb7cec02cc0acbbf8c7e5d4cb0a', 'hex');
      await page.locator('input[type=file]').setInputFiles({ name: '事项分类.csv', mimeType: 'application/vnd.ms-excel', buffer: gbk });
      await toast(page, '导入完成：新增 2 个分类，1 个已存在');
      await page.getByText('事项分类 (3)').waitFor(); // the tree reloaded
      const cats = (await call('GET', '/categories', tokens.admin)).body.items as { code: string; name: string; parentCode: string | null; level: number }[];
      const street = cats.find((c) => c.name === '市容环卫')!;
      expect(street).toMatchObject({ parentCode: 'E01', level: 2 });
      expect(cats.find((c) => c.name === '垃圾清运')).toMatchObject({ parentCode: street.code, level: 3 });
      await page.context().close();
    }, 60_000);

    it('admin pages: org tree and users; the language switches to English', async () => {
      const page = await signIn('admin', ADMIN_PASSWORD);
      await page.goto(`${base}/admin/units`);
      await page.getByRole('tree').getByText('东华门街道').waitFor();
      // Add a unit through the form, under 东城区.
      await page.getByLabel('名称', { exact: true }).fill('景山街道');
      await page.getByLabel('类别', { exact: true }).click();
      await page.getByTitle('街道/乡镇').click();
      await page.getByLabel('上级单位', { exact: true }).click();
      await page.keyboard.type('东城区');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: '新建单位' }).click();
      await page.getByRole('tree').getByText('景山街道').waitFor();
      const u = await call('GET', '/units', tokens.admin);
      expect(u.body.items.find((x: { name: string }) => x.name === '景山街道')).toMatchObject({ kind: 'subdistrict', parentId: units.districtA });
      await shot(page, '9-admin-units');
      await page.goto(`${base}/admin/users`);
      await page.getByRole('row', { name: /handler_a/ }).waitFor();
      await shot(page, '10-admin-users');
      await page.getByText('EN', { exact: true }).click();
      await page.getByRole('menuitem', { name: /Users/ }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await page.context().close();
    }, 60_000);
  });
});
