// The orders of a part of the history: what each one is about (drawn from its id), its events
// (created, then walk.ts), the row folded from them, all written in bulk (COPY text chunks)
// together with the assessment figures and, for the last days, the search indexes.
import type { Database } from '../db/database.js';
import { copiesOverlap, CopyWriter, textField, textLine, type BulkColumn } from '../db/bulk.js';
import { Rng } from '../core/random.js';
import type { KpiAccumulator } from '../kpi/index.js';
import { sealEventData } from '../privacy/index.js';
import type { CreatedData, OrderEvent, OrderType, WorkOrder } from '../workorders/index.js';
import { ROW_COLUMNS, toRowValues } from '../workorders/index.js';
import { dayStamper, isoTime } from './clock.js';
import { CITIZEN_POOL, citizenSource } from './people.js';
import { mix } from './plan.js';
import { RECENT_DAYS, RecentOrderIndex } from './recent.js';
import { leaves, type Leaf } from './reference.js';
import * as T from './taxonomy.js';
import type { DemoCity, DemoUnit, HistoryOptions, OrderInfo, OrderPart, OrdersResult } from './types.js';
import { walkLifecycle, type Append } from './walk.js';
import { pointInSubdistrict } from './geography.js';
import { setting } from '../core/config.js';

/** Generates and writes one part of the orders (on a server, each part on a thread of its own). */
export async function seedOrders(
  db: Database,
  city: DemoCity,
  part: OrderPart,
  opts: HistoryOptions,
  kpi: KpiAccumulator,
  onProgress?: (done: number) => void,
): Promise<OrdersResult> {
  const end = opts.end;
  const dayStamp = dayStamper(opts.timeZone);
  const all = leaves();
  const leafWeights = all.map((l) => l.weight);
  const role = (r: string) => city.usersByRole.get(r) ?? [];
  const agents = role('agent');
  const dispatchers = role('dispatcher');
  const followups = role('followup');
  const supervisors = role('supervisor');
  const counters = new Map<string, number>();

  const ownerUnit = (leaf: Leaf, district: DemoUnit, sub: DemoUnit): number => {
    if (leaf.owner === 'district') return district.id;
    if (leaf.owner === 'subdistrict') return sub.id;
    return city.byName.get(leaf.owner)?.id ?? district.id;
  };

  const nextCitizen = citizenSource(part.seeds.citizens, opts.withContacts ? 0 : Math.min(CITIZEN_POOL, opts.orders));

  let id = part.firstId - 1;
  const infos: OrderInfo[] = [];
  const running: WorkOrder[] = [];
  let insertMs = 0;
  const startedAt = Date.now();
  let events = 0;
  let open = 0;
  // Rows go straight into CSV chunks; on a server each chunk's COPY overlaps with generating
  // the next one (events wait for the orders they reference).
  const overlap = copiesOverlap(db);
  // COPY's text format: the JSON needs no quote doubling there.
  const orderOut = new CopyWriter(db, 'workorders', ORDER_BULK_COLUMNS, { trusted: true, chunkRows: Infinity, overlap, format: 'text' });
  const eventOut = new CopyWriter(db, 'workorder_events', EVENT_BULK_COLUMNS, { trusted: true, chunkRows: Infinity, overlap, after: orderOut, format: 'text' });
  // The last days' orders are indexed for the assistant and the duplicate check as they come.
  const recent = new RecentOrderIndex(db, orderOut);
  const recentFrom = end.getTime() - RECENT_DAYS * 86400_000;
  let buffered = 0;
  const flush = async (final = false) => {
    if (!final && ++buffered < 10000) return;
    buffered = 0;
    const t = Date.now();
    await orderOut.flush();
    await eventOut.flush();
    await recent.drain();
    if (final) await Promise.all([orderOut.close(), eventOut.close(), kpi.finishLog(), recent.close()]);
    else await kpi.drainLog(200_000);
    insertMs += Date.now() - t;
    onProgress?.(id - part.firstId + 1);
  };

  const districtIndex = new Map(city.districts.map((d, i) => [d.id, i]));
  const subIndex = new Map([...city.subdistrictsOf.values()].flatMap((subs) => subs.map((s, i) => [s.id, i] as const)));
  for (let k = 0; k < part.times.length; k++) {
    const t = part.times[k]!;
    const isBurst = part.burst[k] === 1;
    id++;
    const rng = new Rng(mix(part.seeds.orders, id));
    let leaf = rng.weighted(all, leafWeights);
    let district = rng.pick(city.districts);
    let sub = rng.pick(city.subdistrictsOf.get(district.id)!);
    const type = rng.weighted(TYPES, TYPE_WEIGHTS);
    let problem = rng.pick(leaf.l3.problems);
    let road = rng.pick(T.ROADS);
    if (isBurst) {
      leaf = all.find((l) => l.l3.name === '交通信号') ?? leaf;
      district = city.districts[0]!;
      sub = city.subdistrictsOf.get(district.id)![0]!;
      road = '滨江大道';
      problem = rng.pick(BURST_PROBLEMS);
    }
    const place = rng.pick(T.PLACES);
    const impact = rng.pick(T.IMPACTS);
    const citizen = nextCitizen(rng);
    const at = new Date(t);
    const day = dayStamp(at);
    const seq = (counters.get(day) ?? 0) + 1;
    counters.set(day, seq);
    const evs: OrderEvent[] = [];
    const append: Append = (time, actorId, e) => {
      evs.push({ type: e.type, at: isoTime(time), actorId, data: e.data });
      return e;
    };
    append(t, rng.pick(agents), {
      type: 'created',
      data: {
        number: day + String(seq).padStart(5, '0'),
        type,
        title: `${TYPE_WORDS[type]}：${district.name}${sub.name}${problem}`.slice(0, 60),
        content: isBurst
          ? `${problem}，${rng.pick(['早晚高峰车辆乱行', '路口没有交警指挥', '已经好几个小时了'])}，请尽快修复滨江大道人民路路口的红绿灯。`
          : `${rng.pick(T.TIMES)}，${district.name}${sub.name}${road}${rng.int(1, 300)}号附近${place}${problem}${impact ? '，' + impact : ''}。${rng.pick(T.ASKS)}`,
        categoryCode: leaf.code,
        urgency: rng.chance(0.05) ? 'urgent' : 'normal',
        location: {
          address: `${district.name}${sub.name}${road}${rng.int(1, 300)}号`,
          districtUnitId: district.id,
          // Inside the order's sub-district (geography.ts), as the areas module resolves it.
          ...pointInSubdistrict(districtIndex.get(district.id)!, subIndex.get(sub.id)!, rng.next(), rng.next()),
        },
        citizen: { name: citizen.name, phone: citizen.phone },
        contactId: opts.withContacts ? id : null, // the contact that created it has the same id (contacts.ts)
      } satisfies CreatedData,
    });
    walkLifecycle(rng, append, t, end.getTime(), {
      unit: ownerUnit(leaf, district, sub),
      replies: T.repliesFor(type, problem),
      wrongUnit: () => rng.pick([...city.districts.map((x) => x.id), ...(city.subdistrictsOf.get(district.id) ?? []).map((x) => x.id)]),
      handlerOf: (unitId) => rng.pick(city.handlersOf.get(unitId) ?? role('handler')),
      dispatchers,
      followups,
      supervisors,
      agents,
    });
    // The assessment figures fold the events as the live system would; the row is that fold.
    const order = kpi.addOrder(id, evs)!;

    if (order.status === 'dispatched' || order.status === 'accepted') running.push(order);
    if (order.status !== 'closed') open++;
    // The citizen is encrypted once (AES-GCM per value dominates bulk loads): the ciphertext
    // goes into the row, the created event and the contact.
    order.citizen = null;
    const row = toRowValues(order);
    const { sealed } = citizen;
    row[CITIZEN_AT] = sealed.name_enc;
    row[CITIZEN_AT + 1] = sealed.phone_enc;
    row[CITIZEN_AT + 2] = sealed.phone_bidx;
    row.unshift(id);
    // A full chunk starts its COPY; the writer awaits it at the next chunk or at close.
    void orderOut.addLine(textLine(row));
    for (let i = 0; i < evs.length; i++) {
      const e = evs[i]!;
      const data = i === 0 ? sealEventData(e.type, { ...e.data, citizen: { name: sealed.name_enc, phone: sealed.phone_enc } }) : e.data;
      void eventOut.addLine(`${id}\t${i + 1}\t${e.type}\t${e.actorId ?? '\\N'}\t${e.at}\t${textField(data)}`);
    }
    if (t >= recentFrom) {
      const loc = order.location;
      recent.add({
        id,
        title: order.title,
        content: order.content,
        createdAt: order.createdAt,
        open: order.status !== 'closed',
        districtUnitId: loc?.districtUnitId ?? null,
        lat: loc?.lat ?? null,
        lng: loc?.lng ?? null,
      });
    }
    if (opts.withContacts) infos.push({ id, at: t, agentId: evs[0]!.actorId!, citizen: sealed, title: order.title });
    events += evs.length;
    await flush();
  }
  await flush(true);
  if (setting('JIESU_DEMO_DEBUG'))
    console.error(`demo: orders ${part.firstId}… took ${Date.now() - startedAt} ms, of which ${insertMs} ms waiting for their COPYs`);
  return { orders: id - part.firstId + 1, events, open, infos, running, counters: [...counters.entries()] };
}

const TYPES: OrderType[] = ['complaint', 'request', 'consultation', 'report', 'suggestion', 'praise'];
const TYPE_WEIGHTS = [35, 30, 20, 7, 6, 2];
const TYPE_WORDS: Record<OrderType, string> = { complaint: '投诉', request: '求助', consultation: '咨询', report: '举报', suggestion: '建议', praise: '表扬' };

/** A coordinate to six decimals (about 0.1 m), as a device reports it; shorter to write and to read. */

/** Where the citizen's encrypted name, phone and phone index sit in `toRowValues`. */
const CITIZEN_AT = ROW_COLUMNS.indexOf('citizen_name_enc');
const BURST_PROBLEMS = ['滨江大道与人民路交叉口红绿灯不亮', '滨江大道人民路路口信号灯坏了，车辆乱行', '滨江大道和人民路口红绿灯故障，行人过马路很危险'];

const ORDER_TYPES_SQL: Record<(typeof ROW_COLUMNS)[number], string> = {
  number: 'text',
  type: 'text',
  title: 'text',
  content: 'text',
  category_code: 'text',
  urgency: 'text',
  status: 'text',
  address: 'text',
  district_unit_id: 'int',
  lat: 'float8',
  lng: 'float8',
  citizen_name_enc: 'text',
  citizen_phone_enc: 'text',
  citizen_phone_bidx: 'text',
  contact_id: 'int',
  main_unit_id: 'int',
  co_unit_ids: 'int[]',
  extension: 'jsonb',
  extension_days: 'int',
  reply: 'jsonb',
  survey: 'jsonb',
  close_reason: 'text',
  duplicate_of: 'int',
  dispatch_count: 'int',
  return_count: 'int',
  reopen_count: 'int',
  supervision_count: 'int',
  version: 'int',
  created_by: 'int',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  dispatched_at: 'timestamptz',
  signed_at: 'timestamptz',
  replied_at: 'timestamptz',
  closed_at: 'timestamptz',
  survey_attempts: 'int',
  last_survey_attempt_at: 'timestamptz',
  pending_reply: 'jsonb',
  transfer_chain: 'jsonb',
  transfer_unit_ids: 'int[]',
  assignee_id: 'int',
  co_replies: 'jsonb',
  pending_suspension: 'jsonb',
  suspension: 'jsonb',
  suspended_until: 'timestamptz',
  pending_return: 'jsonb',
  awaiting_ruling: 'boolean',
  final_unit_id: 'int',
};
const ORDER_BULK_COLUMNS: BulkColumn[] = [{ name: 'id', type: 'int' }, ...ROW_COLUMNS.map((c) => ({ name: c, type: ORDER_TYPES_SQL[c] }))];
const EVENT_BULK_COLUMNS: BulkColumn[] = [
  { name: 'workorder_id', type: 'int' },
  { name: 'seq', type: 'int' },
  { name: 'type', type: 'text' },
  { name: 'actor_id', type: 'int' },
  { name: 'at', type: 'timestamptz' },
  { name: 'data', type: 'jsonb' },
];
