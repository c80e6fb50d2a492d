// Text files as people's tools save them: Excel on a Chinese Windows saves "CSV" in GB18030
// (GBK), not UTF-8, and Excel's "CSV UTF-8" starts with a byte-order mark.
const utf8 = new TextDecoder('utf-8', { fatal: true });
const gb18030 = new TextDecoder('gb18030');

/** The bytes as UTF-8 (a byte-order mark dropped) or, when they are not valid UTF-8, as GB18030. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return gb18030.decode(bytes);
  }
}
