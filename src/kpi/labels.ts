// The words of the monthly report, one language a file: Chinese, or English when the
// request's Accept-Language prefers it (negotiateLanguage). The words are the server's
// catalogues' (src/core/locales: `report.*`, and the `status.*`, `urgency.*`, `action.*` words
// that messages use too), so there is one place to change a label and one check of both languages.
import { hasMessage, translate, type Language, type MessageKey } from '../core/i18n.js';

export type ReportLanguage = Language;

/** A label of the report: `sheet.summary` is the catalogue's `report.sheet.summary`. */
export type LabelKey = Extract<MessageKey, `report.${string}`> extends `report.${infer K}` ? K : never;

/** The label `key` in `lang`, `{{name}}` filled from `params`. */
export function label(lang: ReportLanguage, key: LabelKey, params: Record<string, string | number> = {}): string {
  return translate(lang, `report.${key}` as MessageKey, params);
}

// A deadline's kind reads as the action it waits for (签收, 答复).
const PREFIX = { status: 'status', urgency: 'urgency', kind: 'action' } as const;

/** A code's word in a cell (status, urgency, time-limit kind), the code itself when it has none. */
export function word(lang: ReportLanguage, prefix: keyof typeof PREFIX, code: string): string {
  const key = `${PREFIX[prefix]}.${code}`;
  if (!hasMessage(key)) return code;
  // The catalogue's English words are written for the middle of a sentence; a cell begins with a capital.
  const text = translate(lang, key);
  return lang === 'en' ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}
