// A day's walk through every workspace on the demo city, as each role, in Chinese and in English,
// at 1366×768: what is on screen must read as the reader's language, with times in the city's
// clock and order numbers rather than internal ids. Screenshots go to test-results/walk-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, shot, startServer, type TestServer } from './browser.js';

const PASSWORD = 'jiesu-demo';

/** What people must never read on a page. */
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const INTERNAL_ID = /#\d+|\(ID\)|\bid\s*[:=]\s*\d+/i;
// Three Latin words in a row in the Chinese interface is English (or schema jargon) left behind.
// Keyboard shortcuts (Ctrl+Enter, Alt+A) and single names (Open311, Excel, CSV) are fine.
const LATIN_RUN = /[A-Za-z][A-Za-z'’]+(?:[ \t]+[A-Za-z][A-Za-z'’]*){2,}/;

type Lang = 'zh' | 'en';
const ROLES: { user: string; paths: string[] }[] = [
  { user: 'agent1', paths: ['/agent', '/orders'] },
  { user: 'dispatcher1', paths: ['/dispatch', '/orders'] },
  { user: 'unit1_handler', paths: ['/inbox', '/orders'] },
  { user: 'unit1_manager', paths: ['/inbox'] },
  { user: 'followup1', paths: ['/followup'] },
  { user: 'supervisor1', paths: ['/dashboard', '/orders', '/orders/987654321'] },
  { user: 'demo_admin', paths: ['/admin/units', '/admin/users', '/admin/categories', '/admin/rules', '/admin/time-limits', '/admin/kb'] },
];

let server: TestServer;
let browser: Browser;

async function open(lang: Lang, username: string | null): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: lang === 'zh' ? 'zh-CN' : 'en-US', timezoneId: 'Europe/Berlin' });
  // The language the person chose last time is remembered by the browser.
  await ctx.addInitScript((l) => localStorage.setItem('jiesu.lang', l), lang);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error(`[browser ${username ?? 'citizen'}]`, e.message));
  if (username) {
    await page.goto(server.base + '/');
    await page.locator('#login_username').fill(username);
    await page.locator('#login_password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByTestId('whoami').waitFor();
  }
  return page;
}

/** The text on screen once the page has loaded its data. */
async function screenText(page: Page, path: string): Promise<string> {
  await page.goto(server.base + path);
  await page.waitForLoadState('networkidle');
  await page
    .locator('.ant-spin-spinning')
    .first()
    .waitFor({ state: 'detached', timeout: 15_000 })
    .catch(() => undefined);
  await page.waitForTimeout(300);
  return page.locator('body').innerText();
}

function problems(text: string, lang: Lang): string[] {
  const found: string[] = [];
  const iso = ISO_TIME.exec(text);
  if (iso) found.push(`ISO time "${iso[0]}"`);
  const id = INTERNAL_ID.exec(text);
  if (id) found.push(`internal id "${id[0]}"`);
  if (lang === 'zh') {
    const run = LATIN_RUN.exec(text);
    if (run) found.push(`English in the Chinese interface "${run[0]}"`);
  }
  return found;
}

describe.skipIf(!hasChromium)('a whole shift, every role, both languages', () => {
  beforeAll(async () => {
    await Promise.all([
      startServer({ demo: true, env: { JIESU_DEMO_CONTACTS: '600', JIESU_ADMIN_PASSWORD: undefined } }).then((s) => (server = s)),
      launchChromium().then((b) => (browser = b)),
    ]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the checks themselves catch what they are for', () => {
    expect(problems('答复时限 2026-12-04T10:00:00.000Z', 'zh')).toHaveLength(1);
    expect(problems('操作人 #16', 'zh')).toHaveLength(1);
    expect(problems('即将超时 (yellow warning sent)', 'zh')).toHaveLength(1);
    expect(problems('work order 987654321 not found', 'en')).toHaveLength(0);
    expect(problems('2026/12/04 18:00 创建工单 (Ctrl+Enter) 直接答复 (Alt+A)', 'zh')).toEqual([]);
  });

  for (const lang of ['zh', 'en'] as const) {
    for (const { user, paths } of ROLES) {
      it(`${user} (${lang})`, async () => {
        const page = await open(lang, user);
        try {
          const seen: string[] = [];
          for (const path of paths) {
            const text = await screenText(page, path);
            expect(text.length).toBeGreaterThan(50);
            seen.push(...problems(text, lang).map((p) => `${path}: ${p}`));
            await shot(page, `walk-${lang}-${user}${path.replaceAll('/', '-')}`);
          }
          // Each role's first order from its list, opened: the history, deadlines and files.
          if (paths.includes('/orders')) {
            await page.goto(server.base + '/orders');
            const first = page.locator('table a[href^="/orders/"]').first();
            // The list loads after the page; on a busy CI machine that can take a while.
            await first.waitFor({ timeout: 60_000 });
            const href = (await first.getAttribute('href'))!;
            const text = await screenText(page, href);
            seen.push(...problems(text, lang).map((p) => `order page: ${p}`));
            await shot(page, `walk-${lang}-${user}-order`);
          }
          expect(seen).toEqual([]);
        } finally {
          await page.context().close();
        }
      }, 90_000);
    }

    it(`the citizen's portal and the open data (${lang})`, async () => {
      const page = await open(lang, null);
      try {
        const seen: string[] = [];
        for (const path of ['/portal', '/open-data']) {
          const text = await screenText(page, path);
          seen.push(...problems(text, lang).map((p) => `${path}: ${p}`));
          await shot(page, `walk-${lang}-citizen${path.replace('/', '-')}`);
        }
        // An unknown order number answers in words, in the reader's language.
        await screenText(page, '/portal?tab=track');
        await page.locator('#track_number').fill('9999999999999');
        await page.locator('#track_code').fill('AAAAAAAAAA');
        await page.keyboard.press('Enter');
        await page.locator('.ant-alert').first().waitFor();
        const unknown = await page.locator('body').innerText();
        seen.push(...problems(unknown, lang).map((p) => `unknown order: ${p}`));
        await shot(page, `walk-${lang}-citizen-unknown-order`);
        expect(seen).toEqual([]);
      } finally {
        await page.context().close();
      }
    }, 60_000);
  }

  it('the order list filters, sorts and exports exactly what it shows, key columns in view', async () => {
    const token = await server.tokenOf('supervisor1', PASSWORD);
    const page = await open('zh', 'supervisor1');
    const firstNumber = () => page.locator('table tbody tr.ant-table-row').first().locator('a[href^="/orders/"]').innerText();
    const settle = async () => {
      await page.waitForLoadState('networkidle');
      await page
        .locator('.ant-table .ant-spin-spinning')
        .waitFor({ state: 'detached' })
        .catch(() => undefined);
    };
    try {
      await page.goto(server.base + '/orders');
      await page.locator('table tbody tr.ant-table-row').first().waitFor();
      await shot(page, 'walk-zh-orders');
      // The columns a supervisor reads first fit the 1366 px screen without scrolling sideways.
      for (const name of ['工单编号', '标题', '状态', '主办单位', '创建时间', '办理时限']) {
        const box = await page.locator('thead th', { hasText: name }).first().boundingBox();
        expect(box, name).not.toBeNull();
        expect(box!.x + box!.width, name).toBeLessThanOrEqual(1366);
      }
      // District: the URL keeps it and the rows are the API's rows for it.
      await page.getByRole('combobox', { name: '所属区域' }).click();
      const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option').first();
      const districtName = await option.innerText();
      await option.click();
      await page.waitForURL(/district=\d+/);
      await settle();
      const district = Number(new URL(page.url()).searchParams.get('district'));
      const api = await server.call('GET', `/workorders?district=${district}&limit=5`, token);
      expect(api.status).toBe(200);
      expect(api.body.items.length).toBeGreaterThan(0);
      expect(await firstNumber()).toBe(api.body.items[0].number);
      const districtColumn = (await page.locator('thead th').allInnerTexts()).findIndex((h) => h.includes('所属区域')) + 1;
      const districtCells = await page.locator(`table tbody tr.ant-table-row td:nth-child(${districtColumn})`).allInnerTexts();
      expect(new Set(districtCells)).toEqual(new Set([districtName]));

      // Oldest first by clicking the time column: the server sorts, the URL says so.
      await page.locator('thead th', { hasText: '创建时间' }).first().click();
      await page.waitForURL(/sort=created_at/);
      await settle();
      const oldest = await server.call('GET', `/workorders?district=${district}&sort=created_at&limit=1`, token);
      expect(await firstNumber()).toBe(oldest.body.items[0].number);

      // Overdue only: every row shown is past its running deadline.
      await page.getByRole('combobox', { name: '是否超期' }).click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '已超期' }).click();
      await page.waitForURL(/overdue=true/);
      await settle();
      const overdue = await server.call('GET', `/workorders?district=${district}&overdue=true&sort=created_at&limit=200`, token);
      const rows = await page.locator('table tbody tr.ant-table-row').count();
      expect(rows).toBe(Math.min(20, overdue.body.items.length));
      if (rows > 0) expect(await page.locator('table tbody tr.ant-table-row', { hasText: '已超期' }).count()).toBe(rows);
      await shot(page, 'walk-zh-orders-filtered');

      // The CSV holds the filtered orders, no more and no fewer, with Chinese headers and city times.
      const head = await fetch(`${server.base}/api/v1/workorders/export?district=${district}&overdue=true&format=csv`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const total = Number(head.headers.get('x-total-count'));
      await head.body?.cancel();
      const downloaded = page.waitForEvent('download');
      await page.getByRole('button', { name: '导出' }).hover();
      await page.getByText('导出 CSV 文件').click();
      const dl = await downloaded;
      expect(dl.suggestedFilename()).toMatch(/\.csv$/);
      const text = (await readFile(await dl.path(), 'utf8')).replace(/^\uFEFF/, '');
      const lines = text.trim().split(/\r?\n/);
      expect(lines[0]).toContain('工单编号');
      expect(text).not.toMatch(ISO_TIME);
      expect(lines.length - 1).toBe(total);
      if (!overdue.body.nextCursor) expect(total).toBe(overdue.body.items.length);
    } finally {
      await page.context().close();
    }
  }, 90_000);
});
