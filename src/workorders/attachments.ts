// Files on a work order: photos and PDFs, checked by their first bytes (not only by the type the
// client claims), limited in size and number, visible to whoever may see the order.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import { AppError, badRequest, notFound } from '../core/errors.js';
import type { Actor } from '../core/context.js';
import { loadVisible } from './service.js';

/** The types accepted, each with the bytes a real file of that type starts with. */
export const ATTACHMENT_TYPES: Record<string, (b: Buffer) => boolean> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
};
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_ORDER = 30;

export interface Attachment {
  id: number;
  workorderId: number;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: number | null;
  unitId: number | null;
  createdAt: string;
}

const COLUMNS = `id, workorder_id AS "workorderId", name, content_type AS "contentType", size, sha256,
  uploaded_by AS "uploadedBy", unit_id AS "unitId", created_at AS "createdAt"`;
const shape = (r: any): Attachment => ({ ...r, createdAt: new Date(r.createdAt).toISOString() });

/** A file name safe to store and to send back in a header: no path, no control characters. */
function cleanName(name: string): string {
  const base = name
    .split(/[\\/]/)
    .pop()!
    .replace(/[\p{Cc}"]/gu, '')
    .trim();
  if (!base) throw badRequest('workorders.fileNameEmpty', {}, 'name');
  return base.slice(0, 200);
}

export interface NewFile {
  name: string;
  contentType: string;
  data: Buffer;
}

/** The file's type when its bytes are of that type; else an error naming `field`. */
export function checkFile(file: Pick<NewFile, 'contentType' | 'data'>, field = 'body'): string {
  const type = file.contentType.split(';')[0]!.trim().toLowerCase();
  const looksRight = ATTACHMENT_TYPES[type];
  if (!looksRight) throw new AppError(415, 'unsupported_media_type', 'workorders.fileType', { accepted: Object.keys(ATTACHMENT_TYPES) }, field);
  if (file.data.length === 0) throw badRequest('workorders.fileEmpty', {}, field);
  if (!looksRight(file.data)) throw badRequest('workorders.fileContent', { type }, field);
  return type;
}

/** Stores a file already checked (its contentType is what checkFile returned); `by` is the staff member, or null for the citizen (portal). */
export async function storeAttachment(q: Queryable, orderId: number, file: NewFile, by: Pick<Actor, 'id' | 'unitId'> | null): Promise<Attachment> {
  const { rows } = await q.query(
    `INSERT INTO workorder_attachments (workorder_id, name, content_type, size, sha256, data, uploaded_by, unit_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [
      orderId,
      cleanName(file.name),
      file.contentType,
      file.data.length,
      createHash('sha256').update(file.data).digest('hex'),
      file.data,
      by?.id ?? null,
      by?.unitId ?? null,
    ],
  );
  return shape(rows[0]);
}

/** A staff member adds a file to an order they may see, while it is open. */
export async function addAttachment(q: Queryable, actor: Actor, orderId: number, file: NewFile): Promise<Attachment> {
  const order = await loadVisible(q, actor, orderId, true);
  if (order.status === 'closed') throw new AppError(409, 'invalid_transition', 'workorders.attachClosed');
  const contentType = checkFile(file);
  const { rows: count } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM workorder_attachments WHERE workorder_id = $1', [orderId]);
  if (count[0]!.n >= MAX_ATTACHMENTS_PER_ORDER)
    throw new AppError(409, 'too_many_attachments', 'workorders.tooManyAttachments', { max: MAX_ATTACHMENTS_PER_ORDER });
  return storeAttachment(q, orderId, { ...file, contentType }, actor);
}

export async function listAttachments(q: Queryable, actor: Actor, orderId: number): Promise<Attachment[]> {
  await loadVisible(q, actor, orderId);
  const { rows } = await q.query(`SELECT ${COLUMNS} FROM workorder_attachments WHERE workorder_id = $1 ORDER BY id`, [orderId]);
  return rows.map(shape);
}

export async function readAttachment(q: Queryable, actor: Actor, orderId: number, id: number): Promise<Attachment & { data: Buffer }> {
  await loadVisible(q, actor, orderId);
  const { rows } = await q.query(`SELECT ${COLUMNS}, data FROM workorder_attachments WHERE workorder_id = $1 AND id = $2`, [orderId, id]);
  if (!rows[0]) throw notFound('attachment', id, { order: orderId });
  const { data, ...rest } = rows[0] as any;
  return { ...shape(rest), data: Buffer.from(data) };
}
