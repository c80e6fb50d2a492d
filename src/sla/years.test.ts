// Setting a year's calendar through the API: the status warning from 1 October, the notice's
// preview and import, one day off or on with its reason, a covered year taken over; each save
// recomputes the open orders' deadlines (and says how many moved) and is audited.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useCity } from '../../test/fixtures.js';
import { officialDays } from './calendar.js';
import { contextFor } from './routes.js';
import { checkBuiltin } from './years.js';

const t = useCity();
const run = promisify(execFile);
const cst = (iso: string) => new Date(Date.parse(iso)).toISOString();

// An invented schedule in the notice's form for 2041, a year no package will cover for long
// (the real notices are tested in notice.test.ts). 1月31日 is 除夕 in 2041.
const NOTICE_2041 = `国务院办公厅关于2041年部分节假日安排的通知

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：

经国务院批准，现将2041年元旦、春节放假调休日期的具体安排通知如下。

一、元旦：1月1日（周二）放假1天，不调休。

二、春节：1月31日（农历除夕、周四）至2月7日（农历正月初七、周四）放假调休，共8天。1月27日（周日）、2月9日（周六）上班。

国务院办公厅
2040年10月20日
`;

/** A dispatched order whose deadlines start at `at` (as if dispatched then). */
async function orderStartedAt(at: string): Promise<number> {
  const o = (await t.u.agent.post('/api/v1/workorders', { type: 'complaint', title: '供暖不热', content: '小区供暖温度不达标。' })).body;
  const d = await t.u.dispatcher.post(`/api/v1/workorders/${o.id}/actions/dispatch`, { version: o.version, unitId: t.city.units.districtA });
  expect(d.status, JSON.stringify(d.body)).toBe(200);
  await t.platform.db.query('UPDATE order_deadlines SET started_at = $2 WHERE workorder_id = $1', [o.id, at]);
  expect((await t.u.admin.post('/api/v1/sla/recompute', { orderId: o.id })).status).toBe(200);
  return o.id;
}
const deadlines = async (id: number) => {
  const r = await t.u.dispatcher.get(`/api/v1/workorders/${id}/deadlines`);
  expect(r.status).toBe(200);
  return Object.fromEntries(r.body.items.map((d: any) => [d.kind, d])) as Record<'sign' | 'reply', any>;
};
const lastAudit = async (action: string) => (await t.u.admin.get(`/api/v1/audit/events?action=${action}&limit=1`)).body.items[0];

describe('next year before next year (2041)', () => {
  let order: number;

  it('warns from 1 October (city time) while next year knows only weekends', async () => {
    const status = async (at: string) => {
      const r = await t.u.supervisor.get(`/api/v1/sla/calendar/status?at=${encodeURIComponent(at)}`);
      expect(r.status).toBe(200);
      return r.body;
    };
    const sep = await status('2040-09-30T23:59:00+08:00');
    expect(sep).toMatchObject({ today: '2040-09-30', year: 2040, nextYear: 2041, missing: [2040], warn: true });
    const oct = await status('2040-09-30T16:00:00Z'); // 00:00 on 1 October in Beijing
    expect(oct).toMatchObject({ today: '2040-10-01', missing: [2040, 2041], warn: true });
    expect(oct.years[1]).toMatchObject({ year: 2041, source: 'weekends-only', builtinCovered: false });
    // This year is covered by the built-in data: no warning before October.
    const now = await status('2026-06-01T12:00:00+08:00');
    expect(now.years[0]).toMatchObject({ year: 2026, source: 'chinese-days', builtinVersion: officialDays().version });
    expect(now.warn).toBe(officialDays().years.includes(2026) ? false : true);

    order = await orderStartedAt('2041-01-28T10:00:00+08:00'); // a Monday
    const d = await deadlines(order);
    // Weekends only: Tue 29, Wed 30, Thu 31, Fri 02-01, Mon 02-04.
    expect(d.reply.dueAt).toBe(cst('2041-02-04T18:00:00+08:00'));
    expect(d.reply.calendars).toEqual([expect.objectContaining({ year: 2041, source: 'weekends-only' })]);
  });

  it('previews a notice without saving, saying how many open orders would move', async () => {
    expect((await t.u.supervisor.post('/api/v1/sla/calendar/2041/parse-notice', { text: NOTICE_2041 })).status).toBe(403);
    const p = await t.u.admin.post('/api/v1/sla/calendar/2041/parse-notice', { text: NOTICE_2041 });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body).toMatchObject({ year: 2041, title: '国务院办公厅关于2041年部分节假日安排的通知', saved: false, moved: 1 });
    expect(p.body.holidays.map((d: any) => d.date)).toEqual([
      '2041-01-01',
      '2041-01-31',
      '2041-02-01',
      '2041-02-02',
      '2041-02-03',
      '2041-02-04',
      '2041-02-05',
      '2041-02-06',
      '2041-02-07',
    ]);
    expect(p.body.workdays).toEqual([
      { date: '2041-01-27', name: '春节调休' },
      { date: '2041-02-09', name: '春节调休' },
    ]);
    // Weekdays turned off and weekend days turned on (2 Feb and 3 Feb are a weekend already, but gain a name).
    expect(p.body.changes.find((c: any) => c.date === '2041-01-31')).toMatchObject({ before: { working: true }, after: { working: false, name: '春节' } });
    expect(p.body.changes.find((c: any) => c.date === '2041-02-09')).toMatchObject({ before: { working: false }, after: { working: true } });
    // Nothing was saved.
    expect((await t.u.admin.get('/api/v1/sla/calendar/2041')).body).toMatchObject({ calendar: { source: 'weekends-only' }, days: [] });
    expect((await deadlines(order)).reply.dueAt).toBe(cst('2041-02-04T18:00:00+08:00'));
  });

  it('refuses a notice it cannot fully read, naming the line', async () => {
    const bad = NOTICE_2041.replace('2月9日（周六）上班', '2月9日（周六）照常上班');
    const r = await t.u.admin.post('/api/v1/sla/calendar/2041/parse-notice', { text: bad });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'validation_failed', field: 'text' });
    expect(r.body.error.message).toMatch(/^第 9 行无法识别「1月27日（周日）、2月9日（周六）照常上班」：/);
    const wrongYear = await t.u.admin.post('/api/v1/sla/calendar/2042/import-notice', { text: NOTICE_2041 });
    expect(wrongYear.status).toBe(400);
    expect(wrongYear.body.error.message).toContain('这是 2041 年的通知，不是 2042 年的');
  });

  it('imports the notice: the year becomes the administrator’s, deadlines move, the trail records it', async () => {
    // A day of the city's own first (it stays through the import).
    const own = await t.u.admin.request('PATCH', '/api/v1/sla/calendar/2041/days/2041-03-01', { working: false, name: '本市纪念日', reason: '市政府决定' });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    const r = await t.u.admin.post('/api/v1/sla/calendar/2041/import-notice', { text: NOTICE_2041 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      saved: true,
      moved: 1,
      calendar: { year: 2041, source: 'admin', origin: 'notice', noticeTitle: '国务院办公厅关于2041年部分节假日安排的通知' },
    });
    expect(r.body.kept.map((d: any) => d.day)).toEqual(['2041-03-01']);
    const d = await deadlines(order);
    // Tue 29, Wed 30, then the Festival (01-31..02-07), Fri 02-08, Sat 02-09 (调休), Mon 02-11.
    expect(d.reply.dueAt).toBe(cst('2041-02-11T18:00:00+08:00'));
    expect(d.sign.dueAt).toBe(cst('2041-01-29T18:00:00+08:00'));
    expect(d.reply.calendars).toEqual([expect.objectContaining({ year: 2041, source: 'admin', origin: 'notice' })]);

    const year = (await t.u.handlerA.get('/api/v1/sla/calendar/2041')).body;
    expect(year.days).toContainEqual({
      date: '2041-01-31',
      kind: 'holiday',
      name: '春节',
      source: 'local',
      reason: '国务院办公厅关于2041年部分节假日安排的通知',
    });
    expect(year.days).toContainEqual({ date: '2041-03-01', kind: 'holiday', name: '本市纪念日', source: 'local', reason: '市政府决定' });
    const a = await lastAudit('sla.calendar.notice');
    expect(a).toMatchObject({ action: 'sla.calendar.notice', data: { year: 2041, holidays: 9, workdays: 2, moved: 1, kept: ['2041-03-01'], via: 'api' } });
    expect(a.actorId).toEqual(expect.any(Number));
    // Next year is no longer missing.
    expect((await t.u.supervisor.get(`/api/v1/sla/calendar/status?at=${encodeURIComponent('2040-10-01T12:00:00+08:00')}`)).body.missing).toEqual([2040]);
  });

  it('edits one day off and back on, with a reason; each edit recomputes and is audited', async () => {
    const patch = (date: string, body: unknown) => t.u.admin.request('PATCH', `/api/v1/sla/calendar/2041/days/${date}`, body);
    expect((await t.u.supervisor.request('PATCH', '/api/v1/sla/calendar/2041/days/2041-02-08', { working: false, reason: 'x' })).status).toBe(403);
    expect((await patch('2041-02-08', { working: false })).status).toBe(400); // a reason is required
    expect((await patch('2041-02-08', { working: false, reason: '  ' })).body.error).toMatchObject({ field: 'reason' });
    expect((await patch('2041-02-30', { working: false, reason: 'x' })).body.error).toMatchObject({ field: 'date' });
    expect((await patch('2042-01-02', { working: false, reason: 'x' })).body.error).toMatchObject({ field: 'date' });

    const off = await patch('2041-02-08', { working: false, name: '春节', reason: '本市春节假期延长一天' });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toMatchObject({
      date: '2041-02-08',
      before: { working: true, source: 'weekday' },
      after: { working: false, name: '春节', source: 'local' },
      moved: 1,
    });
    expect(off.body.recomputed).toBeGreaterThanOrEqual(1);
    expect((await deadlines(order)).reply.dueAt).toBe(cst('2041-02-12T18:00:00+08:00')); // 29, 30, Sat 09, Mon 11, Tue 12
    expect(await lastAudit('sla.calendar.day')).toMatchObject({
      data: { date: '2041-02-08', reason: '本市春节假期延长一天', moved: 1, before: { working: true }, after: { working: false } },
    });

    const on = await patch('2041-02-08', { working: true, reason: '恢复' });
    expect(on.body).toMatchObject({ before: { working: false }, after: { working: true, source: 'weekday' }, moved: 1 });
    expect((await deadlines(order)).reply.dueAt).toBe(cst('2041-02-11T18:00:00+08:00'));
    // The same again moves nothing.
    expect((await patch('2041-02-08', { working: true, reason: '恢复' })).body.moved).toBe(0);
    // A Sunday made a working day.
    const sunday = await patch('2041-02-10', { working: true, reason: '补班' });
    expect(sunday.body).toMatchObject({ before: { working: false, source: 'weekend' }, after: { working: true, source: 'local' }, moved: 1 });
    expect((await deadlines(order)).reply.dueAt).toBe(cst('2041-02-10T18:00:00+08:00'));
  });
});

describe('a year the built-in data covers', () => {
  it('is taken over by the first edit: its days are copied, only the edited day changes', async () => {
    const before = (await t.u.admin.get('/api/v1/sla/calendar/2025')).body;
    expect(before.calendar).toMatchObject({ source: 'chinese-days', builtinCovered: true });
    expect(before.workingDays).toBe(248);
    const id = await orderStartedAt('2025-10-09T10:00:00+08:00');
    expect((await deadlines(id)).reply.dueAt).toBe(cst('2025-10-15T18:00:00+08:00')); // 10, Sat 11 (调休), 13, 14, 15

    const r = await t.u.admin.request('PATCH', '/api/v1/sla/calendar/2025/days/2025-10-10', { working: false, reason: '本市调整' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.moved).toBe(1);
    expect(r.body.calendar).toMatchObject({ year: 2025, source: 'admin', origin: 'edit', builtinCovered: true });
    expect((await deadlines(id)).reply.dueAt).toBe(cst('2025-10-16T18:00:00+08:00'));
    const after = (await t.u.admin.get('/api/v1/sla/calendar/2025')).body;
    expect(after.workingDays).toBe(247);
    // The built-in days are now the administrator's (a newer package no longer changes them).
    expect(after.days).toContainEqual({ date: '2025-10-01', kind: 'holiday', name: '国庆节', source: 'local' });
    expect(after.days.filter((d: any) => d.source === 'official')).toEqual([]);
    expect(after.days.length).toBe(before.days.length + 1);
  });

  it('recomputes deadlines once when the installed package differs from the one they were computed with', async () => {
    const ctx = contextFor(t.platform.db)!;
    await t.platform.db.query("UPDATE calendar_builtin SET version = '0.0.1'");
    const r = await checkBuiltin(ctx);
    expect(r).toMatchObject({ from: '0.0.1', to: officialDays().version, moved: 0 });
    expect(await checkBuiltin(ctx)).toBeNull();
    expect(await lastAudit('sla.calendar.builtin')).toMatchObject({ data: { from: '0.0.1', to: officialDays().version } });
  });

  it('keeps PUT working, audited, with the moved count', async () => {
    const r = await t.u.admin.request('PUT', '/api/v1/sla/calendar/2043', { days: [{ date: '2043-01-02', kind: 'holiday', name: '元旦' }] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      year: 2043,
      days: [{ date: '2043-01-02', kind: 'holiday', name: '元旦' }],
      moved: 0,
      changes: 1,
      calendar: { source: 'admin', origin: 'replace' },
    });
    expect(await lastAudit('sla.calendar.replace')).toMatchObject({ data: { year: 2043, days: 1 } });
  });
});

describe('jiesu sla calendar import (CLI)', () => {
  it('prints the days, saves them (no question asked off a terminal), and refuses a bad file naming the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-calendar-'));
    const file = join(dir, '2026.txt');
    const notice = readFileSync(new URL('./fixtures/notice-2026.txt', import.meta.url), 'utf8');
    writeFileSync(file, notice);
    // On PGlite the test database lives in this process: the CLI gets a folder of its own.
    const args = t.platform.databaseUrl ? ['--database-url', t.platform.databaseUrl] : ['--data', join(dir, 'data')];
    const cli = (...a: string[]) => run('node', ['bin/jiesu.js', 'sla', 'calendar', 'import', ...a, ...args]);
    const json = async (...a: string[]) => JSON.parse((await cli(...a, '--json')).stdout.trim().split('\n').pop()!);
    try {
      const dry = await json(file, '--dry-run');
      expect(dry).toMatchObject({ year: 2026, saved: false, calendar: { year: 2026, source: 'chinese-days' } });
      expect(dry.holidays).toHaveLength(33);
      const saved = await cli(file, '--year', '2026');
      expect(saved.stdout).toContain('2026-02-15  周日  放假 day off');
      expect(saved.stdout).toContain('2026-02-28  周六  上班 working');
      expect(saved.stdout).toMatch(/saved the 2026 calendar \(admin\); \d+ open order\(s\)' deadlines moved/);
      if (t.platform.databaseUrl) expect((await t.u.admin.get('/api/v1/sla/calendar/2026')).body.calendar).toMatchObject({ source: 'admin', origin: 'notice' });
      // Through a running server (as the admin in JIESU_TOKEN), opening no database.
      const url = await t.platform.app.listen({ port: 0, host: '127.0.0.1' });
      const viaServer = await run('node', ['bin/jiesu.js', 'sla', 'calendar', 'import', file, '--dry-run', '--json', '--server', url], {
        env: { ...process.env, JIESU_TOKEN: t.u.admin.token! },
      });
      expect(JSON.parse(viaServer.stdout.trim().split('\n').pop()!)).toMatchObject({
        year: 2026,
        saved: false,
        holidays: expect.arrayContaining([{ date: '2026-10-01', name: '国庆节' }]),
      });

      writeFileSync(file, notice.replace('放假调休，共9天', '放假调休，共10天'));
      const bad = await cli(file).catch((e) => e);
      expect(bad.code).toBe(1);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(
        /^jiesu: 第 9 行无法识别「2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共10天」：共10天与日期（9 天）不符/,
      );
      const wrong = await cli(join(dir, '2026.txt'), '--year', '2027').catch((e) => e);
      expect(wrong.stderr).toContain('这是 2026 年的通知，不是 2027 年的');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
