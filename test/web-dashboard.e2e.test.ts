// The supervisor's dashboard in Chromium at 1366×768, in Chinese and in English, on the demo
// city: the cards are GET /kpi/summary's figures (the one definition of each measure), the month
// picker offers exactly GET /kpi/months (the latest chosen), the six cards are equally tall, the top
// categories are named, and the hot-topic drill-down lists orders by number with their status in
// words and the city's time, never an internal id. Also the open-data page's footnote, from the
// web app's catalogue in the reader's language. Screenshots: test-results/dashboard-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, shot, startServer, type TestServer } from './browser.js';
import { fmtMonth, fmtTime } from '../web/src/time.js';

const PASSWORD = 'jiesu-demo';
type Lang = 'zh' | 'en';
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const INTERNAL_ID = /#\d+/;
const LATIN_RUN = /[A-Za-z][A-Za-z'’]+(?:[ \t]+[A-Za-z][A-Za-z'’]*){2,}/;
const STATUS: Record<Lang, Record<string, string>> = {
  zh: { new: '新建', dispatched: '已派单', accepted: '已签收', returned: '已退回', replied: '已答复', reopened: '重办', closed: '已办结' },
  en: { new: 'New', dispatched: 'Dispatched', accepted: 'Accepted', returned: 'Returned', replied: 'Replied', reopened: 'Reopened', closed: 'Closed' },
};
const pct = (x: number | null) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`);

let server: TestServer;
let browser: Browser;
let token = '';

/** The API as the web app asks it, in the app's language. */
async function api<T = any>(path: string, lang: Lang = 'zh'): Promise<T> {
  const res = await fetch(server.base + '/api/v1' + path, {
    headers: { authorization: `Bearer ${token}`, 'accept-language': lang === 'en' ? 'en' : 'zh-CN' },
  });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

async function open(lang: Lang, username: string | null, path: string): Promise<Page> {
  // A browser far from Beijing: what it shows must still be the city's clock.
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: lang === 'zh' ? 'zh-CN' : 'en-US', timezoneId: 'America/New_York' });
  await ctx.addInitScript((l) => localStorage.setItem('jiesu.lang', l), lang);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error(`[browser ${username ?? 'public'}]`, e.message));
  if (username) {
    await page.goto(server.base + '/');
    await page.locator('#login_username').fill(username);
    await page.locator('#login_password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByTestId('whoami').waitFor();
  }
  await page.goto(server.base + path);
  return page;
}

/** The figure a card shows, once the summary has arrived. */
async function cardValue(page: Page, testId: string): Promise<string> {
  const value = page.getByTestId(testId).locator('.ant-statistic-content');
  await expect.poll(() => value.innerText(), { timeout: 15_000 }).not.toBe('—');
  return (await value.innerText()).trim();
}

describe.skipIf(!hasChromium)('the supervisor dashboard, 1366×768', () => {
  beforeAll(async () => {
    await Promise.all([
      startServer({ demo: true, env: { JIESU_DEMO_CONTACTS: '600', JIESU_ADMIN_PASSWORD: undefined } }).then((s) => (server = s)),
      launchChromium().then((b) => (browser = b)),
    ]);
    token = await server.tokenOf('supervisor1', PASSWORD);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const lang of ['zh', 'en'] as const) {
    it(`reads the one definition of each measure, months with data, equal cards, orders by number (${lang})`, async () => {
      const { months, latest } = await api<{ months: string[]; latest: string }>('/kpi/months');
      expect(months.length).toBeGreaterThan(0);
      const settings = await api('/kpi/settings');
      const summary = await api(`/kpi/summary?month=${latest}`, lang);
      expect(summary.orders.orders).toBeGreaterThan(0);
      const page = await open(lang, 'supervisor1', '/dashboard');
      try {
        // The cards are the summary's figures, the service level at its setting (15 s by default).
        expect(await cardValue(page, 'card-orders')).toBe(String(summary.orders.orders));
        expect(await cardValue(page, 'card-answer-rate')).toBe(pct(summary.calls.answerRate));
        expect(await cardValue(page, 'card-service-level')).toBe(pct(summary.calls.serviceLevel.rate));
        expect(await cardValue(page, 'card-satisfaction')).toBe(pct(summary.satisfactionRate));
        expect(summary.calls.serviceLevel.seconds).toBe(settings.serviceLevelSeconds);
        const slTitle = await page.getByTestId('card-service-level').locator('.ant-statistic-title').innerText();
        expect(slTitle).toBe(lang === 'zh' ? `${settings.serviceLevelSeconds}秒服务水平` : `Service level ${settings.serviceLevelSeconds} s`);

        // Six cards in one row, all as tall as each other, and none taller inside for a wrapped line.
        const cards = page.getByTestId('cards').locator('.ant-card');
        expect(await cards.count()).toBe(6);
        const boxes = await Promise.all((await cards.all()).map((c) => c.boundingBox()));
        const bodies = await Promise.all(
          (await cards.all()).map((c) =>
            c.locator('.ant-card-body').evaluate((b) => [...b.children].reduce((h, e) => h + e.getBoundingClientRect().height, 0)),
          ),
        );
        for (const b of boxes) {
          expect(b!.y).toBeCloseTo(boxes[0]!.y, 0);
          expect(b!.height).toBeCloseTo(boxes[0]!.height, 0);
          expect(b!.x + b!.width).toBeLessThanOrEqual(1366);
        }
        for (const h of bodies) expect(h).toBeCloseTo(bodies[0]!, 0);

        // Top categories by name (a path of names), as the summary gives them, never a raw code.
        const top = page.getByTestId('top-categories').locator('li');
        await top.first().waitFor();
        const listed = await top.allInnerTexts();
        expect(listed.length).toBe(Math.min(8, summary.topCategories.length));
        listed.forEach((text, i) => {
          const c = summary.topCategories[i];
          expect(text).toContain(c.name);
          expect(text).toContain(String(c.orders));
          if (c.code) expect(text).not.toContain(c.code);
        });

        // The month picker: exactly the months with data, the latest first and chosen.
        const picker = page.getByRole('combobox', { name: lang === 'zh' ? '月份' : 'Month' });
        const select = page.locator('.ant-select').filter({ has: picker });
        await expect.poll(() => select.innerText()).toBe(fmtMonth(latest, lang));
        await picker.click();
        const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
        await options.first().waitFor();
        // Polled: the list is drawn again as the dropdown finishes opening.
        await expect.poll(() => options.allInnerTexts()).toEqual([...months].reverse().map((m) => fmtMonth(m, lang)));
        await shot(page, `dashboard-${lang}-months`);
        // Another month: its own figures.
        if (months.length > 1) {
          const other = months.at(-2)!;
          await options.filter({ hasText: fmtMonth(other, lang) }).click();
          const otherSummary = await api(`/kpi/summary?month=${other}`, lang);
          await expect.poll(() => page.getByTestId('card-orders').locator('.ant-statistic-content').innerText()).toBe(String(otherSummary.orders.orders));
          await picker.click();
          await page
            .locator('.ant-select-dropdown:visible .ant-select-item-option')
            .filter({ hasText: fmtMonth(latest, lang) })
            .click();
          await expect.poll(() => page.getByTestId('card-orders').locator('.ant-statistic-content').innerText()).toBe(String(summary.orders.orders));
        }
        await page.locator('canvas').first().waitFor();
        await shot(page, `dashboard-${lang}`);

        // The page reads as the reader's language, with no internal ids and no ISO times.
        const text = await page.locator('body').innerText();
        expect(text).not.toMatch(ISO_TIME);
        expect(text).not.toMatch(INTERNAL_ID);
        if (lang === 'zh') expect(text).not.toMatch(LATIN_RUN);

        // The hot topic's drill-down: order numbers, status in words, the unit by name, created in the city's clock.
        const hot = (await api('/hotspots?limit=8', lang)).items;
        expect(hot.length).toBeGreaterThan(0);
        // Each topic is named by a title people wrote, the words beside it.
        expect(hot[0].name).toBeTruthy();
        expect(await page.getByTestId('hotspots').innerText()).toContain(hot[0].name);
        await page.getByTestId('hotspots').getByRole('button').first().click();
        const dialog = page.getByRole('dialog');
        await expect.poll(() => dialog.locator('.ant-modal-title').innerText()).toBe(hot[0].name);
        const rows = dialog.locator('tbody tr.ant-table-row');
        await rows.first().waitFor();
        const shown = await Promise.all((await rows.all()).map((r) => r.locator('td').allInnerTexts()));
        const expected = hot[0].orders.slice(0, 10);
        expect(shown.length).toBe(expected.length);
        shown.forEach(([number, title, status, unit, at], i) => {
          const o = expected[i];
          expect(unit).toBe(o.unitName ?? (lang === 'zh' ? '未派单' : 'Not dispatched'));
          expect(number).toMatch(/^\d{13}$/);
          expect(number).toBe(o.number);
          expect(title).toBe(o.title);
          expect(status).toBe(STATUS[lang][o.status]);
          expect(at).toBe(fmtTime(o.createdAt));
          expect(at).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
        });
        const dialogText = await dialog.innerText();
        expect(dialogText).not.toMatch(INTERNAL_ID);
        expect(dialogText).not.toMatch(ISO_TIME);
        await shot(page, `dashboard-${lang}-hot-topic`);
        // An order opens from its number.
        await dialog.locator('tbody a').first().click();
        await page.waitForURL(/\/orders\/\d+$/);
        await page.getByText(expected[0].number).first().waitFor();
      } finally {
        await page.context().close();
      }
    }, 90_000);

    it(`open data explains its measures from the web catalogue (${lang})`, async () => {
      const page = await open(lang, null, '/open-data');
      try {
        const note = page.getByTestId('open-footnote');
        await note.waitFor();
        const text = await note.innerText();
        const s = (await api('/kpi/settings')).serviceLevelSeconds;
        // The same figures as the dashboard's for the month shown (this month of the city's clock).
        const { latest } = await api('/kpi/months');
        const summary = await api(`/kpi/summary?month=${latest}`);
        const cards = await page.locator('.ant-statistic').allInnerTexts();
        const card = (title: string) => cards.find((c) => c.startsWith(title + '\n'))?.split('\n')[1];
        expect(card(lang === 'zh' ? '受理量' : 'Received')).toBe(String(summary.orders.orders));
        expect(card(lang === 'zh' ? '人工接通率' : 'Answer rate')).toBe(pct(summary.calls.answerRate));
        expect(card(lang === 'zh' ? `${s}秒服务水平` : `Service level ${s} s`)).toBe(pct(summary.calls.serviceLevel.rate));
        if (lang === 'zh') {
          expect(text).toContain('少于 5 件的数目显示为「<5」');
          expect(text).toContain('受理量：当月（北京时间）新建的工单数');
          expect(text).toContain(`在 ${s} 秒内接听`);
          expect(text).not.toMatch(/[A-Za-z]/);
          expect(await page.locator('body').innerText()).not.toMatch(LATIN_RUN);
        } else {
          expect(text).toContain('Counts under 5 are shown as "<5"');
          expect(text).toContain(`within ${s} seconds`);
          expect(text).not.toMatch(/[\u4e00-\u9fff]/);
        }
        await shot(page, `dashboard-${lang}-open-data`, true);
      } finally {
        await page.context().close();
      }
    }, 60_000);
  }
});
