// Phone numbers are normalised before they are stored or matched: spaces, dashes and
// brackets go, and the country prefix +86 / 0086 is dropped, so "+86 138-1234-1234"
// and "13812341234" are the same caller. Keep in step with intake_norm_phone() in SQL.
import { badRequest } from '../core/errors.js';

export function normalizePhone(raw: string): string {
  return raw.replace(/[\s()（）-]/g, '').replace(/^(\+86|0086)/, '');
}

/** Normalises and checks a phone number; 400 naming `field` when it is not one. */
export function phoneOrThrow(raw: string, field: string): string {
  const p = normalizePhone(raw);
  if (!/^\+?[0-9]{3,20}$/.test(p)) throw badRequest('validation.phone', { field }, field);
  return p;
}

/**
 * A number the center can call back: a mobile (1 and ten digits) or a landline with its area
 * code (0 and 9 to 11 digits). A 7-digit local number cannot be dialled from the hotline.
 */
export const isCallbackPhone = (raw: string) => /^(1[3-9][0-9]{9}|0[1-9][0-9]{8,10})$/.test(normalizePhone(raw));
