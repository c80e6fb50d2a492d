// The demo city's knowledge base: one published guide per leaf category, owned by its unit.
import type { Database } from '../db/database.js';
import { createArticle } from '../kb/index.js';
import * as T from './taxonomy.js';
import type { DemoCity } from './types.js';

/** A knowledge base of plausible answers: one published guide per leaf category, owned by its unit. */
export async function seedKnowledge(db: Database, city: DemoCity) {
  const adminId = (city.usersByRole.get('admin') ?? [])[0]!;
  const actor = { id: adminId, username: 'demo_admin', unitId: city.center.id, roles: ['admin' as const] };
  const review = (months: number) => new Date(Date.now() + months * 30 * 86400_000).toISOString().slice(0, 10);
  let n = 0;
  await db.tx(async (q) => {
    for (const [i, a] of T.TAXONOMY.entries()) {
      for (const [j, b] of a.children.entries()) {
        for (const [k, c] of b.items.entries()) {
          const code = [i + 1, j + 1, k + 1].map((x) => String(x).padStart(2, '0')).join('');
          const owner = c.owner ?? b.owner ?? a.owner;
          const ownerUnit = owner === 'district' || owner === 'subdistrict' ? city.districts[0]! : (city.byName.get(owner) ?? city.center);
          const who = owner === 'district' || owner === 'subdistrict' ? '所在区（县）或街道（乡镇）' : owner;
          n++;
          await createArticle(q, actor, {
            title: `${c.name}问题如何反映和办理`,
            questions: c.problems.slice(0, 3).map((p) => `${p}怎么办？`),
            answer:
              `<p>市民反映“${c.problems[0]}”等${c.name}问题，由${who}负责办理。</p>` +
              `<p>可拨打12345热线或通过网站、APP、小程序提交，请说明具体地址、发生时间和现场情况；` +
              `承办单位一般在5个工作日内答复，紧急情况1个工作日内处理。</p>`,
            categoryCode: code,
            ownerUnitId: ownerUnit.id,
            publish: true,
            // A few guides are past their review date, as in any real knowledge base.
            reviewDate: n % 9 === 0 ? review(-1) : review(6 + (n % 6)),
          });
        }
      }
    }
  });
  return n;
}
