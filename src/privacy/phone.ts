// Phone numbers are normalised before they are stored or matched: spaces, dashes and
// brackets go, and the country prefix +86 / 0086 is dropped, so "+86 138-1234-1234"
// and "13812341234" are the same caller (the rules are in vocabulary.ts, which the web shares).
import { badRequest } from '../core/errors.js';
import { normalizePhone } from './vocabulary.js';

export { isCallbackPhone, normalizePhone } from './vocabulary.js';

/** Normalises and checks a phone number; 400 naming `field` when it is not one. */
export function phoneOrThrow(raw: string, field: string): string {
  const p = normalizePhone(raw);
  if (!/^\+?[0-9]{3,20}$/.test(p)) throw badRequest('validation.phone', { field }, field);
  return p;
}
