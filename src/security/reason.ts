// The reason a staff member gives for reading a citizen's unmasked personal data (PIPL).
import { Type } from 'typebox';
import { badRequest } from '../core/errors.js';

export const AccessReason = Type.String({ minLength: 1, maxLength: 200 });

/**
 * The purpose written to pii_access_log for a single-order read: `workorder.view` as before,
 * or `workorder.view: <reason>` when the client gives one in `?reason=` or in the
 * `X-Access-Reason` header (percent-encoded UTF-8, since headers are Latin-1).
 */
export function accessPurpose(query: string | undefined, header: string | string[] | undefined): string | undefined {
  let reason = query;
  if (reason === undefined && typeof header === 'string' && header.trim()) {
    try {
      reason = decodeURIComponent(header);
    } catch {
      throw badRequest('privacy.reasonEncoding', {}, 'x-access-reason');
    }
    if (reason.length > 200) throw badRequest('validation.maxLength', { field: 'x-access-reason', limit: 200 }, 'x-access-reason');
  }
  reason = reason?.replace(/\p{Cc}/gu, ' ').trim();
  return reason ? `workorder.view: ${reason}` : undefined;
}
