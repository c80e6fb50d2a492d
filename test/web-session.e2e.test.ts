// Nothing typed is lost when the session ends: through a real browser on the demo city, the
// agent's session is ended on the server while a complaint is being typed. Submitting asks for the
// password in place and then creates the order; a reload after the end brings the draft back after
// signing in. Screenshots (1366×768) go to test-results/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, shot, signIn, startServer, toast, type TestServer } from './browser.js';

const PASSWORD = 'jiesu-demo'; // src/demo/org.ts DEMO_PASSWORD
if (!hasChromium) console.warn(`web session e2e: skipped, ${CHROMIUM} is missing`);

describe.skipIf(!hasChromium)('an expired session in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: string;
  beforeAll(async () => {
    // The node's token cache off: a session ended on the server is refused at the next request.
    [server, browser] = await Promise.all([
      startServer({ demo: true, env: { JIESU_DEMO_CONTACTS: '600', JIESU_ADMIN_PASSWORD: undefined, JIESU_AUTH_CACHE_SECONDS: '0' } }),
      launchChromium(),
    ]);
    admin = await server.tokenOf('demo_admin', PASSWORD);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Ends every session of agent1 on the server, as an admin would (or as time does). */
  const endAgentSessions = async () => {
    const users = await server.call('GET', '/users', admin);
    const agent = (users.body.items as { id: number; username: string }[]).find((u) => u.username === 'agent1')!;
    const r = await server.call('POST', '/auth/sessions/revoke-all', admin, { userId: agent.id });
    expect(r.status).toBe(200);
    expect(r.body.revoked).toBeGreaterThanOrEqual(1);
  };
  const typeComplaint = async (page: Page, title: string, content: string) => {
    await page.getByLabel('来电号码').fill('13900139000');
    await page.getByLabel('标题').fill(title);
    await page.getByLabel('诉求内容').fill(content);
    await page.waitForTimeout(600); // the draft is written 300 ms after the last keystroke
  };
  const orderTitled = async (title: string) =>
    (await server.call('GET', '/workorders?q=' + encodeURIComponent(title), admin)).body.items as { number: string; title: string }[];

  it('asks for the password in place on submit, keeps the text, and then creates the order', async () => {
    const page = await signIn(browser, server.base, 'agent1', PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/agent');
    const title = '楼道灯坏了 会话过期测试';
    const content = '三单元五楼楼道灯坏了两周，老人晚上上下楼不安全。';
    await typeComplaint(page, title, content);
    await endAgentSessions();

    await page.keyboard.press('Control+Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByText('登录已被注销，请重新输入密码').waitFor();
    expect(await dialog.getByLabel('用户名').inputValue()).toBe('agent1');
    expect(await dialog.getByLabel('用户名').isDisabled()).toBe(true);
    // The page did not move and the form still holds what was typed.
    expect(new URL(page.url()).pathname).toBe('/agent');
    expect(await page.getByLabel('标题').inputValue()).toBe(title);
    expect(await page.getByLabel('诉求内容').inputValue()).toBe(content);
    await shot(page, 'session-1-password-in-place');

    // A wrong password says so and keeps the dialog open.
    await dialog.getByLabel('密码').fill('not-the-password');
    await dialog.getByRole('button', { name: '继续' }).click();
    await dialog.getByText('用户名或密码错误').waitFor();
    await dialog.getByLabel('密码').fill(PASSWORD);
    await dialog.getByRole('button', { name: '继续' }).click();
    await toast(page, /已创建工单 \d{13}/);
    await dialog.waitFor({ state: 'hidden' });
    await shot(page, 'session-2-order-created');
    const found = await orderTitled(title);
    expect(found.map((o) => o.title)).toEqual([title]);
    // Sent, so the draft is gone: a reload shows an empty form.
    await page.reload();
    await page.getByTestId('whoami').waitFor();
    expect(await page.getByLabel('标题').inputValue()).toBe('');
    expect(await page.getByTestId('draft-restored').count()).toBe(0);
    await page.context().close();
  });

  it('cancelling keeps the page and the text; a reload after the end brings the draft back after signing in', async () => {
    const page = await signIn(browser, server.base, 'agent1', PASSWORD);
    const title = '噪音扰民 草稿恢复测试';
    const content = '夜里十一点以后楼下烧烤店仍在营业，噪音很大。';
    await typeComplaint(page, title, content);
    await endAgentSessions();

    await page.keyboard.press('Control+Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: '稍后' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('session-expired').waitFor();
    expect(await page.getByLabel('诉求内容').inputValue()).toBe(content);
    await shot(page, 'session-3-cancelled-banner');
    expect(await orderTitled(title)).toEqual([]);

    // The tab is reloaded: the stored token no longer works, so the login page; then the draft.
    await page.reload();
    await page.getByLabel('用户名', { exact: true }).fill('agent1');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByTestId('whoami').waitFor();
    await page.getByTestId('draft-restored').getByText('已恢复未提交的草稿').waitFor();
    expect(await page.getByLabel('标题').inputValue()).toBe(title);
    expect(await page.getByLabel('诉求内容').inputValue()).toBe(content);
    expect(await page.getByLabel('来电号码').inputValue()).toBe('13900139000');
    await shot(page, 'session-4-draft-restored');

    // Discarding empties the form and the stored draft.
    await page.getByTestId('draft-restored').getByRole('button', { name: '放弃草稿' }).click();
    expect(await page.getByLabel('标题').inputValue()).toBe('');
    await page.reload();
    await page.getByTestId('whoami').waitFor();
    expect(await page.getByLabel('诉求内容').inputValue()).toBe('');
    expect(await page.getByTestId('draft-restored').count()).toBe(0);
    await page.context().close();
  });
});
