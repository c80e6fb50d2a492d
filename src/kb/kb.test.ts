// The knowledge base and the assistant through the HTTP API and the CLI (PGlite and PostgreSQL).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCity } from '../../test/fixtures.js';
import { analyzeKb } from './termstats.js';

const today = new Date().toISOString().slice(0, 10);
const daysFromNow = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);

const t = useCity();

async function publishedArticle(body: Record<string, unknown>) {
  const { users, units } = t.city;
  const r = await users.dispatcher.post('/api/v1/kb/articles', { ownerUnitId: units.bureau, publish: true, ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe('articles: owners propose, the center publishes', () => {
  it('walks a draft through proposal, publication, change, rejection and retirement', async () => {
    const { users, units } = t.city;
    // Only owner-unit users and the center may write; owners only for their own unit.
    expect((await users.agent.post('/api/v1/kb/articles', { title: '占道经营投诉', answer: '由城管处理' })).status).toBe(403);
    expect((await users.handlerA.post('/api/v1/kb/articles', { title: '占道经营投诉', answer: '由城管处理', ownerUnitId: units.bureau })).status).toBe(403);
    expect((await users.handlerA.post('/api/v1/kb/articles', { title: '占道经营投诉', answer: '由城管处理', publish: true })).status).toBe(403);

    const created = await users.handlerA.post('/api/v1/kb/articles', {
      title: '小区占道经营怎么投诉',
      questions: ['路边摊占道', '占道经营 举报'],
      answer: '<p>占道经营由属地街道城管执法队查处。</p>',
      categoryCode: 'CG01',
    });
    expect(created.status).toBe(201);
    const a = created.body;
    expect(a).toMatchObject({ status: 'draft', ownerUnitId: units.districtA, version: 1, questions: ['路边摊占道', '占道经营 举报'] });

    // A draft is not searchable; the owner cannot publish it, the center can.
    expect((await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('占道经营')}`)).body.items).toEqual([]);
    expect((await users.handlerA.post(`/api/v1/kb/articles/${a.id}/publish`, {})).status).toBe(403);
    const pub = await users.dispatcher.post(`/api/v1/kb/articles/${a.id}/publish`, {});
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({ status: 'published', version: 1 });
    expect(pub.body.reviewDate > today).toBe(true);
    const found = await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('路边摊占道经营')}`);
    expect(found.body.items.map((h: any) => h.id)).toEqual([a.id]);
    expect(found.body.items[0].titleHighlighted).toContain('<mark>占道经营</mark>');
    expect(found.body.items[0].snippet).toContain('<mark>');
    expect(found.body.items[0].snippet).not.toContain('<p>');

    // The owner proposes a change: a draft version; the live answer stays until the center publishes.
    expect((await users.handlerB.patch(`/api/v1/kb/articles/${a.id}`, { answer: '别的单位的修改' })).status).toBe(403);
    expect((await users.handlerA.patch(`/api/v1/kb/articles/${a.id}`, { answer: '<p>占道经营由属地街道城管执法队查处。</p>' })).status).toBe(400);
    const v2 = await users.handlerA.patch(`/api/v1/kb/articles/${a.id}`, {
      answer: '占道经营请拨打12345，由属地城管执法队在两个工作日内查处。',
      note: '更新时限',
    });
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({ version: 2, state: 'draft', changedFields: ['answer'], createdByName: 'handler_a', note: '更新时限' });
    expect((await users.agent.get(`/api/v1/kb/articles/${a.id}`)).body.answer).toContain('<p>');
    const pub2 = await users.admin.post(`/api/v1/kb/articles/${a.id}/publish`, {});
    expect(pub2.body).toMatchObject({ version: 2, lastVersion: 2 });
    expect(pub2.body.answer).toContain('两个工作日');
    expect((await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('工作日 查处')}`)).body.items[0].id).toBe(a.id);

    // A rejected proposal never reaches the article; publishing with nothing pending is a conflict.
    const v3 = await users.handlerA.patch(`/api/v1/kb/articles/${a.id}`, { title: '错误的标题' });
    expect((await users.handlerA.post(`/api/v1/kb/articles/${a.id}/versions/3/reject`, {})).status).toBe(403);
    expect((await users.dispatcher.post(`/api/v1/kb/articles/${a.id}/versions/${v3.body.version}/reject`, { note: '标题不准确' })).body.state).toBe('rejected');
    expect((await users.dispatcher.post(`/api/v1/kb/articles/${a.id}/publish`, {})).body.error.code).toBe('nothing_to_publish');
    expect((await users.dispatcher.post(`/api/v1/kb/articles/${a.id}/publish`, { version: 1 })).status).toBe(409);

    const versions = (await users.agent.get(`/api/v1/kb/articles/${a.id}/versions`)).body.items;
    expect(versions.map((v: any) => [v.version, v.state])).toEqual([
      [1, 'superseded'],
      [2, 'published'],
      [3, 'rejected'],
    ]);
    expect(versions[0].createdByName).toBe('handler_a');
    expect(versions[1].decidedBy).not.toBeNull();

    // Retired articles leave the search.
    expect((await users.handlerA.post(`/api/v1/kb/articles/${a.id}/retire`)).status).toBe(403);
    expect((await users.dispatcher.post(`/api/v1/kb/articles/${a.id}/retire`)).body.status).toBe('retired');
    expect((await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('占道经营')}`)).body.items).toEqual([]);
    const list = await users.agent.get(`/api/v1/kb/articles?status=retired&ownerUnitId=${units.districtA}`);
    expect(list.body.items.map((x: any) => x.id)).toContain(a.id);
  });

  it('rejects bad input with 400, unknown articles with 404', async () => {
    const { users, units } = t.city;
    const bad = await users.dispatcher.post('/api/v1/kb/articles', {
      title: 'x',
      answer: 'y',
      ownerUnitId: units.bureau,
      validFrom: '2025-05-01',
      validUntil: '2025-01-01',
    });
    expect(bad.body.error).toMatchObject({ code: 'validation_failed', field: 'validUntil' });
    expect((await users.dispatcher.post('/api/v1/kb/articles', { title: 'x', answer: 'y', ownerUnitId: 999999 })).body.error.field).toBe('ownerUnitId');
    expect((await users.dispatcher.post('/api/v1/kb/articles', { title: 'x', answer: 'y', ownerUnitId: units.bureau, validFrom: 'tomorrow' })).status).toBe(
      400,
    );
    expect((await users.dispatcher.post('/api/v1/kb/articles', { title: 'x', answer: 'y' })).body.error.field).toBe('ownerUnitId');
    expect((await users.agent.get('/api/v1/kb/search')).status).toBe(400);
    expect((await users.agent.get('/api/v1/kb/articles/987654')).status).toBe(404);
    expect((await users.agent.post('/api/v1/kb/articles/987654/use', {})).status).toBe(404);
  });
});

describe('search', () => {
  it('ranks title hits first, valid before expired, and finds synonyms the admin adds', async () => {
    const { users } = t.city;
    const inTitle = await publishedArticle({ title: '居住证办理需要哪些材料', answer: '携带身份证、居住登记凭证到派出所办理。' });
    const inAnswer = await publishedArticle({ title: '外地户口子女入学', answer: '非本市户籍子女入学需要家长的居住证和社保缴纳证明。' });
    const expired = await publishedArticle({ title: '居住证办理材料（旧政策）', answer: '旧规定，已停止执行。', validUntil: daysFromNow(-30) });
    const r = await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('居住证怎么办理')}`);
    const ids = r.body.items.map((h: any) => h.id);
    expect(ids.indexOf(inTitle.id)).toBe(0);
    expect(ids.indexOf(expired.id)).toBeGreaterThan(0);
    expect(r.body.items.find((h: any) => h.id === expired.id).valid).toBe(false);
    expect(r.body.terms).toContain('居住证');
    // AND finds too few: OR fills the list (入学 matches only the second article).
    const or = await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('居住证 入学')}&limit=5`);
    expect(or.body.items[0].id).toBe(inAnswer.id);
    expect(or.body.items.map((h: any) => h.id)).toContain(inTitle.id);

    const med = await publishedArticle({ title: '异地就医报销', answer: '参加医疗保险的市民异地就医需先备案。' });
    expect((await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('医保')}`)).body.items).toEqual([]);
    expect((await users.agent.post('/api/v1/kb/synonyms', { terms: ['医保', '医疗保险'] })).status).toBe(403);
    expect((await users.admin.post('/api/v1/kb/synonyms', { terms: ['医保', '!!'] })).status).toBe(400);
    const syn = await users.admin.post('/api/v1/kb/synonyms', { terms: ['医保', '医疗保险'] });
    expect(syn.status).toBe(201);
    const hit = await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('医保')}`);
    expect(hit.body.items.map((h: any) => h.id)).toEqual([med.id]);
    expect(hit.body.items[0].snippet).toContain('<mark>医疗保险</mark>');
    expect((await users.agent.get('/api/v1/kb/synonyms')).body.items).toEqual([{ id: syn.body.id, terms: ['医保', '医疗保险'] }]);
    expect((await users.admin.request('DELETE', `/api/v1/kb/synonyms/${syn.body.id}`)).status).toBe(204);
    expect((await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('医保')}`)).body.items).toEqual([]);
    // Nothing but stop words and punctuation: an empty answer, not an error.
    expect((await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('怎么？')}`)).body).toMatchObject({ mode: 'none', items: [] });
  });
});

describe('ranking: the problem before stock phrases', () => {
  it('puts the street-light article first for 小区门口路灯不亮好几天了, not the rubbish one that shares 小区 and 好几天', async () => {
    const light = await publishedArticle({
      title: '路灯不亮如何报修',
      questions: ['路灯坏了找谁'],
      answer: '道路照明设施损坏可拨打12345，由城市照明管理部门维修。',
    });
    const rubbish = await publishedArticle({
      title: '小区垃圾清运不及时',
      questions: ['小区垃圾好几天没人清运'],
      answer: '小区内垃圾好几天未清运的，可向物业或属地街道反映，由环卫部门督促清运。',
    });
    const r = await t.city.users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('小区门口路灯不亮好几天了')}`);
    const ids = r.body.items.map((h: any) => h.id);
    expect(ids[0]).toBe(light.id);
    expect(ids.indexOf(rubbish.id)).not.toBe(0);
    const assisted = await t.city.users.agent.post('/api/v1/assist', { text: '小区门口路灯不亮好几天了' });
    expect(assisted.body.articles[0].id).toBe(light.id);
  });
});

describe('answering directly and reviews', () => {
  it('records use and feedback, lists overdue reviews for the owner unit', async () => {
    const { users, units } = t.city;
    const a = await publishedArticle({ title: '供暖费缴纳时间', answer: '每年11月15日前缴纳。', ownerUnitId: units.districtA, reviewDate: daysFromNow(-3) });
    const draft = (await users.handlerA.post('/api/v1/kb/articles', { title: '草稿', answer: '未发布' })).body;
    expect((await users.agent.post(`/api/v1/kb/articles/${draft.id}/use`, {})).status).toBe(409);
    expect((await users.agent.post(`/api/v1/kb/articles/${a.id}/use`, { contactId: 17, helpful: true })).body).toMatchObject({
      useCount: 1,
      helpfulCount: 1,
      contactId: 17,
    });
    expect((await users.agent.post(`/api/v1/kb/articles/${a.id}/use`, { helpful: false })).body).toMatchObject({
      useCount: 2,
      helpfulCount: 1,
      unhelpfulCount: 1,
    });
    expect((await users.agent.post(`/api/v1/kb/articles/${a.id}/use`, {})).body).toMatchObject({ useCount: 3, helpfulCount: 1, unhelpfulCount: 1 });
    expect((await users.agent.post(`/api/v1/kb/articles/${a.id}/use`, { helpful: 'yes' })).status).toBe(400);

    const due = await users.handlerA.get('/api/v1/kb/review-due');
    expect(due.body.items.map((x: any) => x.id)).toEqual([a.id]);
    expect((await users.handlerB.get('/api/v1/kb/review-due')).body.items).toEqual([]);
    expect((await users.handlerB.get(`/api/v1/kb/review-due?unitId=${units.districtA}`)).status).toBe(403);
    expect((await users.supervisor.get(`/api/v1/kb/review-due?unitId=${units.districtA}`)).body.items.map((x: any) => x.id)).toEqual([a.id]);
    // Overdue articles still answer, but rank lower and say so.
    expect((await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('供暖费')}`)).body.items[0]).toMatchObject({ id: a.id, reviewOverdue: true });

    expect((await users.handlerB.post(`/api/v1/kb/articles/${a.id}/review`, {})).status).toBe(403);
    expect((await users.handlerA.post(`/api/v1/kb/articles/${a.id}/review`, { reviewDate: today })).status).toBe(400);
    const reviewed = await users.handlerA.post(`/api/v1/kb/articles/${a.id}/review`, {});
    expect(reviewed.body.reviewDate > today).toBe(true);
    expect((await users.handlerA.get('/api/v1/kb/review-due')).body.items).toEqual([]);
  });
});

describe('import', () => {
  it('imports JSONL and CSV through the API, mapping departments to units', async () => {
    const { users, units } = t.city;
    const jsonl = [
      JSON.stringify({ question: '公租房如何申请', answer: '向户籍所在街道提出申请。', department: '市住房和城乡建设委员会' }),
      JSON.stringify({ text: '东城区的垃圾分类时间', answer: '每日早晚两次。', label: '东城区' }),
      JSON.stringify({ question: '驾驶证到期换证', answer: '到车管所办理。', department: '市公安交通管理局' }),
      '{not json',
      JSON.stringify({ question: '没有答案' }),
    ].join('\n');
    expect((await users.agent.post('/api/v1/kb/import', { format: 'jsonl', content: jsonl })).status).toBe(403);
    const r = await users.dispatcher.post('/api/v1/kb/import', { format: 'jsonl', content: jsonl });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ total: 5, imported: 2, duplicates: 0, unknownDepartments: [{ name: '市公安交通管理局', rows: 1 }], createdUnits: [] });
    expect(r.body.errors.map((e: any) => e.line)).toEqual([4, 5]);
    const again = await users.dispatcher.post('/api/v1/kb/import', { format: 'jsonl', content: jsonl, createUnits: true });
    expect(again.body).toMatchObject({ imported: 1, duplicates: 2, unknownDepartments: [] });
    expect(again.body.createdUnits).toHaveLength(1);
    const unit = (await users.agent.get(`/api/v1/units/${again.body.createdUnits[0].id}`)).body;
    expect(unit).toMatchObject({ name: '市公安交通管理局', kind: 'bureau', parentId: units.city });

    const hit = (await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent('公租房申请')}`)).body.items[0];
    expect(hit).toMatchObject({ title: '公租房如何申请', ownerUnitId: units.bureau });
    const versions = (await users.agent.get(`/api/v1/kb/articles/${hit.id}/versions`)).body.items;
    expect(versions).toMatchObject([{ version: 1, state: 'published', content: { title: '公租房如何申请', answer: '向户籍所在街道提出申请。' } }]);

    const csv = 'question,answer,department,category\n"停车位,租赁纠纷",向住建委反映。,市住房和城乡建设委员会,ZJ01\n';
    const c = await users.admin.post('/api/v1/kb/import', { format: 'csv', content: csv, publish: false });
    expect(c.body).toMatchObject({ imported: 1, errors: [] });
    const drafts = (await users.agent.get(`/api/v1/kb/articles?status=draft&categoryCode=ZJ01`)).body;
    expect(drafts.items).toMatchObject([{ title: '停车位,租赁纠纷', status: 'draft', categoryCode: 'ZJ01' }]);
    expect((await users.admin.post('/api/v1/kb/import', { format: 'csv', content: 'a,b\n"unclosed' })).status).toBe(400);
  });
});

describe('assist', () => {
  it('returns articles and similar recent orders in one response', async () => {
    const { users, units } = t.city;
    const art = await publishedArticle({ title: '夜间施工噪音投诉', answer: '夜间22时至次日6时禁止产生噪声的施工，可向生态环境局投诉。' });
    const order = await users.agent.post('/api/v1/workorders', {
      type: 'complaint',
      title: '工地夜间施工噪音扰民',
      content: '东华门附近工地每天夜里施工，噪音很大，影响休息。',
      location: { districtUnitId: units.districtA },
    });
    expect(order.status).toBe(201);
    await users.agent.post('/api/v1/workorders', { type: 'consultation', title: '公积金提取', content: '咨询公积金提取的条件。' });
    const r = await users.agent.post('/api/v1/assist', { text: '市民反映附近工地夜间施工噪音', phone: '13800001111' });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(expect.arrayContaining(['articles', 'similarOrders']));
    expect(r.body.articles[0].id).toBe(art.id);
    expect(r.body.similarOrders.map((o: any) => o.id)).toEqual([order.body.id]);
    expect(r.body.similarOrders[0]).toMatchObject({ number: order.body.number, status: 'new', title: '工地夜间施工噪音扰民' });
    // The same problem elsewhere comes before another problem in the same street.
    const here = await users.agent.post('/api/v1/workorders', {
      type: 'complaint',
      title: '东城区东华门街道违章搭建',
      content: '东城区东华门街道有人违章搭建。',
      location: { districtUnitId: units.districtA },
    });
    const elsewhere = await users.agent.post('/api/v1/workorders', {
      type: 'complaint',
      title: '西城区小区突然停水',
      content: '西城区小区突然停水，没有通知。',
      location: { districtUnitId: units.districtB },
    });
    const water = (await users.agent.post('/api/v1/assist', { text: '东城区东华门街道小区突然停水' })).body.similarOrders.map((o: any) => o.id);
    expect(water[0]).toBe(elsewhere.body.id);
    expect(water).not.toContain(here.body.id);
    expect((await users.agent.post('/api/v1/assist', { text: '   ' })).status).toBe(400);
    expect((await users.agent.post('/api/v1/assist', { text: '噪音', phone: 'abc' })).status).toBe(400);
  });
});

describe('CLI', () => {
  const run = promisify(execFile);
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'jiesu.js');
  let dir: string;
  let dbArgs: string[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jiesu-kb-'));
    // PGlite: a data folder of its own (the platform's in-memory database is not reachable);
    // PostgreSQL: the test's throw-away database.
    dbArgs = t.platform.databaseUrl ? ['--database-url', t.platform.databaseUrl] : ['--data', join(dir, 'data')];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const jiesu = (...args: string[]) =>
    run('node', [bin, ...args], { env: { ...process.env, DATABASE_URL: '' } }).then(
      (r) => ({ code: 0, ...r }),
      (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
    );

  it('imports a file, reports unknown departments, then searches', async () => {
    const file = join(dir, 'faq.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ question: '电动自行车上牌需要什么', answer: '携带购车发票和合格证到登记点办理。', department: 'CLI测试交通局' }),
        JSON.stringify({ question: '电动自行车充电安全', answer: '不要在楼道内充电。', department: 'CLI测试消防局' }),
      ].join('\n'),
    );
    const first = await jiesu('kb', 'import', file, ...dbArgs);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('imported 0 of 2 rows');
    expect(first.stdout).toContain('unknown department (rows skipped; use --create-units): CLI测试交通局 × 1');
    const second = await jiesu('kb', 'import', file, '--create-units', ...dbArgs);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('imported 2 of 2 rows');
    expect(second.stdout).toMatch(/created unit \d+ CLI测试消防局/);
    const s = await jiesu('kb', 'search', '电动车上牌', ...dbArgs);
    expect(s.stdout).toMatch(/#\d+ 电动自行车上牌需要什么/);
  });

  it('fails with one clear line on a bad file', async () => {
    const missing = await jiesu('kb', 'import', join(dir, 'nope.jsonl'), ...dbArgs);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`jiesu: cannot read ${join(dir, 'nope.jsonl')}: ENOENT`);
    const txt = join(dir, 'faq.txt');
    writeFileSync(txt, 'x');
    const r = await jiesu('kb', 'import', txt, ...dbArgs);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--format jsonl|csv');
  });
});

describe('search at scale: common words do not narrow the match', () => {
  it('leaves a word found in most articles out of the AND once the statistics know it, and still ranks by it', async () => {
    const topics = ['户口迁移', '社保转移', '医保报销', '公积金提取', '居住证办理', '驾驶证换证', '营业执照', '出生登记', '婚姻登记', '退休审批'];
    for (let i = 0; i < 40; i++) {
      await publishedArticle({ title: `${topics[i % topics.length]}事项${i}`, answer: `${topics[i % topics.length]}的材料交到政务大厅窗口，第${i}条。` });
    }
    const passport = await publishedArticle({ title: '护照遗失补办', answer: '护照遗失后先登报声明，再到出入境接待大厅申请补办。' });
    const withWindow = await publishedArticle({ title: '护照加急', answer: '护照加急在出入境窗口申请。' });
    const q = `/api/v1/kb/search?q=${encodeURIComponent('护照遗失窗口')}`;
    // No article holds all three words: before ANALYZE the AND fails and the looser stages fill the list.
    const before = await t.city.users.agent.get(q);
    expect(before.body.mode).toBe('or');
    expect(
      before.body.items
        .map((h: any) => h.id)
        .slice(0, 2)
        .sort(),
    ).toEqual([passport.id, withWindow.id].sort());
    // 窗口 is now known to be in most articles: the AND is 护照 & 遗失, and 窗口 still adds to the rank.
    await analyzeKb(t.platform.db);
    const after = await t.city.users.agent.get(q);
    expect(after.body.mode).toBe('and');
    expect(after.body.items[0].id).toBe(passport.id);
    expect(after.body.items[0].titleHighlighted).toContain('<mark>护照遗失</mark>');
  });
});
