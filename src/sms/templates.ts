// The messages' wording: zh-CN templates an admin may edit, `{name}` placeholders, and the
// single-segment rule (a Chinese SMS is one segment up to 70 characters, the signature
// included). Free text (the reply's gist, an order's title) is shortened to fit; what cannot
// shrink (numbers, codes, links) is measured with its longest form, and the admin is warned.
import type { Queryable } from '../db/database.js';

export const SMS_KINDS = ['receipt', 'reply', 'followup', 'liaison_urgent', 'liaison_red'] as const;
export type SmsKind = (typeof SMS_KINDS)[number];

/** The placeholders each message may use, with the longest value each takes (0: shortened to fit). */
export const PLACEHOLDERS: Record<SmsKind, Record<string, number>> = {
  receipt: { number: 13, code: 10 },
  reply: { number: 13, gist: 0 },
  followup: { number: 13, link: -1 },
  liaison_urgent: { number: 13, unit: 12, title: 0 },
  liaison_red: { number: 13, deadline: 2, title: 0 },
};

export const DEFAULT_TEMPLATES: Record<SmsKind, string> = {
  receipt: '您的诉求已受理，工单号{number}，查询码{code}，可在网上查询办理进度。',
  reply: '您的诉求（工单号{number}）已答复：{gist}',
  followup: '请评价工单{number}的办理结果：{link}',
  liaison_urgent: '紧急工单{number}已派至{unit}：{title}。请尽快签收办理。',
  liaison_red: '工单{number}{deadline}已超时：{title}。请尽快办理。',
};

export const SEGMENT = 70;
/** Free text is never cut below this many characters, even if the message then needs two segments. */
const MIN_FREE = 8;

export const chars = (s: string) => [...s].length;

/** The placeholders a body names, in order of appearance (the provider's positional parameters). */
export const placeholdersOf = (body: string) => [...body.matchAll(/\{([a-z]+)\}/g)].map((m) => m[1]!);

export interface Template {
  kind: SmsKind;
  body: string;
  providerTemplateId: string | null;
  isDefault: boolean;
}

export async function loadTemplate(q: Queryable, kind: SmsKind): Promise<Template> {
  const { rows } = await q.query<{ body: string; provider_template_id: string | null }>(
    'SELECT body, provider_template_id FROM sms_templates WHERE kind = $1',
    [kind],
  );
  return rows[0]
    ? { kind, body: rows[0].body, providerTemplateId: rows[0].provider_template_id, isDefault: false }
    : { kind, body: DEFAULT_TEMPLATES[kind], providerTemplateId: null, isDefault: true };
}

/** Placeholders the body names that its message does not have (refused on save). */
export const unknownPlaceholders = (kind: SmsKind, body: string) => placeholdersOf(body).filter((p) => !(p in PLACEHOLDERS[kind]));

/** The longest the message can be once free text is at its shortest (signature and link included). */
export function longestLength(kind: SmsKind, body: string, extra: { signature: number; link: number }): number {
  let n = chars(body.replace(/\{([a-z]+)\}/g, '')) + extra.signature;
  for (const p of placeholdersOf(body)) {
    const w = PLACEHOLDERS[kind][p] ?? 0;
    n += w === -1 ? extra.link : w === 0 ? MIN_FREE : w;
  }
  return n;
}

const clip = (s: string, n: number) => (chars(s) <= n ? s : [...s].slice(0, Math.max(1, n - 1)).join('') + '…');

/**
 * The message's text: placeholders filled, free text shortened so the whole fits one segment
 * (`signature` characters are added by the provider).
 */
export function render(kind: SmsKind, body: string, params: Record<string, string>, signature = 0): { text: string; values: Record<string, string> } {
  const names = placeholdersOf(body);
  const free = names.filter((p) => PLACEHOLDERS[kind][p] === 0);
  const fixed = body.replace(/\{([a-z]+)\}/g, (_, p: string) => (PLACEHOLDERS[kind][p] === 0 ? '' : (params[p] ?? '')));
  let room = SEGMENT - signature - chars(fixed);
  const out: Record<string, string> = {};
  for (const p of free) {
    const v = (params[p] ?? '').replace(/\s+/g, ' ').trim();
    const share = Math.max(MIN_FREE, Math.floor(room / Math.max(1, free.length - Object.keys(out).length)));
    out[p] = clip(v, share);
    room -= chars(out[p]);
  }
  const values = { ...params, ...out };
  return { text: body.replace(/\{([a-z]+)\}/g, (_, p: string) => values[p] ?? ''), values };
}

/** The values in the order the body names them: the positional parameters of a registered template. */
export const orderedParams = (body: string, values: Record<string, string>) => placeholdersOf(body).map((p) => values[p] ?? '');
