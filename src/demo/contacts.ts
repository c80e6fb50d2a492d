// The contacts on every channel and the calls of the call center: every order came from a
// contact, the other contacts were answered at once, repeat calls, transfers or invalid.
import type { Database } from '../db/database.js';
import { copiesOverlap, CopyWriter, type BulkColumn } from '../db/bulk.js';
import type { Rng } from '../core/random.js';
import { sealCitizen, type SealedCitizen } from '../privacy/index.js';
import { localHourReader } from './clock.js';
import { mobilePhone, personName } from './people.js';
import { HOURLY } from './taxonomy.js';
import type { DemoCity, OrderInfo } from './types.js';

const CHANNELS = ['phone', 'web', 'app', 'miniprogram', 'email', 'open311', 'walkin'] as const;
const CHANNEL_WEIGHTS = [72, 9, 6, 8, 1, 1, 3];
const MIN = 60_000;

const CONTACT_COLUMNS: BulkColumn[] = [
  ['id', 'int'],
  ['channel', 'text'],
  ['started_at', 'timestamptz'],
  ['ended_at', 'timestamptz'],
  ['caller_phone_enc', 'text'],
  ['caller_name_enc', 'text'],
  ['agent_id', 'int'],
  ['summary', 'text'],
  ['outcome', 'text'],
  ['workorder_id', 'int'],
  ['transfer_to', 'text'],
  ['invalid_reason', 'text'],
  ['call_id', 'text'],
  ['created_by', 'int'],
  ['created_at', 'timestamptz'],
  ['caller_phone_bidx', 'text'],
].map(([name, type]) => ({ name: name!, type: type! }));
const CALL_COLUMNS: BulkColumn[] = [
  ['call_id', 'text'],
  ['queue', 'text'],
  ['agent_id', 'int'],
  ['first_at', 'timestamptz'],
  ['answered_at', 'timestamptz'],
  ['abandoned_at', 'timestamptz'],
  ['transferred_at', 'timestamptz'],
  ['ended_at', 'timestamptz'],
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
  const push = async (
    id: number,
    t: number,
    agent: number,
    caller: SealedCitizen,
    summary: string,
    outcome: string,
    extra: { workorderId?: number; transferTo?: string; invalidReason?: string },
  ) => {
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
      // Personal data is sealed before the COPY, as the API stores it (src/privacy sealCitizen).
      id,
      channel,
      new Date(started),
      new Date(t),
      caller.phone_enc,
      caller.name_enc,
      agent,
      summary,
      outcome,
      extra.workorderId ?? null,
      extra.transferTo ?? null,
      extra.invalidReason ?? null,
      callId,
      agent,
      new Date(t),
      caller.phone_bidx,
    ]);
  };
  for (const o of orders) await push(o.id, o.at, o.agentId, o.citizen, o.title, 'workorder', { workorderId: o.id });

  const others = Math.max(0, opts.contacts - orders.length);
  const first = orders[0]?.at ?? opts.end.getTime() - 86400_000;
  const span = opts.end.getTime() - first;
  let id = orders.length;
  for (let i = 0; i < others; i++) {
    // Same rhythm as the orders: take an order's time and move it a little.
    const base = orders.length ? orders[rng.int(0, orders.length - 1)]!.at : first + rng.next() * span;
    const t = Math.min(opts.end.getTime() - MIN, base + (rng.next() - 0.5) * 40 * MIN);
    const agent = rng.pick(agents);
    const phone = mobilePhone(rng);
    const name = rng.chance(0.6) ? personName(rng) : null;
    const outcome = rng.weighted(['answered', 'duplicate', 'transferred', 'invalid'], [60, 12, 4, 24]);
    id++;
    if (outcome === 'answered') await push(id, t, agent, sealCitizen({ phone, name }), rng.pick(ANSWERS), outcome, {});
    else if (outcome === 'invalid') await push(id, t, agent, sealCitizen(null), '无效来电', outcome, { invalidReason: rng.pick(INVALID) });
    else if (outcome === 'transferred')
      await push(id, t, agent, sealCitizen({ phone, name }), '紧急情况，已转接', outcome, {
        transferTo: rng.weighted(['110', '119', '120', 'other'], [5, 1, 3, 1]),
      });
    else {
      // A repeat call about an earlier order: pick one created before this contact.
      const before = lastBefore(orders, t);
      const target = before >= 0 ? orders[rng.int(Math.max(0, before - 300), before)] : undefined;
      if (target) await push(id, t, agent, target.citizen, `重复来电：${target.title}`, 'duplicate', { workorderId: target.id });
      else await push(id, t, agent, sealCitizen({ phone, name }), rng.pick(ANSWERS), 'answered', {});
    }
  }
  await Promise.all([contacts.close(), calls.close()]);
  await db.query(`SELECT setval(pg_get_serial_sequence('contacts', 'id'), GREATEST((SELECT max(id) FROM contacts), 1))`);
  return { contacts: contacts.rows, calls: calls.rows };
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
