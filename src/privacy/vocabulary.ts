// Phone rules with no imports, shared by the server and the web app (the portal checks a
// callback number before it is sent). Keep in step with intake_norm_phone() in SQL.

/** Spaces, dashes and brackets go, and the country prefix +86 / 0086 is dropped. */
export function normalizePhone(raw: string): string {
  return raw.replace(/[\s()（）-]/g, '').replace(/^(\+86|0086)/, '');
}

/**
 * A number the center can call back: a mobile (1 and ten digits) or a landline with its area
 * code (0 and 9 to 11 digits). A 7-digit local number cannot be dialled from the hotline.
 */
export const isCallbackPhone = (raw: string) => /^(1[3-9][0-9]{9}|0[1-9][0-9]{8,10})$/.test(normalizePhone(raw));
