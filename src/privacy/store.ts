// Start-up key check, the encryption at every start of personal data found in clear, and key
// rotation: every table that holds citizen names, phones, e-mail addresses or caller numbers is listed here.
import { unlinkSync } from 'node:fs';
import type { Database } from '../db/database.js';
import { KEY_FILE, PiiKeyError, decrypt, encrypt, isEncrypted, keyring, phoneIndex, primaryKeyId, takeGeneratedKeyFile } from './pii.js';

interface Field {
  /** Plaintext column of older versions (emptied once encrypted). */
  plain: string;
  enc: string;
  /** Blind-index column, for phones. */
  bidx?: string;
}

interface TableSpec {
  table: string;
  id: string;
  /** SQL type of the id column (int unless said). */
  idType?: 'int' | 'text';
  fields: Field[];
}

export const PII_TABLES: TableSpec[] = [
  {
    table: 'workorders',
    id: 'id',
    fields: [
      { plain: 'citizen_name', enc: 'citizen_name_enc' },
      { plain: 'citizen_phone', enc: 'citizen_phone_enc', bidx: 'citizen_phone_bidx' },
    ],
  },
  {
    table: 'contacts',
    id: 'id',
    fields: [
      { plain: 'caller_name', enc: 'caller_name_enc' },
      { plain: 'caller_phone', enc: 'caller_phone_enc', bidx: 'caller_phone_bidx' },
    ],
  },
  {
    table: 'dup_callers',
    id: 'id',
    fields: [
      { plain: 'name', enc: 'name_enc' },
      { plain: 'phone', enc: 'phone_enc', bidx: 'phone_bidx' },
    ],
  },
  { table: 'open311_requests', id: 'workorder_id', fields: [{ plain: 'email', enc: 'email_enc' }] },
  // Call detail records: the caller's number and caller id; on a call-back, the citizen's number is the destination.
  {
    table: 'cc_cdr',
    id: 'uniqueid',
    idType: 'text',
    fields: [
      { plain: 'src', enc: 'src_enc', bidx: 'src_bidx' },
      { plain: 'dst', enc: 'dst_enc' },
      { plain: 'clid', enc: 'clid_enc' },
      { plain: 'lastdata', enc: 'lastdata_enc' },
    ],
  },
  // Numbers that opted out of messages, and units' liaisons (src/sms).
  { table: 'sms_optouts', id: 'id', fields: [{ plain: 'phone', enc: 'phone_enc', bidx: 'phone_bidx' }] },
  { table: 'sms_liaisons', id: 'id', fields: [{ plain: 'phone', enc: 'phone_enc', bidx: 'phone_bidx' }] },
  // Not a citizen's data, but a secret all the same: admins' TOTP seeds.
  { table: 'users', id: 'id', fields: [{ plain: 'totp_secret', enc: 'totp_secret_enc' }] },
];

/**
 * Bulk loads (src/db/bulk.ts) name their columns: one naming a column of personal data in clear
 * is refused, so that COPY and INSERT … unnest write what sealCitizen gives, like every other path.
 */
export function refusePlaintext(table: string, columns: readonly string[]): void {
  const spec = PII_TABLES.find((t) => t.table === table);
  const f = spec?.fields.find((x) => columns.includes(x.plain));
  if (f)
    throw new Error(`bulk load into ${table}: ${f.plain} is personal data in clear; write ${f.enc}${f.bidx ? ` and ${f.bidx}` : ''} (src/privacy sealCitizen)`);
}

/** The known text each key's check value in `pii_keys` encrypts. */
export const CHECK_TEXT = 'jiesu-pii-check';
const BATCH = 1000;

/**
 * Every configured key must decrypt its check value, and every key that data may still be
 * encrypted with must be configured: otherwise the platform refuses to start, clearly.
 */
export async function verifyKeys(db: Database): Promise<void> {
  const keys = keyring();
  const { rows } = await db.query<{ key_id: string; check_value: string; retired_at: Date | null }>('SELECT key_id, check_value, retired_at FROM pii_keys');
  // A folder whose key file is missing (restored from a backup, which leaves the key out) got a
  // new key when it was opened: that key opens nothing here, so it goes and the start is refused.
  const made = takeGeneratedKeyFile();
  if (made && rows.length) {
    unlinkSync(made);
    const ids = rows
      .filter((r) => !r.retired_at)
      .map((r) => r.key_id)
      .join(', ');
    throw new PiiKeyError(
      `数据目录缺少个人信息密钥文件 ${KEY_FILE} (the data folder has no personal-data key, but its names and phones are encrypted with key ${ids}: ` +
        `put the key file back as ${made} (chmod 600), or set JIESU_PII_KEYS)`,
    );
  }
  for (const k of keys) {
    const row = rows.find((r) => r.key_id === k.id);
    if (!row) continue;
    let ok = false;
    try {
      ok = decrypt(row.check_value) === CHECK_TEXT;
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new PiiKeyError(`个人信息密钥 ${k.id} 与数据库不符 (JIESU_PII_KEYS: key "${k.id}" is not the key this database was encrypted with: wrong key)`);
    }
  }
  const missing = rows.filter((r) => !r.retired_at && !keys.some((k) => k.id === r.key_id)).map((r) => r.key_id);
  if (missing.length) {
    throw new PiiKeyError(
      `数据库中的个人信息仍用密钥 ${missing.join(', ')} 加密，但未配置 (JIESU_PII_KEYS lacks key ${missing.join(', ')}, still used by stored data; add it after the new key and run \`jiesu privacy rotate\`)`,
    );
  }
  const primary = keys[0]!;
  if (!rows.some((r) => r.key_id === primary.id)) {
    await db.query('INSERT INTO pii_keys (key_id, check_value) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING', [primary.id, encrypt(CHECK_TEXT)]);
  } else if (rows.find((r) => r.key_id === primary.id)?.retired_at) {
    await db.query('UPDATE pii_keys SET retired_at = NULL WHERE key_id = $1', [primary.id]);
  }
}

type Progress = (done: number, total: number, table: string) => void;

/**
 * Re-encrypts rows of one table that match `where` (plaintext, or not under the newest key).
 * Each row is rewritten only if it still holds what was read (compare and set): another node
 * may be anonymising it (retention) or sealing it at the same time.
 */
async function rewriteTable(db: Database, t: TableSpec, where: string, params: unknown[], onProgress?: Progress, done = 0, total = 0): Promise<number> {
  const idType = t.idType ?? 'int';
  const cols = t.fields.flatMap((f) => [f.plain, f.enc]);
  let after: number | string = idType === 'int' ? -1 : '';
  let n = 0;
  for (;;) {
    const { rows } = await db.query<Record<string, any>>(
      `SELECT ${t.id} AS id, ${cols.join(', ')} FROM ${t.table} WHERE ${t.id} > $1 AND (${where}) ORDER BY ${t.id} LIMIT ${BATCH}`,
      [after, ...params],
    );
    if (!rows.length) return n;
    const arrays: unknown[][] = [rows.map((r) => r.id)];
    const col = (values: unknown[]) => `c${arrays.push(values) - 1}`;
    const sets: string[] = [];
    const same: string[] = [];
    for (const f of t.fields) {
      const plain = rows.map((r) => (r[f.plain] != null ? (r[f.plain] as string) : decrypt(r[f.enc])));
      same.push(
        `t.${f.plain} IS NOT DISTINCT FROM u.${col(rows.map((r) => r[f.plain]))}`,
        `t.${f.enc} IS NOT DISTINCT FROM u.${col(rows.map((r) => r[f.enc]))}`,
      );
      sets.push(`${f.enc} = u.${col(plain.map((p) => encrypt(p)))}`, `${f.plain} = NULL`);
      if (f.bidx) sets.push(`${f.bidx} = u.${col(plain.map((p) => phoneIndex(p)))}`);
    }
    const names = arrays.slice(1).map((_, i) => `c${i + 1}`);
    await db.query(
      `UPDATE ${t.table} t SET ${sets.join(', ')}
         FROM unnest($1::${idType}[], ${names.map((_, i) => `$${i + 2}::text[]`).join(', ')}) AS u(id, ${names.join(', ')})
        WHERE t.${t.id} = u.id AND ${same.join(' AND ')}`,
      arrays,
    );
    n += rows.length;
    after = rows[rows.length - 1]!.id;
    onProgress?.(done + n, total, t.table);
  }
}

/** Rewrites the citizen of `created` events matching `cond` (a SQL test of name and phone texts). */
async function rewriteEvents(db: Database, cond: (field: string) => string, params: unknown[], onProgress?: Progress, done = 0, total = 0): Promise<number> {
  let after = -1;
  let n = 0;
  const where = `type = 'created' AND jsonb_typeof(data->'citizen') = 'object' AND (${cond("data->'citizen'->>'name'")} OR ${cond("data->'citizen'->>'phone'")})`;
  for (;;) {
    const { rows } = await db.query<{ workorder_id: number; seq: number; citizen: { name?: string | null; phone?: string | null } }>(
      `SELECT workorder_id, seq, data->'citizen' AS citizen FROM workorder_events WHERE workorder_id > $1 AND ${where}
        ORDER BY workorder_id, seq LIMIT ${BATCH}`,
      [after, ...params],
    );
    if (!rows.length) return n;
    const sealed = rows.map((r) => JSON.stringify({ name: encrypt(decrypt(r.citizen.name ?? null)), phone: encrypt(decrypt(r.citizen.phone ?? null)) }));
    // Only if the citizen is still what was read (retention may have cleared it meanwhile).
    await db.query(
      `UPDATE workorder_events e SET data = jsonb_set(e.data, '{citizen}', u.c::jsonb)
         FROM unnest($1::int[], $2::int[], $3::text[], $4::text[]) AS u(w, s, c, o)
        WHERE e.workorder_id = u.w AND e.seq = u.s AND e.data->'citizen' = u.o::jsonb`,
      [rows.map((r) => r.workorder_id), rows.map((r) => r.seq), sealed, rows.map((r) => JSON.stringify(r.citizen))],
    );
    n += rows.length;
    after = rows[rows.length - 1]!.workorder_id;
    onProgress?.(done + n, total, 'workorder_events');
  }
}

/**
 * Encrypts and indexes personal data found in clear, at every start: rows older versions left,
 * and rows any writer stored in clear since (contacts recorded with an Idempotency-Key were,
 * until 0094, after the one-off pass of 0085 had run). Partial indexes of the rows still in
 * clear (0094) make the look one empty index probe per table. The citizen of `created` events,
 * which every version since 0085 has sealed, is looked at once (the 'encrypt_legacy' marker).
 * Returns the number of rows encrypted.
 */
export async function encryptLegacy(db: Database): Promise<number> {
  let n = 0;
  for (const t of PII_TABLES) n += await rewriteTable(db, t, t.fields.map((f) => `${f.plain} IS NOT NULL`).join(' OR '), []);
  const done = await db.query("SELECT 1 FROM pii_state WHERE name = 'encrypt_legacy'");
  if (done.rowCount) return n;
  n += await rewriteEvents(db, (f) => `${f} NOT LIKE 'pii1:%'`, []);
  await db.query("INSERT INTO pii_state (name) VALUES ('encrypt_legacy') ON CONFLICT (name) DO NOTHING");
  return n;
}

const notCurrent = (field: string, p: number) => `(${field} IS NOT NULL AND ${field} NOT LIKE $${p})`;

/** Rows holding personal data not under the newest key. */
export async function countStale(db: Database): Promise<number> {
  const like = `pii1:${primaryKeyId()}:%`;
  let total = 0;
  for (const t of PII_TABLES) {
    const where = t.fields.map((f) => `${notCurrent(f.enc, 1)} OR ${f.plain} IS NOT NULL`).join(' OR ');
    total += (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t.table} WHERE ${where}`, [like])).rows[0]!.n;
  }
  total += (
    await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM workorder_events WHERE type = 'created' AND jsonb_typeof(data->'citizen') = 'object'
         AND (${notCurrent("data->'citizen'->>'name'", 1)} OR ${notCurrent("data->'citizen'->>'phone'", 1)})`,
      [like],
    )
  ).rows[0]!.n;
  return total;
}

/**
 * Re-encrypts every row under the newest key (and recomputes the blind indexes), then marks
 * the older keys retired: after that they may be removed from JIESU_PII_KEYS.
 */
export async function rotate(db: Database, onProgress?: Progress): Promise<{ rows: number; retired: string[] }> {
  await verifyKeys(db);
  const like = `pii1:${primaryKeyId()}:%`;
  const total = await countStale(db);
  let n = 0;
  onProgress?.(0, total, '');
  for (const t of PII_TABLES) {
    const where = t.fields.map((f) => `${notCurrent(f.enc, 2)} OR ${f.plain} IS NOT NULL`).join(' OR ');
    n += await rewriteTable(db, t, where, [like], onProgress, n, total);
  }
  n += await rewriteEvents(db, (f) => notCurrent(f, 2), [like], onProgress, n, total);
  const { rows } = await db.query<{ key_id: string }>('UPDATE pii_keys SET retired_at = now() WHERE key_id <> $1 AND retired_at IS NULL RETURNING key_id', [
    primaryKeyId(),
  ]);
  return { rows: n, retired: rows.map((r) => r.key_id) };
}

export { isEncrypted };
