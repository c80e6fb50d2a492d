// The working calendar through a real browser (`jiesu serve` on a fresh PGlite folder, headless
// Chromium): the administrator turns a day off in the month view with a reason and the open
// order's deadline moves; enters a day of a year the built-in data does not cover; pastes the
// State Council's notice, checks the preview and imports it; a notice of the wrong year is
// refused naming the line; the dashboard warns while next year's calendar is missing.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, shot, signIn as signInAt, startServer, toast, type TestServer } from './browser.js';

const ADMIN_PASSWORD = 'admin-pass-calendar-1';
const PASSWORD = 'password-123';

let server: TestServer;
let base = '';
const call = <T = any>(method: string, path: string, token?: string, body?: unknown) => server.call<T>(method, path, token, body);
let tokens: Record<'admin' | 'agent' | 'dispatcher' | 'supervisor', string>;
let districtA = 0;

async function seed() {
  const admin = await server.tokenOf('admin', ADMIN_PASSWORD);
  const unit = async (name: string, kind: string, parentId?: number) => {
    const r = await call('POST', '/units', admin, { name, kind, parentId });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    return r.body.id as number;
  };
  const city = await unit('示范市', 'city');
  const center = await unit('12345热线中心', 'bureau', city);
  districtA = await unit('东城区', 'district', city);
  for (const [username, roles] of [
    ['agent1', ['agent']],
    ['dispatcher1', ['dispatcher']],
    ['supervisor1', ['supervisor']],
  ] as const) {
    const r = await call('POST', '/users', admin, { username, password: PASSWORD, displayName: username, unitId: center, roles });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  }
  tokens = {
    admin,
    agent: await server.tokenOf('agent1', PASSWORD),
    dispatcher: await server.tokenOf('dispatcher1', PASSWORD),
    supervisor: await server.tokenOf('supervisor1', PASSWORD),
  };
}

const replyDue = async (id: number): Promise<string> =>
  (await call('GET', `/workorders/${id}/deadlines`, tokens.dispatcher)).body.items.find((d: any) => d.kind === 'reply').dueAt;

describe.skipIf(!hasChromium)('the working calendar in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    await Promise.all([startServer({ env: { JIESU_ADMIN_PASSWORD: ADMIN_PASSWORD } }).then((s) => (server = s)), launchChromium().then((b) => (browser = b))]);
    base = server.base;
    await seed();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const adminPage = async (): Promise<Page> => {
    const page = await signInAt(browser, base, 'admin', ADMIN_PASSWORD);
    await page.goto(base + '/admin/time-limits');
    await page.getByText(/年工作日历/).waitFor();
    return page;
  };
  /** Shows a year in the calendar card (the year picker's panel shows the current decade). */
  const showYear = async (page: Page, year: number) => {
    if ((await page.getByText(`${year} 年工作日历`).count()) > 0) return;
    await page.getByLabel('年份').click();
    await page.locator(`.ant-picker-cell[title="${year}"]`).click();
    await page.getByText(`${year} 年工作日历`).waitFor();
  };
  /** Clicks a day of the month view, makes it a day off or a working day with a reason, and waits for the toast. */
  const editDay = async (page: Page, date: string, working: boolean, reason: string, name?: string) => {
    await page.locator(`button[data-date="${date}"]`).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(working ? '上班' : '放假', { exact: true }).click();
    if (name !== undefined) await dialog.getByLabel('名称（如 春节，可不填）').fill(name);
    await dialog.getByLabel('调整原因').fill(reason);
    await dialog.getByRole('button', { name: /确\s*定|OK/ }).click();
  };

  it('turns the next working day off with a reason: the open order’s deadline moves and the API sees the day', async () => {
    const o = (await call('POST', '/workorders', tokens.agent, { type: 'complaint', title: '夜间施工噪音', content: '工地夜间施工噪音扰民。' })).body;
    expect((await call('POST', `/workorders/${o.id}/actions/dispatch`, tokens.dispatcher, { version: o.version, unitId: districtA })).status).toBe(200);
    const before = await replyDue(o.id);
    // The next working day after today, as the server counts it.
    const next = (await call('GET', `/sla/calendar/add?from=${encodeURIComponent(new Date().toISOString())}&amount=1&unit=days`, tokens.admin)).body
      .due as string;
    const date = new Date(Date.parse(next) + 8 * 3600_000).toISOString().slice(0, 10); // Asia/Shanghai
    const year = Number(date.slice(0, 4));

    const page = await adminPage();
    await showYear(page, year);
    const cell = page.locator(`button[data-date="${date}"]`);
    await expect(cell.getAttribute('data-working')).resolves.toBe('true');
    await page.locator(`button[data-date="${date}"]`).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('当前：上班').waitFor();
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await dialog.getByText('请填写调整原因').waitFor(); // nothing is saved without a reason
    await dialog.getByLabel('调整原因').fill('本市临时停电检修');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await toast(page, /已保存：1 张在办工单的期限有变动/);
    await expect.poll(() => cell.getAttribute('data-working')).toBe('false');
    await page
      .getByTestId('calendar-source')
      .getByText(/管理员调整/)
      .waitFor();
    await shot(page, 'calendar-1-day-off');
    await page.context().close();

    const y = (await call('GET', `/sla/calendar/${year}`, tokens.admin)).body;
    expect(y.calendar).toMatchObject({ source: 'admin', origin: 'edit' });
    expect(y.days).toContainEqual({ date, kind: 'holiday', name: null, source: 'local', reason: '本市临时停电检修' });
    const after = await replyDue(o.id);
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    const audit = (await call('GET', '/audit/events?action=sla.calendar.day', tokens.admin)).body.items[0];
    expect(audit.data).toMatchObject({ date, reason: '本市临时停电检修', moved: 1 });
  }, 90_000);

  it('enters a day of a year the built-in data does not cover (2029), and deadlines follow it', async () => {
    const page = await adminPage();
    await showYear(page, 2029);
    await page.getByText('尚未收录 2029 年的国务院节假日安排', { exact: false }).waitFor();
    await editDay(page, '2029-01-01', false, '元旦放假', '元旦');
    await toast(page, /已保存/);
    await page.getByRole('button', { name: /2029年1月1日.*放假 元旦/ }).waitFor();
    await shot(page, 'calendar-2-uncovered-year');
    await page.context().close();
    expect((await call('GET', '/sla/calendar/2029', tokens.admin)).body.days).toEqual([
      { date: '2029-01-01', kind: 'holiday', name: '元旦', source: 'local', reason: '元旦放假' },
    ]);
    // From Friday 2028-12-29, one working day skips the weekend and the new holiday: the end of Tuesday 01-02.
    const add = await call('GET', `/sla/calendar/add?from=${encodeURIComponent('2028-12-29T10:00:00+08:00')}&amount=1&unit=days`, tokens.admin);
    expect(add.body.due).toBe('2029-01-02T10:00:00.000Z');
  }, 60_000);

  it('pastes the State Council notice: a wrong year is refused naming the line, the right one is previewed and imported', async () => {
    const notice = readFileSync(new URL('../src/sla/fixtures/notice-2026.txt', import.meta.url), 'utf8');
    const page = await adminPage();
    await showYear(page, 2029);
    await page.getByRole('button', { name: '粘贴通知导入' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('通知全文').fill(notice);
    await dialog.getByRole('button', { name: '解析预览' }).click();
    await dialog
      .getByRole('alert')
      .getByText(/第 1 行无法识别.*这是 2026 年的通知，不是 2029 年的/)
      .waitFor();
    await dialog.getByRole('button', { name: /取\s*消/ }).click();

    await showYear(page, 2026);
    await page.getByRole('button', { name: '粘贴通知导入' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('通知全文').fill(notice);
    await dialog.getByRole('button', { name: '解析预览' }).click();
    await dialog.getByRole('heading', { name: '国务院办公厅关于2026年部分节假日安排的通知' }).waitFor();
    await dialog.getByRole('cell', { name: '春节', exact: true }).waitFor();
    await dialog
      .getByTestId('notice-summary')
      .getByText(/放假 33 天、调休上班 6 天/)
      .waitFor();
    await shot(page, 'calendar-3-notice-preview');
    await dialog.getByRole('button', { name: '确认导入' }).click();
    await toast(page, /已保存：\d+ 张在办工单的期限有变动/);
    await page
      .getByTestId('calendar-source')
      .getByText(/管理员导入通知/)
      .waitFor();
    await page.context().close();
    const y = (await call('GET', '/sla/calendar/2026', tokens.admin)).body;
    expect(y.calendar).toMatchObject({ source: 'admin', origin: 'notice', noticeTitle: '国务院办公厅关于2026年部分节假日安排的通知' });
    // The notice's days (a day turned off by hand above stays, as the city's own).
    expect(y.days.filter((d: any) => d.reason === '国务院办公厅关于2026年部分节假日安排的通知' && d.kind === 'holiday')).toHaveLength(33);
    expect(y.days.filter((d: any) => d.reason === '国务院办公厅关于2026年部分节假日安排的通知' && d.kind === 'workday')).toHaveLength(6);
  }, 90_000);

  it('warns on the supervisor dashboard exactly while the status says a coming year is missing', async () => {
    const status = (await call('GET', '/sla/calendar/status', tokens.supervisor)).body;
    const page = await signInAt(browser, base, 'supervisor1', PASSWORD);
    await page.goto(base + '/dashboard');
    await page.getByText('督办看板').first().waitFor();
    if (status.warn) {
      await page
        .getByTestId('calendar-missing')
        .getByText(`尚未录入 ${status.missing.join('、')} 年的节假日安排`)
        .waitFor();
      await shot(page, 'calendar-4-dashboard-warning');
    } else {
      await page.waitForTimeout(1000);
      expect(await page.getByTestId('calendar-missing').count()).toBe(0);
    }
    await page.context().close();
  }, 60_000);
});
