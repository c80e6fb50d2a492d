// The follow-up by message: the citizen opens the one-time link (JIESU_PUBLIC_URL/r/<token>),
// reads what the unit replied and answers the two questions. The answer is the order's survey
// exactly as a follow-up agent's call would record it (the `survey` action, so reopening and
// the measures follow); only the token's hash is stored, and the page shows no personal data.
import type { AppContext } from '../core/context.js';
import { conflict, notFound } from '../core/errors.js';
import { DEFAULT_LANGUAGE, translate } from '../core/i18n.js';
import { redact, systemActor } from '../open311/index.js';
import { act, fromRow, type Satisfaction } from '../workorders/index.js';
import { sha256 } from './outbox.js';

async function loadLink(ctx: AppContext, token: string) {
  const { rows } = await ctx.db.query<any>(
    `SELECT l.token_hash, l.expires_at, l.used_at, l.created_at AS link_at, w.*, u.name AS unit_name
       FROM sms_rating_links l JOIN workorders w ON w.id = l.workorder_id LEFT JOIN units u ON u.id = w.main_unit_id
      WHERE l.token_hash = $1`,
    [sha256(token)],
  );
  if (!rows[0]) throw notFound('ratingLink');
  return rows[0];
}

export async function ratingPage(ctx: AppContext, token: string) {
  const r = await loadLink(ctx, token);
  const order = fromRow(r);
  const state = r.used_at ? 'answered' : new Date(r.expires_at) <= new Date() ? 'expired' : order.status !== 'replied' ? 'closed' : 'open';
  return {
    number: order.number,
    title: redact(order.title),
    unitName: r.unit_name ?? null,
    reply: state === 'open' && order.reply ? redact(order.reply.content) : null,
    repliedAt: order.repliedAt,
    expiresAt: new Date(r.expires_at).toISOString(),
    state,
  };
}

export async function submitRating(ctx: AppContext, token: string, b: { satisfaction: Satisfaction; resolved: boolean; comment?: string }) {
  const r = await loadLink(ctx, token);
  if (r.used_at) throw conflict('already_rated', 'sms.linkUsed');
  if (new Date(r.expires_at) <= new Date()) throw conflict('link_expired', 'sms.linkExpired');
  const order = fromRow(r);
  if (order.status !== 'replied' || (order.repliedAt && new Date(r.link_at) < new Date(order.repliedAt)))
    throw conflict('not_awaiting_rating', 'sms.notAwaiting');
  // Used once: the first answer wins, on any node.
  const used = await ctx.db.query('UPDATE sms_rating_links SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL', [r.token_hash]);
  if (used.rowCount === 0) throw conflict('already_rated', 'sms.linkUsed');
  try {
    const actor = await systemActor(ctx.db, 'sms', '短信回访', ['followup']);
    const comment = b.comment?.trim();
    const note = comment ? `${translate(DEFAULT_LANGUAGE, 'sms.ratingNote')}：${comment}` : translate(DEFAULT_LANGUAGE, 'sms.ratingNote');
    const after = await act(ctx, actor, order.id, 'survey', { version: order.version, satisfaction: b.satisfaction, resolved: b.resolved, note });
    return { number: after.number, status: after.status, reopened: after.status !== 'closed' };
  } catch (err) {
    await ctx.db.query('UPDATE sms_rating_links SET used_at = NULL WHERE token_hash = $1', [r.token_hash]);
    throw err;
  }
}
