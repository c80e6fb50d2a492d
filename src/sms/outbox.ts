// The outbound message outbox. Rows are written inside the transaction that caused them (an
// order created or replied, a warning fired) and delivered later by any node: claimed with
// SKIP LOCKED and a lease, one provider call each, the outcome written by notifications'
// recordDelivery (retries with backoff, dead after the last attempt). A row whose node died
// mid-send is claimed again when its lease runs out, with the same call id, so a gateway that
// honours the id sends it once. The phone is decrypted only here, at the moment of sending.
import { randomBytes, createHash } from 'node:crypto';
import type { Database, Queryable } from '../db/database.js';
import { recordDelivery } from '../notifications/index.js';
import { decrypt, normalizePhone, phoneIndexes } from '../privacy/index.js';
import { forgetQueryCode, queryCodeForReceipt } from '../portal/index.js';
import { maskPhone } from '../workorders/index.js';
import { setting } from '../core/config.js';
import type { Provider } from './providers.js';
import { quietUntil, type QuietHours } from './quiet.js';
import { loadTemplate, orderedParams, render, type SmsKind } from './templates.js';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** A number a text message reaches: a mainland mobile. */
export const isMobile = (p: string | null | undefined): p is string => !!p && /^1[3-9][0-9]{9}$/.test(normalizePhone(p));

/** Citizen messages other than receipts wait out the quiet hours; receipts and liaisons' alerts go at once. */
const WAITS_QUIET: SmsKind[] = ['reply', 'followup'];

export interface NewSms {
  kind: SmsKind;
  workorderId: number | null;
  liaisonId?: number | null;
  phoneBidx: string | null;
  params: Record<string, string>;
  now?: Date;
}

export async function enqueueSms(q: Queryable, m: NewSms): Promise<number> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO sms_outbox (kind, workorder_id, liaison_id, phone_bidx, params, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [m.kind, m.workorderId, m.liaisonId ?? null, m.phoneBidx, JSON.stringify(m.params), m.now ?? new Date()],
  );
  return rows[0]!.id;
}

export interface SmsSettings {
  followup: 'phone' | 'sms';
  liaisonUrgent: boolean;
  liaisonRed: boolean;
}

export async function loadSmsSettings(q: Queryable): Promise<SmsSettings> {
  const { rows } = await q.query<any>('SELECT followup, liaison_urgent, liaison_red FROM sms_settings WHERE id = 1');
  const r = rows[0] ?? { followup: 'phone', liaison_urgent: true, liaison_red: true };
  return { followup: r.followup, liaisonUrgent: r.liaison_urgent, liaisonRed: r.liaison_red };
}

/**
 * An SMS to each active liaison of the unit, for an urgent order or a red-level overdue warning,
 * where the city has chosen it. Called inside the caller's transaction.
 */
export async function notifyLiaisons(
  q: Queryable,
  m: { kind: 'liaison_urgent' | 'liaison_red'; unitId: number | null; orderId: number; params: Record<string, string> },
): Promise<number> {
  if (m.unitId == null) return 0;
  const s = await loadSmsSettings(q);
  if (m.kind === 'liaison_urgent' ? !s.liaisonUrgent : !s.liaisonRed) return 0;
  const { rows } = await q.query<{ id: number; phone_bidx: string | null }>(
    'SELECT id, phone_bidx FROM sms_liaisons WHERE unit_id = $1 AND active ORDER BY id',
    [m.unitId],
  );
  for (const l of rows) await enqueueSms(q, { kind: m.kind, workorderId: m.orderId, liaisonId: l.id, phoneBidx: l.phone_bidx, params: m.params });
  return rows.length;
}

/**
 * SQL true for an order that waits for its answer by message (a follow-up SMS not yet sent, or
 * its rating link not yet used nor expired): the phone follow-up queue leaves it out until then.
 */
export const awaitingSmsRating = (alias: string) =>
  `(EXISTS (SELECT 1 FROM sms_outbox s WHERE s.workorder_id = ${alias}.id AND s.kind = 'followup' AND s.status = 'pending')
    OR EXISTS (SELECT 1 FROM sms_rating_links l WHERE l.workorder_id = ${alias}.id AND l.used_at IS NULL AND l.expires_at > now() AND l.created_at >= ${alias}.replied_at))`;

export interface SmsDeliveryResult {
  sent: number;
  failed: number;
  dead: number;
  /** Waiting: quiet hours or the per-phone limit. */
  deferred: number;
  /** Not sent: the number opted out, or has no number any more. */
  skipped: number;
}

export interface DeliverOptions {
  provider: Provider;
  quiet: QuietHours | null;
  timeZone: string;
  publicUrl: string;
  maxAttempts?: number;
  perPhonePerHour?: number;
  ratingHours?: number;
}

async function isOptedOut(q: Queryable, bidx: string | null): Promise<boolean> {
  if (!bidx) return false;
  return (await q.query('SELECT 1 FROM sms_optouts WHERE phone_bidx = $1', [bidx])).rowCount > 0;
}

async function recipientPhone(q: Queryable, row: { workorder_id: number | null; liaison_id: number | null }): Promise<string | null> {
  if (row.liaison_id != null) {
    const { rows } = await q.query<{ phone_enc: string | null }>('SELECT phone_enc FROM sms_liaisons WHERE id = $1 AND active', [row.liaison_id]);
    return decrypt(rows[0]?.phone_enc ?? null);
  }
  if (row.workorder_id == null) return null;
  const { rows } = await q.query<{ citizen_phone_enc: string | null }>('SELECT citizen_phone_enc FROM workorders WHERE id = $1', [row.workorder_id]);
  return decrypt(rows[0]?.citizen_phone_enc ?? null);
}

const skip = (db: Queryable, id: number, reason: string) =>
  db.query(`UPDATE sms_outbox SET status = 'skipped', skip_reason = $2, lease_until = NULL WHERE id = $1`, [id, reason]);
const defer = (db: Queryable, id: number, until: Date) => db.query('UPDATE sms_outbox SET next_attempt_at = $2, lease_until = NULL WHERE id = $1', [id, until]);

/** Sends the due messages once each (by `now`); failures are retried later, dead after maxAttempts. */
export async function deliverSms(db: Database, now: Date, o: DeliverOptions): Promise<SmsDeliveryResult> {
  const maxAttempts = o.maxAttempts ?? setting('JIESU_SMS_MAX_ATTEMPTS');
  const perHour = o.perPhonePerHour ?? setting('JIESU_SMS_PHONE_PER_HOUR');
  const ratingHours = o.ratingHours ?? setting('JIESU_SMS_RATING_HOURS');
  const out: SmsDeliveryResult = { sent: 0, failed: 0, dead: 0, deferred: 0, skipped: 0 };
  const seen = new Set<number>();
  for (;;) {
    const claimed = await db.tx(async (q) => {
      const { rows } = await q.query<any>(
        `SELECT * FROM sms_outbox
          WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < now()) AND NOT (id = ANY($2::int[]))
          ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED`,
        [now, [...seen]],
      );
      if (rows.length) await q.query(`UPDATE sms_outbox SET lease_until = now() + interval '60 seconds' WHERE id = ANY($1::int[])`, [rows.map((r) => r.id)]);
      return rows;
    });
    if (claimed.length === 0) return out;
    for (const row of claimed) {
      seen.add(row.id);
      const kind = row.kind as SmsKind;
      if (await isOptedOut(db, row.phone_bidx)) {
        await skip(db, row.id, 'opted_out');
        out.skipped++;
        continue;
      }
      const quietEnd = WAITS_QUIET.includes(kind) ? quietUntil(o.quiet, now, o.timeZone) : null;
      if (quietEnd) {
        await defer(db, row.id, quietEnd);
        out.deferred++;
        continue;
      }
      if (row.phone_bidx) {
        const { rows: recent } = await db.query<{ n: number; first: Date | null }>(
          `SELECT count(*)::int AS n, min(sent_at) AS first FROM sms_outbox WHERE phone_bidx = $1 AND status = 'sent' AND sent_at > $2::timestamptz - interval '1 hour'`,
          [row.phone_bidx, now],
        );
        if (recent[0]!.n >= perHour) {
          await defer(db, row.id, new Date(new Date(recent[0]!.first!).getTime() + 3_600_000));
          out.deferred++;
          continue;
        }
      }
      const phone = await recipientPhone(db, row);
      if (!isMobile(phone)) {
        await skip(db, row.id, 'no_phone');
        out.skipped++;
        continue;
      }
      const template = await loadTemplate(db, kind);
      const params: Record<string, string> = { ...row.params };
      const shown: Record<string, string> = {};
      let linkHash: string | null = null;
      if (kind === 'receipt' && row.workorder_id != null) {
        params.code = await queryCodeForReceipt(db, row.workorder_id);
        shown.code = '*'.repeat(params.code.length);
      }
      if (kind === 'followup' && row.workorder_id != null) {
        const token = randomBytes(9).toString('base64url');
        linkHash = sha256(token);
        params.link = `${o.publicUrl}/r/${token}`;
        shown.link = `${o.publicUrl}/r/${'*'.repeat(token.length)}`;
        await db.query('INSERT INTO sms_rating_links (token_hash, workorder_id, outbox_id, expires_at) VALUES ($1, $2, $3, $4)', [
          linkHash,
          row.workorder_id,
          row.id,
          new Date(now.getTime() + ratingHours * 3_600_000),
        ]);
      }
      const { text, values } = render(kind, template.body, params, o.provider.signatureLength);
      const shownText = render(kind, template.body, { ...params, ...shown }, o.provider.signatureLength).text;
      let r: { status: number | null; error: string | null; messageId: string | null };
      try {
        r = await o.provider.send({
          to: normalizePhone(phone),
          text,
          shownText,
          shownTo: maskPhone(normalizePhone(phone)),
          template: kind,
          templateId: template.providerTemplateId,
          params: values,
          orderedParams: orderedParams(template.body, values),
          callId: `jiesu-sms-${row.id}`,
        });
      } catch (e) {
        r = { status: null, error: (e as Error).message || String(e), messageId: null };
      }
      const attempts = row.attempts + 1;
      await db.query('INSERT INTO sms_attempts (outbox_id, status, error) VALUES ($1, $2, $3)', [row.id, r.status, r.error]);
      if (r.error && linkHash) await db.query('DELETE FROM sms_rating_links WHERE token_hash = $1', [linkHash]);
      const outcome = await recordDelivery(db, 'sms_outbox', row, {
        attempts,
        status: r.status,
        error: r.error,
        maxAttempts,
        now,
        sent: { text: shownText, provider: o.provider.name, provider_message_id: r.messageId },
      });
      if (outcome === 'sent' && kind === 'receipt' && row.workorder_id != null) await forgetQueryCode(db, row.workorder_id);
      out[outcome]++;
    }
  }
}

// ---- what people read of the outbox ----

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

export interface SmsMessage {
  id: number;
  kind: SmsKind;
  workorderId: number | null;
  orderNumber: string | null;
  to: string | null;
  recipient: 'citizen' | 'liaison';
  liaisonName: string | null;
  text: string | null;
  status: 'pending' | 'sent' | 'dead' | 'skipped';
  skipReason: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  delivery: 'delivered' | 'undelivered' | null;
  deliveredAt: string | null;
  provider: string | null;
  resentAs: number | null;
  createdAt: string;
  sentAt: string | null;
  attemptLog: { at: string | null; status: number | null; error: string | null }[];
}

/** Outbox rows as people read them: the number masked (decrypted only to mask it, never sent out whole). */
async function present(q: Queryable, rows: any[]): Promise<SmsMessage[]> {
  const ids = rows.map((r) => r.id);
  const att = ids.length
    ? (await q.query<any>('SELECT outbox_id, at, status, error FROM sms_attempts WHERE outbox_id = ANY($1::int[]) ORDER BY id', [ids])).rows
    : [];
  return rows.map((r) => {
    const phone = decrypt(r.liaison_id != null ? r.liaison_phone_enc : r.citizen_phone_enc);
    return {
      id: r.id,
      kind: r.kind,
      workorderId: r.workorder_id,
      orderNumber: r.number ?? null,
      to: phone ? maskPhone(normalizePhone(phone)) : null,
      recipient: r.liaison_id != null ? 'liaison' : 'citizen',
      liaisonName: r.liaison_name ?? null,
      text: r.text,
      status: r.status,
      skipReason: r.skip_reason,
      attempts: r.attempts,
      nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
      lastError: r.last_error,
      delivery: r.delivery,
      deliveredAt: iso(r.delivered_at),
      provider: r.provider,
      resentAs: r.resent_as,
      createdAt: iso(r.created_at)!,
      sentAt: iso(r.sent_at),
      attemptLog: att.filter((a) => a.outbox_id === r.id).map((a) => ({ at: iso(a.at), status: a.status, error: a.error })),
    };
  });
}

const SELECT = `SELECT s.*, w.number, w.citizen_phone_enc, l.phone_enc AS liaison_phone_enc, l.name AS liaison_name
  FROM sms_outbox s LEFT JOIN workorders w ON w.id = s.workorder_id LEFT JOIN sms_liaisons l ON l.id = s.liaison_id`;

export async function listSms(q: Queryable, f: { status?: string; dead?: boolean; limit: number; workorderId?: number }): Promise<SmsMessage[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (f.status) where.push(`s.status = $${params.push(f.status)}`);
  if (f.dead) where.push(`s.status = 'dead' AND s.resent_as IS NULL`);
  if (f.workorderId != null) where.push(`s.workorder_id = $${params.push(f.workorderId)}`);
  const { rows } = await q.query<any>(
    `${SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY s.id ${f.workorderId != null ? 'ASC' : 'DESC'} LIMIT $${params.push(f.limit)}`,
    params,
  );
  return present(q, rows);
}

export async function countSms(q: Queryable): Promise<Record<string, number>> {
  const { rows } = await q.query<{ k: string; n: number }>(
    `SELECT CASE WHEN status = 'dead' AND resent_as IS NOT NULL THEN 'resent' ELSE status END AS k, count(*)::int AS n FROM sms_outbox GROUP BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

/** A message sent again as a new row (the old one keeps its history and leaves the dead letters). */
export async function resendSms(q: Queryable, id: number, now: Date): Promise<number | null> {
  const { rows } = await q.query<any>('SELECT * FROM sms_outbox WHERE id = $1 FOR UPDATE', [id]);
  const r = rows[0];
  if (!r) return null;
  const newId = await enqueueSms(q, { kind: r.kind, workorderId: r.workorder_id, liaisonId: r.liaison_id, phoneBidx: r.phone_bidx, params: r.params, now });
  await q.query('UPDATE sms_outbox SET resent_as = $2 WHERE id = $1', [id, newId]);
  return newId;
}

// ---- the provider's callbacks ----

/** A delivery receipt: by the provider's message id or our call id. Returns whether it matched a message. */
export async function recordReceipt(q: Queryable, r: { messageId: string; delivered: boolean; note?: string | null; at?: Date }): Promise<boolean> {
  const m = /^jiesu-sms-(\d+)$/.exec(r.messageId);
  const res = await q.query(
    `UPDATE sms_outbox SET delivery = $3, delivery_note = $4, delivered_at = $5
      WHERE status = 'sent' AND (provider_message_id = $1 OR id = $2)`,
    [r.messageId, m ? Number(m[1]) : -1, r.delivered ? 'delivered' : 'undelivered', r.note ?? null, r.at ?? new Date()],
  );
  return res.rowCount > 0;
}

/** Reply keywords that stop messages to the number (退订 and the usual short forms). */
export const OPT_OUT = /^\s*(退订|TD|T|N|取消|0000)\s*$/i;

export async function recordOptOut(
  q: Queryable,
  phone: string,
  keyword: string,
  sealed: { phone_enc: string | null; phone_bidx: string | null },
): Promise<void> {
  await q.query(`INSERT INTO sms_optouts (phone_enc, phone_bidx, keyword) VALUES ($1, $2, $3) ON CONFLICT (phone_bidx) DO NOTHING`, [
    sealed.phone_enc,
    sealed.phone_bidx,
    keyword,
  ]);
  // Messages still waiting for the number will not go.
  await q.query(`UPDATE sms_outbox SET status = 'skipped', skip_reason = 'opted_out' WHERE status = 'pending' AND phone_bidx = ANY($1::text[])`, [
    phoneIndexes(phone),
  ]);
}
