// The demo city's reference data (categories, responsibility list) and the history around
// its orders: the contacts on every channel, the calls of the call center, the deadlines
// of the orders still open.
import { encrypt, isEncrypted, phoneIndex } from '../privacy/pii.js';
import type { Database } from '../db/database.js';
import { bulkLoad, copiesOverlap, CopyWriter, type BulkColumn } from '../db/bulk.js';
import type { AppContext } from '../core/context.js';
import { computeTimes, levelAt, nextAt } from '../sla/deadlines.js';
import { choosePolicy, loadCalendar, policyFromRow } from '../sla/settings.js';
import type { WorkOrder } from '../workorders/model.js';
import { Rng } from './rng.js';
import { localHourReader } from './clock.js';
import { createArticle } from '../kb/articles.js';
import { indexOrders } from '../kb/assist.js';
import { insertSignatures, type SignedOrder } from '../duplicates/index.js';
import { syncServicesFromCategories } from '../open311/services.js';
import { demoCategories, type DemoCity, type OrderInfo } from './seed.js';
import * as T from './taxonomy.js';
import { HOURLY } from './taxonomy.js';

/** Categories 01 / 0101 / 010101 and the responsibility list: who handles which category where. */
export async function seedReference(db: Database, city: DemoCity) {
  await db.tx(async (q) => {
    const ids = new Map<string, number>();
    for (const c of demoCategories()) {
      const r = await q.query<{ id: number }>('INSERT INTO categories (code, name, parent_id, level) VALUES ($1, $2, $3, $4) RETURNING id', [
        c.code, c.name, c.parentCode ? ids.get(c.parentCode)! : null, c.code.length / 2,
      ]);
      ids.set(c.code, r.rows[0]!.id);
    }
    const rule = (code: string, area: number | null, unit: number, note: string) =>
      q.query('INSERT INTO dispatch_rules (category_id, area_unit_id, main_unit_id, note) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [ids.get(code)!, area, unit, note]);
    const own = async (code: string, owner: T.Owner, name: string) => {
      if (owner === 'district' || owner === 'subdistrict') {
        // Handled where it happens: each district for its own territory.
        for (const d of city.districts) await rule(code, d.id, d.id, `${name}：属地管理`);
      } else {
        await rule(code, null, city.byName.get(owner)!.id, `${name}：${owner}`);
      }
    };
    for (const [i, a] of T.TAXONOMY.entries()) {
      const c1 = String(i + 1).padStart(2, '0');
      await own(c1, a.owner, a.name);
      for (const [j, b] of a.children.entries()) {
        const c2 = c1 + String(j + 1).padStart(2, '0');
        if (b.owner) await own(c2, b.owner, b.name);
        for (const [k, c] of b.items.entries()) if (c.owner) await own(c2 + String(k + 1).padStart(2, '0'), c.owner, c.name);
      }
    }
    // The Open311 service list follows the category tree.
    await syncServicesFromCategories(q);
  });
}

const CHANNELS = ['phone', 'web', 'app', 'miniprogram', 'email', 'open311', 'walkin'] as const;
const CHANNEL_WEIGHTS = [72, 9, 6, 8, 1, 1, 3];
const MIN = 60_000;

const CONTACT_COLUMNS: BulkColumn[] = [
  ['id', 'int'], ['channel', 'text'], ['started_at', 'timestamptz'], ['ended_at', 'timestamptz'], ['caller_phone_enc', 'text'],
  ['caller_name_enc', 'text'], ['agent_id', 'int'], ['summary', 'text'], ['outcome', 'text'], ['workorder_id', 'int'],
  ['transfer_to', 'text'], ['invalid_reason', 'text'], ['call_id', 'text'], ['created_by', 'int'], ['created_at', 'timestamptz'],
  ['caller_phone_bidx', 'text'],
].map(([name, type]) => ({ name: name!, type: type! }));
const CALL_COLUMNS: BulkColumn[] = [
  ['call_id', 'text'], ['queue', 'text'], ['agent_id', 'int'], ['first_at', 'timestamptz'], ['answered_at', 'timestamptz'],
  ['abandoned_at', 'timestamptz'], ['transferred_at', 'timestamptz'], ['ended_at', 'timestamptz'],
].map(([name, type]) => ({ name: name!, type: type! }));

const ANSWERS = ['已按知识库解答政策问题', '告知办理流程和所需材料', '告知咨询电话和办公地址', '解释相关政策规定，市民表示理解'];
const INVALID = ['无声电话', '骚扰电话', '未说话即挂断', '打错电话'];
const MAX_HOURLY = Math.max(...HOURLY);

/**
 * Every order came from a contact with the same id; the other contacts were answered at once,
 * linked to an earlier order, transferred or invalid. Phone contacts are calls answered by an
 * agent; calls abandoned in the queue are added, more of them at busy hours.
 */
export async function seedContacts(db: Database, city: DemoCity, rng: Rng, orders: OrderInfo[], opts: { contacts: number; end: Date; timeZone: string }) {
  const agents = city.usersByRole.get('agent') ?? [];
  // Streamed to COPY in chunks: the rows are never all held (each one references only ids).
  const overlap = copiesOverlap(db);
  const contacts = new CopyWriter(db, 'contacts', CONTACT_COLUMNS, { trusted: true, overlap });
  const calls = new CopyWriter(db, 'cc_calls', CALL_COLUMNS, { trusted: true, overlap });
  const hourOf = localHourReader(opts.timeZone);
  const push = async (id: number, t: number, agent: number, phone: string | null, name: string | null, summary: string, outcome: string, extra: { workorderId?: number; transferTo?: string; invalidReason?: string; phoneBidx?: string }) => {
    const channel = rng.weighted(CHANNELS, CHANNEL_WEIGHTS);
    const duration = channel === 'phone' ? Math.max(30_000, rng.exp(outcome === 'invalid' ? 0.5 : 4) * MIN) : 0;
    const started = t - duration;
    let callId: string | null = null;
    if (channel === 'phone') {
      callId = `demo-${id}`;
      // Waiting grows with the hour's load: answer quickly at night, slower at the peaks.
      const load = HOURLY[hourOf(started)]! / MAX_HOURLY;
      const wait = rng.exp(4 + 40 * load * load) * 1000;
      await calls.add([callId, '12345', agent, new Date(started - wait), new Date(started), null, extra.transferTo ? new Date(t) : null, new Date(t)]);
      if (rng.chance((0.02 + 0.14 * load * load) / (0.98 - 0.14 * load * load))) {
        const first = started - rng.exp(10) * MIN;
        await calls.add([`demo-a${id}`, '12345', null, new Date(first), null, new Date(first + rng.exp(45) * 1000), null, null]);
      }
    }
    await contacts.add([
      // Personal data is encrypted before the COPY, as the API would store it (src/privacy).
      id, channel, new Date(started), new Date(t), isEncrypted(phone) ? phone : encrypt(phone), isEncrypted(name) ? name : encrypt(name),
      agent, summary, outcome, extra.workorderId ?? null, extra.transferTo ?? null, extra.invalidReason ?? null, callId, agent, new Date(t),
      extra.phoneBidx ?? phoneIndex(phone),
    ]);
  };
  for (const o of orders) await push(o.id, o.at, o.agentId, o.phone, o.name, o.title, 'workorder', { workorderId: o.id, phoneBidx: o.phoneBidx });

  const others = Math.max(0, opts.contacts - orders.length);
  const first = orders[0]?.at ?? opts.end.getTime() - 86400_000;
  const span = opts.end.getTime() - first;
  let id = orders.length;
  for (let i = 0; i < others; i++) {
    // Same rhythm as the orders: take an order's time and move it a little.
    const base = orders.length ? orders[rng.int(0, orders.length - 1)]!.at : first + rng.next() * span;
    const t = Math.min(opts.end.getTime() - MIN, base + (rng.next() - 0.5) * 40 * MIN);
    const agent = rng.pick(agents);
    const phone = `1${rng.pick(['3', '5', '7', '8', '9'])}${String(rng.int(0, 999999999)).padStart(9, '0')}`;
    const name = rng.chance(0.6) ? rng.pick(T.SURNAMES) + rng.pick(T.GIVEN) : null;
    const outcome = rng.weighted(['answered', 'duplicate', 'transferred', 'invalid'], [60, 12, 4, 24]);
    id++;
    if (outcome === 'answered') await push(id, t, agent, phone, name, rng.pick(ANSWERS), outcome, {});
    else if (outcome === 'invalid') await push(id, t, agent, null, null, '无效来电', outcome, { invalidReason: rng.pick(INVALID) });
    else if (outcome === 'transferred') await push(id, t, agent, phone, name, '紧急情况，已转接', outcome, { transferTo: rng.weighted(['110', '119', '120', 'other'], [5, 1, 3, 1]) });
    else {
      // A repeat call about an earlier order: pick one created before this contact.
      const before = lastBefore(orders, t);
      const target = before >= 0 ? orders[rng.int(Math.max(0, before - 300), before)] : undefined;
      if (target) await push(id, t, agent, target.phone, target.name, `重复来电：${target.title}`, 'duplicate', { workorderId: target.id, phoneBidx: target.phoneBidx });
      else await push(id, t, agent, phone, name, rng.pick(ANSWERS), 'answered', {});
    }
  }
  await Promise.all([contacts.close(), calls.close()]);
  await db.query(`SELECT setval(pg_get_serial_sequence('contacts', 'id'), GREATEST((SELECT max(id) FROM contacts), 1))`);
  return { contacts: contacts.rows, calls: calls.rows };
}

/** Deadlines of the orders still at a unit, as the time-limit module would have set them. */
export async function seedDeadlines(ctx: AppContext, running: WorkOrder[], end: Date) {
  const { db } = ctx;
  const { calendar, settings } = await loadCalendar(db, ctx);
  const policies = (await db.query('SELECT * FROM sla_policies')).rows.map(policyFromRow);
  const rows: unknown[][] = [];
  for (const o of running) {
    const p = choosePolicy(policies, o);
    const start = Date.parse(o.dispatchedAt!);
    for (const kind of ['sign', 'reply'] as const) {
      const dur = kind === 'sign' ? p.sign : p.reply;
      const ext = kind === 'reply' ? o.extensionDays : 0;
      const t = computeTimes(calendar, settings, start, dur, ext);
      const met = kind === 'sign' && o.signedAt != null;
      const level = met ? 'green' : levelAt(t, end.getTime());
      const next = met ? null : nextAt(t, level);
      rows.push([
        o.id, kind, o.dispatchCount, o.mainUnitId, p.id || null, dur, ext, new Date(start), new Date(t.due), new Date(t.warn),
        new Date(t.escalate), met ? 'met' : 'running', met ? o.signedAt : null, level, next == null ? null : new Date(next),
      ]);
    }
  }
  await bulkLoad(
    db,
    'order_deadlines',
    [
      ['workorder_id', 'int'], ['kind', 'text'], ['cycle', 'int'], ['unit_id', 'int'], ['policy_id', 'int'], ['duration', 'jsonb'],
      ['extension_days', 'int'], ['started_at', 'timestamptz'], ['due_at', 'timestamptz'], ['warn_at', 'timestamptz'],
      ['escalate_at', 'timestamptz'], ['state', 'text'], ['met_at', 'timestamptz'], ['level', 'text'], ['next_at', 'timestamptz'],
    ].map(([name, type]) => ({ name: name!, type: type! })),
    rows,
    { trusted: true },
  );
}

/** Index of the last order created before t (orders are in time order), or -1. */
function lastBefore(orders: OrderInfo[], t: number): number {
  let lo = 0;
  let hi = orders.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (orders[mid]!.at < t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

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
          const ownerUnit = owner === 'district' || owner === 'subdistrict' ? city.districts[0]! : city.byName.get(owner) ?? city.center;
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

/** Days of recent orders the assistant and the duplicate check look through in the demo city. */
export const RECENT_DAYS = 14;

/**
 * Indexes the recent orders for the assistant (kb_order_index) and the duplicate check
 * (dup_signatures) as they are generated, from the text at hand rather than read back. A
 * batch is written while the next one is generated; `drain` waits for the one before.
 */
export class RecentOrderIndex {
  private batch: SignedOrder[] = [];
  private pending: Promise<void> = Promise.resolve();

  /** `orders`: the writer of the orders these reference (a batch waits for their rows). */
  constructor(
    private readonly db: Database,
    private readonly orders: CopyWriter,
  ) {}

  add(o: SignedOrder) {
    this.batch.push(o);
  }

  /** Starts writing what was added, once the batch before it is in. */
  async drain(): Promise<void> {
    await this.pending;
    const rows = this.batch;
    if (!rows.length) return;
    this.batch = [];
    this.pending = this.orders.written().then(async () => void (await Promise.all([indexOrders(this.db, rows), insertSignatures(this.db, rows)])));
    this.pending.catch(() => undefined); // awaited by the next drain or close
  }

  async close(): Promise<void> {
    await this.drain();
    await this.pending;
  }
}
