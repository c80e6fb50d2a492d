// Knowledge-base speed and quality:
// - search p95 over 100,000 synthetic published articles (GIN index), through the HTTP API;
// - assist p95 (articles + similar orders among 50,000 synthetic recent orders);
// - retrieval quality on the Beijing FAQ (../shared/data/bj-faqdept-train.jsonl): each
//   question is searched in a shortened or reworded form; recall@1 and recall@5 of its own answer.
import { existsSync, readFileSync } from 'node:fs';
import { dict } from '@node-rs/jieba/dict.js';
import { join } from 'node:path';
import { percentile, round, timeEach, type Benchmark, type BenchResult } from '../../bench/harness.js';
import { packageRoot } from '../db/migrate.js';
import { seedCity, testPlatform } from '../../test/helpers.js';
import { withIndexesDeferred } from '../db/bulk.js';
import { indexMissingOrders } from './assist.js';
import { importArticles, parseImport } from './importer.js';
import { searchArticles } from './search.js';
import { queryWords } from './text.js';
import { randomSource } from '../core/random.js';

/** Words of the hotline's daily business; the ones jieba keeps whole become the synthetic vocabulary. */
const WORDS = (
  '社保 医保 公积金 户口 居住证 身份证 驾驶证 护照 签证 落户 迁移 出生 死亡 婚姻 登记 结婚 离婚 收养 低保 救助 残疾 养老 退休 工资 ' +
  '拖欠 劳动 合同 仲裁 工伤 失业 就业 培训 招聘 创业 补贴 税务 发票 个税 退税 营业执照 注册 变更 注销 许可 审批 备案 年检 处罚 罚款 ' +
  '噪音 施工 夜间 扰民 油烟 餐饮 垃圾 分类 清运 污水 排水 下水道 堵塞 供水 停水 水压 水费 供电 停电 电费 燃气 供暖 暖气 温度 物业 ' +
  '业主 小区 电梯 维修 基金 停车 车位 违章 停车场 道路 破损 路灯 井盖 绿化 树木 修剪 公园 广场 公交 地铁 线路 站点 出租车 网约车 ' +
  '拒载 绕路 共享单车 电动车 充电 上牌 交通 信号灯 拥堵 学校 入学 学籍 转学 招生 幼儿园 学费 教师 课外 医院 挂号 疫苗 接种 ' +
  '体检 药品 食品 安全 过期 假冒 商品 退货 退款 消费 投诉 举报 诈骗 传销 房屋 租赁 中介 押金 房东 租客 拆迁 补偿 安置 ' +
  '产权 不动产 证书 土地 规划 违建 占道 经营 摊贩 城管 执法 环境 污染 扬尘 养犬 宠物 流浪 动物 殡葬 墓地 农村 宅基地 ' +
  '补办 申请 材料 流程 时间 地点 窗口 预约 网上 热线 政策 标准 条件 资格 审核 办理 查询 证明 开具 费用 减免 退费 延期'
).split(' ');

/**
 * The synthetic vocabulary: the 30,000 most frequent words of jieba's dictionary (2-4
 * characters, no stop words), most frequent first, plus the hotline words above.
 */
function vocabulary(): string[] {
  const entries = Buffer.from(dict)
    .toString('utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((p) => p.length >= 2 && /^\p{Script=Han}{2,4}$/u.test(p[0]!));
  entries.sort((a, b) => Number(b[1]) - Number(a[1]));
  const out = new Set(WORDS);
  for (const [w] of entries) {
    if (out.size >= 30_000) break;
    const q = queryWords(w!);
    if (q.length === 1 && q[0] === w) out.add(w!);
  }
  return [...out];
}

const FAQ = join(packageRoot, '..', 'shared', 'data', 'bj-faqdept-train.jsonl');

async function speed(quick: boolean): Promise<BenchResult[]> {
  const platform = await testPlatform();
  try {
    const { users, units } = await seedCity(platform);
    const db = platform.db;
    const vocab = vocabulary();
    const n = quick ? 20_000 : 100_000;
    const t0 = performance.now();
    // Word k of the frequency-sorted vocabulary is drawn with probability ~ 1/k (Zipf, like real text).
    const words = (k: number) =>
      `(SELECT string_agg(($1::text[])[floor(exp(random() * ln($2::int + 1)))::int], ' ') FROM generate_series(1, ${k}) WHERE g > 0)`;
    // The search indexes are built once after the load (faster than entry by entry).
    await withIndexesDeferred(db, ['kb_articles'], async () => {
      for (let done = 0; done < n; done += 10_000) {
        await platform.db.query(
          `INSERT INTO kb_articles (title, questions, answer, owner_unit_id, status, version, last_version, tsv, review_due, reviewed_at, published_at, valid_until)
           SELECT t, ARRAY[v], a, $3, 'published', 1, 1,
                  setweight(to_tsvector('simple', t), 'A') || setweight(to_tsvector('simple', v), 'B') || setweight(to_tsvector('simple', a), 'C'),
                  current_date + (g % 400) - 30, now(), now(), CASE WHEN g % 10 = 0 THEN current_date - 1 END
           FROM (SELECT g, ${words(4)} AS t, ${words(4)} AS v, ${words(40)} AS a FROM generate_series($4::int, $5::int) g) x`,
          [vocab, vocab.length, units.bureau, done + 1, Math.min(n, done + 10_000)],
        );
      }
    });
    await db.exec('ANALYZE kb_articles');
    const loadS = (performance.now() - t0) / 1000;

    // Realistic queries: two or three words of an existing article, typed without spaces.
    const r = randomSource(42);
    const samples = (await db.query<{ title: string }>('SELECT title FROM kb_articles ORDER BY id LIMIT 2000')).rows;
    const queries = Array.from({ length: quick ? 200 : 500 }, () => {
      const w = samples[Math.floor(r() * samples.length)]!.title.split(' ');
      return w.slice(0, 2 + Math.floor(r() * 2)).join('');
    });
    // Queries of unrelated words: AND mostly fails and the OR fallback runs over many rows.
    const loose = Array.from({ length: quick ? 100 : 200 }, () => [0, 1, 2].map(() => vocab[Math.floor(r() * vocab.length)]).join(''));
    for (const q of queries.slice(0, 20)) await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent(q)}`); // warm-up
    let empty = 0;
    const searchMs = await timeEach(queries.length, async (i) => {
      const res = await users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent(queries[i]!)}`);
      if (res.status !== 200) throw new Error(JSON.stringify(res.body));
      if (res.body.items.length === 0) empty++;
    });
    const looseMs = await timeEach(loose.length, (i) => users.agent.get(`/api/v1/kb/search?q=${encodeURIComponent(loose[i]!)}`));

    // Similar orders: synthetic recent orders with their index rows.
    const orders = quick ? 10_000 : 20_000;
    await db.query(
      `INSERT INTO workorders (number, type, title, content, status, version, created_at, updated_at)
       SELECT 'B' || g, 'complaint', replace(${words(4)}, ' ', ''), replace(${words(25)}, ' ', ''), 'new', 1,
              now() - (g % 200) * interval '1 day', now()
       FROM generate_series(1, $3::int) g`,
      [vocab, vocab.length, orders],
    );
    // The order text is unsegmented Chinese here, as real orders are: index it as the listener does.
    const ti = performance.now();
    await indexMissingOrders(db);
    const indexRate = orders / ((performance.now() - ti) / 1000);
    await db.exec('ANALYZE kb_order_index');
    const assistTexts = Array.from(
      { length: quick ? 100 : 300 },
      () => `市民来电反映${queries[Math.floor(r() * queries.length)]}的问题，${vocab[Math.floor(r() * vocab.length)]}方面希望尽快处理`,
    );
    const assistMs = await timeEach(assistTexts.length, async (i) => {
      const res = await users.agent.post('/api/v1/assist', { text: assistTexts[i] });
      if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    });
    const p = (xs: number[]) => round(percentile(xs, 95));
    return [
      {
        name: `search p95, ${n.toLocaleString('en')} articles (words of one article)`,
        value: p(searchMs),
        unit: 'ms',
        target: '< 20 ms',
        pass: p(searchMs) < 20,
        notes: `${queries.length} queries through the HTTP API; median ${round(percentile(searchMs, 50))} ms; ${empty} found nothing; load of ${n} articles by INSERT … SELECT took ${round(loadS, 1)} s`,
      },
      {
        name: 'search p95, unrelated words (OR fallback)',
        value: p(looseMs),
        unit: 'ms',
        notes: `${loose.length} queries of three random words; median ${round(percentile(looseMs, 50))} ms`,
      },
      {
        name: `assist p95 (articles + similar orders among ${orders.toLocaleString('en')})`,
        value: p(assistMs),
        unit: 'ms',
        target: '< 50 ms',
        pass: p(assistMs) < 50,
        notes: `${assistTexts.length} call summaries; median ${round(percentile(assistMs, 50))} ms`,
      },
      { name: 'order indexing for the assistant (jieba + tsvector)', value: round(indexRate, 0), unit: 'orders/s' },
    ];
  } finally {
    await platform.close();
  }
}

/** Variants of a question as an agent might type it. */
function variants(question: string, r: () => number): Record<string, string> {
  const words = queryWords(question);
  const chars = [...question.replace(/[？?。！!，,\s]/g, '')];
  const dropped = words.filter(() => r() > 0.34);
  const shuffled = [...words];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  return {
    'first half': chars.slice(0, Math.max(2, Math.ceil(chars.length / 2))).join(''),
    'words dropped': (dropped.length ? dropped : words.slice(0, 1)).join(''),
    reordered: shuffled.join(' '),
  };
}

async function retrieval(quick: boolean): Promise<BenchResult[]> {
  if (!existsSync(FAQ)) {
    return [{ name: 'retrieval recall@5 (bj-faqdept)', value: NaN, unit: '', notes: `skipped: ${FAQ} is absent (the shared data is not in the repository)` }];
  }
  const platform = await testPlatform();
  try {
    const parsed = parseImport(readFileSync(FAQ, 'utf8'), 'jsonl');
    const report = await importArticles(platform.db, parsed, { createUnits: true });
    const r = randomSource(7);
    let rows = parsed.rows;
    if (quick) rows = rows.filter(() => r() < 0.25);
    const hits: Record<string, { at1: number; at5: number; n: number }> = {};
    const ms: number[] = [];
    for (const row of rows) {
      for (const [kind, q] of Object.entries(variants(row.question, r))) {
        if (!q.trim()) continue;
        const t = performance.now();
        const res = await searchArticles(platform.db, q, { limit: 5 });
        ms.push(performance.now() - t);
        const rank = res.items.findIndex((h) => h.answer === row.answer.trim());
        const h = (hits[kind] ??= { at1: 0, at5: 0, n: 0 });
        h.n++;
        if (rank === 0) h.at1++;
        if (rank >= 0) h.at5++;
      }
    }
    const all = Object.values(hits).reduce((a, h) => ({ at1: a.at1 + h.at1, at5: a.at5 + h.at5, n: a.n + h.n }), { at1: 0, at5: 0, n: 0 });
    const pct = (x: number, n: number) => round((100 * x) / n, 1);
    const out: BenchResult[] = [
      {
        name: 'retrieval recall@1, all variants (bj-faqdept)',
        value: pct(all.at1, all.n),
        unit: '%',
        notes: `${rows.length} questions × 3 variants = ${all.n} searches over ${report.imported} imported articles (${report.duplicates} duplicate questions skipped); search p95 ${round(percentile(ms, 95))} ms`,
      },
      { name: 'retrieval recall@5, all variants (bj-faqdept)', value: pct(all.at5, all.n), unit: '%' },
    ];
    for (const [kind, h] of Object.entries(hits)) {
      out.push({ name: `retrieval recall@1 / @5, ${kind}`, value: pct(h.at1, h.n), unit: `% / ${pct(h.at5, h.n)} %` });
    }
    return out;
  } finally {
    await platform.close();
  }
}

export const kbBench: Benchmark = {
  module: 'kb',
  title: 'knowledge-base search, assistant and retrieval quality',
  async run({ quick }) {
    return [...(await speed(quick)), ...(await retrieval(quick))];
  },
};
