// The GeoReport updates extension (servicerequestupdates, as FixMyStreet and open311-adapter use
// it): what happened to each published request, read from the order's events, and a citizen's
// comment passed on by a client, appended to the order as an event its unit reads in the history.
//
// jiesu's lifecycle → request_update.status (the description is the unit's reply, or a note in the
// reader's language):
//   dispatched            ACTION_SCHEDULED              assigned to the unit
//   signed                IN_PROGRESS                   the unit is working on it
//   returned              NOT_COUNCILS_RESPONSIBILITY   the unit says it is not its duty; the center re-routes it
//   replied               FIXED (resolved) / NO_FURTHER_ACTION (not resolved)   the reply
//   surveyed              closed, or open when the follow-up reopened it
//   survey_failed (last)  closed                        unreachable for the follow-up
//   closed                DUPLICATE (merged), NO_FURTHER_ACTION (invalid), closed (answered by the center)
//   unmerged              open
// Other events (transfers inside the unit, co-units, reviews, extensions, comments) are no update.
import type { Database, Queryable } from '../db/database.js';
import type { AppContext } from '../core/context.js';
import { badRequest, notFound } from '../core/errors.js';
import { translate, type Language } from '../core/i18n.js';
import { appendSystemEvent, storeAttachment, type NewFile } from '../workorders/index.js';
import {
  checkApiKey,
  checkMediaUrls,
  closedNote,
  jurisdictionSql,
  MAX_MEDIA,
  PUBLISHABLE,
  redact,
  resolveJurisdiction,
  w3c,
  type Jurisdiction,
} from './georeport.js';
import { systemActor } from './system.js';

/** The statuses an update may carry: the spec's two and the extended ones clients use. */
export const UPDATE_STATUSES = [
  'open',
  'closed',
  'IN_PROGRESS',
  'ACTION_SCHEDULED',
  'FIXED',
  'DUPLICATE',
  'NOT_COUNCILS_RESPONSIBILITY',
  'NO_FURTHER_ACTION',
] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

/** The events that make an update (migration 0130 indexes them by time). */
export const UPDATE_EVENTS = ['dispatched', 'signed', 'returned', 'replied', 'surveyed', 'survey_failed', 'closed', 'unmerged'] as const;

export interface RequestUpdate {
  update_id: string;
  service_request_id: string;
  status: UpdateStatus;
  updated_datetime: string;
  description: string;
  media_url: string | null;
}

export const UPDATE_FIELDS = ['update_id', 'service_request_id', 'status', 'updated_datetime', 'description', 'media_url'] as const;

/** An update's id: the order's number and the event's place in its history. */
export const updateId = (number: string, seq: number) => `${number}-${seq}`;

interface EventRow {
  number: string;
  seq: number;
  type: string;
  at: Date;
  data: Record<string, any>;
  unit_name: string | null;
  actor_unit_name: string | null;
  duplicate_number: string | null;
  reply: { content: string } | null;
}

/** The update an event makes, or null when it makes none. Pure. */
export function updateOf(e: Omit<EventRow, 'number' | 'seq' | 'at'>, lang: Language): { status: UpdateStatus; description: string } | null {
  const d = e.data ?? {};
  const reply = e.reply ? redact(String(e.reply.content)) : null;
  switch (e.type) {
    case 'dispatched':
      return { status: 'ACTION_SCHEDULED', description: translate(lang, 'open311.note.dispatched', { unit: e.unit_name ?? '' }) };
    case 'signed':
      return { status: 'IN_PROGRESS', description: translate(lang, 'open311.note.accepted', { unit: e.actor_unit_name ?? '' }) };
    case 'returned':
      return { status: 'NOT_COUNCILS_RESPONSIBILITY', description: translate(lang, 'open311.note.returned') };
    case 'replied':
      return { status: d.resolved === false ? 'NO_FURTHER_ACTION' : 'FIXED', description: redact(String(d.content ?? '')) };
    case 'surveyed':
      return d.reopened
        ? { status: 'open', description: translate(lang, 'open311.note.reopened') }
        : { status: 'closed', description: closedNote(null, null, reply, lang) };
    case 'survey_failed':
      return d.final ? { status: 'closed', description: closedNote('unreachable', null, reply, lang) } : null;
    case 'closed': {
      const status: UpdateStatus = d.reason === 'duplicate' ? 'DUPLICATE' : d.reason === 'invalid' ? 'NO_FURTHER_ACTION' : 'closed';
      return { status, description: closedNote(d.reason ?? null, e.duplicate_number, null, lang) };
    }
    case 'unmerged':
      return { status: 'open', description: translate(lang, 'open311.note.unmerged') };
    default:
      return null;
  }
}

export interface UpdateFilter {
  start: Date;
  end: Date;
  ids?: string[];
  jurisdiction: Jurisdiction | null;
  limit: number;
}

/** Updates of published requests between start and end, oldest first (a client asks again from the last one it saw). */
export async function listUpdates(db: Database, f: UpdateFilter, timeZone: string, lang: Language): Promise<RequestUpdate[]> {
  const params: unknown[] = [UPDATE_EVENTS, f.start, f.end];
  const where = [`e.type = ANY($1::text[])`, `e.at >= $2`, `e.at <= $3`, PUBLISHABLE, jurisdictionSql(f.jurisdiction, params)];
  if (f.ids?.length) where.push(`w.number = ANY($${params.push(f.ids)}::text[])`);
  const { rows } = await db.query<EventRow>(
    `SELECT w.number, e.seq, e.type, e.at, e.data, w.reply, du.name AS unit_name, aun.name AS actor_unit_name, dw.number AS duplicate_number
       FROM workorder_events e
       JOIN workorders w ON w.id = e.workorder_id
       JOIN open311_services s ON s.service_code = w.category_code
       LEFT JOIN open311_requests r ON r.workorder_id = w.id
       LEFT JOIN units du ON e.type = 'dispatched' AND du.id = (e.data->>'unitId')::int
       LEFT JOIN users au ON au.id = e.actor_id
       LEFT JOIN units aun ON aun.id = au.unit_id
       LEFT JOIN workorders dw ON e.type = 'closed' AND dw.id = (e.data->>'duplicateOf')::int
      WHERE ${where.join(' AND ')}
      ORDER BY e.at, e.workorder_id, e.seq
      LIMIT $${params.push(f.limit)}`,
    params,
  );
  const out: RequestUpdate[] = [];
  for (const r of rows) {
    const u = updateOf(r, lang);
    if (!u) continue;
    out.push({
      update_id: updateId(r.number, r.seq),
      service_request_id: r.number,
      status: u.status,
      updated_datetime: w3c(r.at, timeZone),
      description: u.description,
      media_url: null,
    });
  }
  return out;
}

/** A POST servicerequestupdates body after decoding. */
export interface PostUpdateInput {
  fields: Record<string, string | undefined>;
  mediaUrls: string[];
  files: NewFile[];
}

/**
 * A citizen's comment, passed on by a client: appended to the order as a `citizen_commented` event
 * (the unit reads it in the history; photos become files on the order). The commenter's name, phone
 * and e-mail are not kept. A client's own `update_id` sent again answers the first update.
 */
export async function postUpdate(ctx: AppContext, input: PostUpdateInput): Promise<{ update_id: string }> {
  const f = input.fields;
  const apiKeyId = await checkApiKey(ctx.db, f.api_key);
  const jurisdiction = await resolveJurisdiction(ctx.db, f.jurisdiction_id);
  const number = f.service_request_id?.trim();
  if (!number) throw badRequest('validation.required', { field: 'service_request_id' }, 'service_request_id');
  const description = (f.description ?? '').trim();
  const mediaUrls = checkMediaUrls(input.mediaUrls);
  if (mediaUrls.length + input.files.length > MAX_MEDIA) throw badRequest('open311.tooManyMedia', { limit: MAX_MEDIA }, 'media_url');
  if (!description && mediaUrls.length === 0 && input.files.length === 0) throw badRequest('validation.required', { field: 'description' }, 'description');
  if (description.length > 4000) throw badRequest('validation.maxLength', { field: 'description', limit: 4000 }, 'description');
  const clientUpdateId = f.update_id?.trim().slice(0, 200) || null;
  const status = f.status?.trim().slice(0, 50) || null;
  const sentAt = f.updated_datetime?.trim();
  if (sentAt && Number.isNaN(Date.parse(sentAt))) throw badRequest('validation.formatDateTime', { field: 'updated_datetime' }, 'updated_datetime');

  const params: unknown[] = [number];
  const { rows } = await ctx.db.query<{ id: number; number: string }>(
    `SELECT w.id, w.number FROM workorders w JOIN open311_services s ON s.service_code = w.category_code
       LEFT JOIN open311_requests r ON r.workorder_id = w.id
      WHERE w.number = $1 AND ${PUBLISHABLE} AND ${jurisdictionSql(jurisdiction, params)}`,
    params,
  );
  if (!rows[0]) throw notFound('serviceRequest', number);
  const order = rows[0];
  const previous = async (q: Queryable) => {
    if (!clientUpdateId) return null;
    const { rows: seen } = await q.query<{ number: string; seq: number }>(
      `SELECT w.number, c.seq FROM open311_comments c JOIN workorders w ON w.id = c.workorder_id WHERE c.api_key_id = $1 AND c.client_update_id = $2`,
      [apiKeyId, clientUpdateId],
    );
    return seen[0] ? { update_id: updateId(seen[0].number, seen[0].seq) } : null;
  };
  const actor = await systemActor(ctx.db, 'open311', 'Open311 接口');
  try {
    return await ctx.db.tx(async (q) => {
      const again = await previous(q);
      if (again) return again;
      const next = await appendSystemEvent(
        ctx,
        q,
        order.id,
        'citizen_commented',
        { content: description, status, sentAt: sentAt ? new Date(sentAt).toISOString() : null, mediaUrls, photos: input.files.length, channel: 'open311' },
        actor.id,
      );
      for (const file of input.files) await storeAttachment(q, order.id, file, null);
      await q.query('INSERT INTO open311_comments (workorder_id, seq, api_key_id, client_update_id) VALUES ($1, $2, $3, $4)', [
        order.id,
        next.version,
        apiKeyId,
        clientUpdateId,
      ]);
      return { update_id: updateId(order.number, next.version) };
    });
  } catch (err) {
    // The same client update posted twice at once: the second answers the first's update.
    if ((err as { code?: string }).code === '23505') {
      const again = await previous(ctx.db);
      if (again) return again;
    }
    throw err;
  }
}
