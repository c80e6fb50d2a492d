// Query codes (查询码): the citizen tracks an order with its number and this code. Only the
// hash is used for look-ups; the code is also kept sealed until a receipt message has carried
// it to the citizen (src/sms), then emptied.
import { createHash, randomInt } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import { decrypt, encrypt } from '../privacy/index.js';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const newCode = () => Array.from({ length: 10 }, () => CODE_ALPHABET[randomInt(0, CODE_ALPHABET.length)]).join('');

/** Stores a new order's query code (its hash, and the code sealed for the receipt message). */
export async function storeQueryCode(q: Queryable, orderId: number, code: string): Promise<void> {
  await q.query('INSERT INTO portal_requests (workorder_id, code_hash, code_enc) VALUES ($1, $2, $3)', [orderId, sha256(code), encrypt(code)]);
}

/**
 * The order's query code for its receipt message: the sealed one, or a new one for an order that
 * has none yet (taken at the phone, say) or whose code was sent already (a receipt sent again).
 */
export async function queryCodeForReceipt(q: Queryable, orderId: number): Promise<string> {
  const code = newCode();
  const ins = await q.query('INSERT INTO portal_requests (workorder_id, code_hash, code_enc) VALUES ($1, $2, $3) ON CONFLICT (workorder_id) DO NOTHING', [
    orderId,
    sha256(code),
    encrypt(code),
  ]);
  if (ins.rowCount > 0) return code;
  const { rows } = await q.query<{ code_enc: string | null }>('SELECT code_enc FROM portal_requests WHERE workorder_id = $1', [orderId]);
  if (rows[0]?.code_enc) return decrypt(rows[0].code_enc)!;
  // Sent before (a receipt sent again): a new code replaces the old one, which the message then carries.
  await q.query('UPDATE portal_requests SET code_hash = $2, code_enc = $3 WHERE workorder_id = $1', [orderId, sha256(code), encrypt(code)]);
  return code;
}

/** The receipt has carried the code: its sealed copy goes. */
export async function forgetQueryCode(q: Queryable, orderId: number): Promise<void> {
  await q.query('UPDATE portal_requests SET code_enc = NULL WHERE workorder_id = $1', [orderId]);
}
