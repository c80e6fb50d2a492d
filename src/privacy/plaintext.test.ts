// No table keeps a citizen's phone or name in clear, whichever way it came in: every intake
// path is exercised (a contact, a keyed contact (group-committed), a contact that opens an
// order, an order, Open311, the portal, repeats and merges, a CDR import, the demo seed), then
// every text, json, array and tsvector column of every table is searched for the phones and
// names (and for anything shaped like a mobile number once ciphertexts and hashes are removed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCdrFile } from '../callcenter/index.js';
import type { Database } from '../db/database.js';
import { seedDemo } from '../demo/index.js';
import { open311City, raw } from '../open311/testkit.bench.js';
import { testPlatform, type TestPlatform } from '../../test/helpers.js';
import { bulkInsert, CopyWriter } from '../db/bulk.js';
import { decrypt, phoneIndex } from './pii.js';
import { encryptLegacy } from './store.js';

/** Ciphertexts and hex digests (blind indexes, hashes) hold digits by chance: removed before looking for numbers. */
const OPAQUE = String.raw`pii1:[A-Za-z0-9_-]+:[A-Za-z0-9+/=]+|[0-9a-f]{64}`;
const MOBILE = String.raw`(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)`;

interface Leak {
  at: string;
  rows: number;
  sample: string;
}

/** Every column that holds text of every table: where one of `secrets` or a mobile number shows. */
async function scan(db: Database, secrets: string[]): Promise<Leak[]> {
  const { rows: cols } = await db.query<{ t: string; c: string }>(
    `SELECT c.table_name AS t, c.column_name AS c FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'tsvector', 'ARRAY', 'USER-DEFINED'))
      ORDER BY 1, 2`,
  );
  expect(cols.length).toBeGreaterThan(100);
  const leaks: Leak[] = [];
  for (const { t, c } of cols) {
    const v = `"${c}"::text`;
    const { rows } = await db.query<{ n: number; sample: string | null }>(
      `SELECT count(*)::int AS n, min(left(${v}, 160)) AS sample FROM "${t}"
        WHERE ${v} IS NOT NULL
          AND (EXISTS (SELECT 1 FROM unnest($1::text[]) s WHERE strpos(${v}, s) > 0)
               OR regexp_replace(${v}, $2, '', 'g') ~ $3)`,
      [secrets, OPAQUE, MOBILE],
    );
    if (rows[0]!.n > 0) leaks.push({ at: `${t}.${c}`, rows: rows[0]!.n, sample: rows[0]!.sample ?? '' });
  }
  return leaks;
}

// One phone and one name per intake path, found nowhere else in the test data.
const P = {
  contact: '13710000001',
  keyed: '13710000002',
  contactOrder: '13710000003',
  order: '13710000004',
  open311: '13710000005',
  portal: '13710000006',
  repeat: '13710000007',
  cdr: '13710000008',
  dupOrder: '13710000009',
  keyedOrder: '13710000010',
};
const N = {
  contact: '欧阳甲一',
  keyed: '欧阳乙二',
  contactOrder: '欧阳丙三',
  order: '欧阳丁四',
  open311Last: '司马',
  open311First: '戊五',
  portal: '欧阳己六',
  repeat: '欧阳庚七',
  cdr: '欧阳辛八',
  dupOrder: '欧阳壬九',
  keyedOrder: '欧阳癸十',
};

describe('no personal data in clear, on any intake path', () => {
  let t: Awaited<ReturnType<typeof open311City>>;
  const dir = mkdtempSync(join(tmpdir(), 'jiesu-plain-'));
  beforeAll(async () => {
    t = await open311City();
  });
  afterAll(async () => {
    await t?.platform.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every caller encrypted and indexed, and the scan of every table finds none of them', async () => {
    const u = t.users;
    const at = () => new Date(Date.now() - 60_000).toISOString();
    const contact = (phone: string, name: string, extra: Record<string, unknown> = {}) => ({
      channel: 'phone',
      startedAt: at(),
      caller: { phone, name },
      summary: '咨询公交线路',
      outcome: 'answered',
      ...extra,
    });
    const ok = (r: { status: number; body: unknown }, status = 201) => expect(r.status, JSON.stringify(r.body)).toBe(status);

    ok(await u.agent.post('/api/v1/contacts', contact(P.contact, N.contact)));
    // With an Idempotency-Key: the group-committed path.
    const keyed = await u.agent.request('POST', '/api/v1/contacts', contact(P.keyed, N.keyed), { 'idempotency-key': 'scan-keyed-1' });
    ok(keyed);
    const keyedOrder = await u.agent.request(
      'POST',
      '/api/v1/contacts',
      contact(P.keyedOrder, N.keyedOrder, { outcome: 'workorder', workorder: { type: 'request', title: '路灯不亮', content: '小区门口路灯不亮' } }),
      { 'idempotency-key': 'scan-keyed-2' },
    );
    ok(keyedOrder);
    const withOrder = await u.agent.post(
      '/api/v1/contacts',
      contact(P.contactOrder, N.contactOrder, {
        outcome: 'workorder',
        workorder: { type: 'complaint', title: '噪音扰民', content: '夜间施工噪音', citizen: { name: N.contactOrder, phone: P.contactOrder } },
      }),
    );
    ok(withOrder);
    const order = await u.agent.post('/api/v1/workorders', {
      type: 'request',
      title: '井盖缺失',
      content: '路口井盖缺失',
      citizen: { name: N.order, phone: P.order },
    });
    ok(order);
    const dupOrder = await u.agent.post('/api/v1/workorders', {
      type: 'request',
      title: '井盖缺失',
      content: '路口井盖缺失，很危险',
      citizen: { name: N.dupOrder, phone: P.dupOrder },
    });
    ok(dupOrder);

    const o311 = await raw(t.platform, 'POST', '/open311/v2/requests.json', {
      form: {
        api_key: t.apiKey,
        service_code: 'noise-night',
        lat: '39.9163',
        long: '116.3972',
        description: '工地每晚十二点后还在施工',
        phone: P.open311,
        first_name: N.open311First,
        last_name: N.open311Last,
        email: 'ouyang.wu@example.org',
      },
    });
    ok({ status: o311.status, body: o311.json });

    const ch = await raw(t.platform, 'GET', '/api/v1/portal/challenge', { ip: '10.7.0.1' });
    const m = /^(\d+) ([+-]) (\d+) = \?$/.exec(ch.json.question)!;
    const answer = m[2] === '+' ? Number(m[1]) + Number(m[3]) : Number(m[1]) - Number(m[3]);
    const portal = await raw(t.platform, 'POST', '/api/v1/portal/requests', {
      ip: '10.7.0.1',
      json: {
        categoryCode: 'noise-night',
        address: '东城区东华门大街8号',
        content: '工地夜里施工',
        phone: P.portal,
        name: N.portal,
        challengeToken: ch.json.token,
        challengeAnswer: String(answer),
      },
    });
    ok({ status: portal.status, body: portal.json });

    // A repeat caller on the duplicate, then the duplicate merged into the order: its callers move.
    ok(await u.agent.post(`/api/v1/workorders/${dupOrder.body.id}/repeats`, { name: N.repeat, phone: P.repeat }));
    ok(await u.dispatcher.post('/api/v1/duplicates/merge', { mainId: order.body.id, duplicateIds: [dupOrder.body.id] }), 200);
    const callers = await u.agent.get(`/api/v1/workorders/${order.body.id}/callers`);
    expect(callers.body.items.map((c: { phone: string }) => c.phone)).toEqual([P.order, P.dupOrder, P.repeat]);

    // Call detail records carry the caller's number and caller id.
    const cdr = join(dir, 'Master.csv');
    writeFileSync(
      cdr,
      `"","${P.cdr}","12345","from-pstn","""${N.cdr}"" <${P.cdr}>","SIP/trunk-00000001","SIP/1001-00000002","Queue","hotline,,,,300","2025-03-10 09:00:00","2025-03-10 09:00:12","2025-03-10 09:04:12",252,240,"ANSWERED","DOCUMENTATION","1741568400.77",""\n`,
    );
    expect((await importCdrFile(t.platform.db, cdr)).imported).toBe(1);

    const secrets = [...Object.values(P), ...Object.values(N), `${N.open311Last}${N.open311First}`, 'ouyang.wu@example.org'];
    expect(await scan(t.platform.db, secrets)).toEqual([]);

    // The keyed contact is found like any other: caller history and the phone filter use the blind index.
    const history = await u.agent.get(`/api/v1/callers/${P.keyed}/history`);
    expect(history.body.contactCount).toBe(1);
    const found = await u.agent.get(`/api/v1/contacts?phone=${P.keyed}`);
    expect(found.body.items.map((c: { id: number }) => c.id)).toEqual([keyed.body.id]);
    expect((await u.agent.get(`/api/v1/contacts/${keyed.body.id}`)).body.caller).toEqual({ phone: P.keyed, name: N.keyed });
    expect((await u.agent.get(`/api/v1/callers/${P.keyedOrder}/history`)).body.contactCount).toBe(1);
  });

  it('encrypts and indexes rows found in clear at every start, also after the one-off pass had run', async () => {
    const db = t.platform.db;
    expect((await db.query("SELECT 1 FROM pii_state WHERE name = 'encrypt_legacy'")).rowCount).toBe(1);
    // As the batch path stored keyed contacts before 0094 (in clear, no blind index), and CDRs in clear.
    await db.query(
      `INSERT INTO contacts (channel, started_at, caller_phone, caller_name, summary, outcome, created_by, idempotency_key)
       SELECT 'phone', now(), '13710000011', '欧阳子一', '咨询', 'answered', id, 'old-batch' FROM users WHERE username = 'agent1'`,
    );
    await db.query(
      `INSERT INTO cc_cdr (uniqueid, src, dst, clid, lastdata, start_at, end_at, duration, billsec, disposition)
       VALUES ('old-cdr-1', '13710000012', '12345', '"欧阳丑二" <13710000012>', 'hotline,,,,300', now(), now(), 0, 0, 'NO ANSWER')`,
    );
    expect(await scan(db, ['13710000011', '欧阳子一', '欧阳丑二'])).not.toEqual([]);
    expect(await encryptLegacy(db)).toBe(2);
    expect(await encryptLegacy(db)).toBe(0);
    expect(await scan(db, ['13710000011', '欧阳子一', '13710000012', '欧阳丑二'])).toEqual([]);
    const h = await t.users.agent.get('/api/v1/callers/13710000011/history');
    expect(h.body.contactCount).toBe(1);
    const cdr = (
      await db.query<{ src_enc: string; clid_enc: string; src_bidx: string }>("SELECT src_enc, clid_enc, src_bidx FROM cc_cdr WHERE uniqueid = 'old-cdr-1'")
    ).rows[0]!;
    expect([decrypt(cdr.src_enc), decrypt(cdr.clid_enc), cdr.src_bidx]).toEqual(['13710000012', '"欧阳丑二" <13710000012>', phoneIndex('13710000012')]);
  });

  it('refuses a bulk load that names a column of personal data in clear', async () => {
    const db = t.platform.db;
    expect(() => new CopyWriter(db, 'contacts', [{ name: 'caller_phone', type: 'text' }])).toThrow(/caller_phone is personal data in clear/);
    await expect(bulkInsert(db, 'workorders', [{ name: 'citizen_name', type: 'text' }], [['x']])).rejects.toThrow(/in clear/);
  });
});

describe('no personal data in clear in the demo city', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await testPlatform();
    await seedDemo(platform.db, { contacts: 600, days: 5, seed: 11, end: new Date('2026-11-20T10:00:00Z') });
  }, 120_000);
  afterAll(async () => platform?.close());

  it('seeds (COPY) only ciphertexts and blind indexes', async () => {
    const { rows } = await platform.db.query<{ name: string | null; phone: string | null; bidx: string | null }>(
      `SELECT caller_name_enc AS name, caller_phone_enc AS phone, caller_phone_bidx AS bidx FROM contacts
       UNION ALL SELECT citizen_name_enc, citizen_phone_enc, citizen_phone_bidx FROM workorders`,
    );
    expect(rows.length).toBeGreaterThan(600);
    const phones = new Set<string>();
    const names = new Set<string>();
    for (const r of rows) {
      if (r.phone) {
        phones.add(decrypt(r.phone)!);
        expect(r.bidx).toMatch(/^[0-9a-f]{64}$/);
      }
      if (r.name) names.add(decrypt(r.name)!);
    }
    expect(phones.size).toBeGreaterThan(300);
    // A citizen may share a name with a member of staff (话务员胡桂兰), and two characters also
    // name places: only the longer names no member of staff has are looked for.
    const staff = (await platform.db.query<{ n: string }>('SELECT display_name AS n FROM users')).rows.map((r) => r.n);
    const leaks = await scan(platform.db, [...phones, ...[...names].filter((n) => n.length >= 3 && !staff.some((s) => s.includes(n)))]);
    expect(leaks).toEqual([]);
  }, 120_000);
});
