// What the API says, in the reader's language: one i18next instance over the two catalogues
// (locales/zh-CN.ts is the source, locales/en.ts must have the same keys), and the choice of
// language from a request's Accept-Language (zh-CN unless the reader prefers English).
import i18next from 'i18next';
import Negotiator from 'negotiator';
import { zhCN, type MessageKey } from './locales/zh-CN.js';
import { en } from './locales/en.js';

export type { MessageKey } from './locales/zh-CN.js';
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'zh-CN';

/** Values a message is filled with; an array is listed ("、" in Chinese, ", " in English). */
export type MessageParams = Record<string, string | number | readonly (string | number)[] | Readonly<Record<Language, string>>>;

const i18n = i18next.createInstance();
void i18n.init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: [...LANGUAGES],
  // Keys are flat strings such as "notFound.workorder"; messages are JSON text, not HTML.
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
  showSupportNotice: false,
} as Parameters<typeof i18n.init>[0]);
// "{{field, capitalize}}": an English label such as "the title" that begins a sentence.
i18n.services.formatter?.add('capitalize', (value: unknown) => {
  const s = String(value);
  return s.charAt(0).toUpperCase() + s.slice(1);
});

// A parameter whose values are codes with words of their own: `roles: ['agent']` reads
// 「话务员」, `status: 'closed'` reads 「已办结」. Params keep the codes in the response body.
// A parameter `field` is a field's dotted path and reads as its label (field.*).
const WORDED_PARAMS: Record<string, string> = {
  role: 'role',
  roles: 'role',
  status: 'status',
  from: 'status',
  action: 'action',
  entity: 'entity',
};

function word(lang: Language, prefix: string, value: string | number): string {
  const key = `${prefix}.${value}`;
  return i18n.exists(key, { lng: lang }) ? i18n.t(key, { lng: lang }) : String(value);
}

/** The message `key` in `lang`, filled with `params`. */
export function translate(lang: Language, key: MessageKey, params: MessageParams = {}): string {
  const filled: Record<string, string | number> = {};
  const sep = lang === 'en' ? ', ' : '、';
  for (const [name, value] of Object.entries(params)) {
    const prefix = WORDED_PARAMS[name];
    const one = (v: string | number) => (name === 'field' ? fieldLabel(lang, String(v)) : prefix ? word(lang, prefix, v) : v);
    // A value given in each language (e.g. a parser's reason) is taken in the reader's.
    if (typeof value === 'object' && !Array.isArray(value)) filled[name] = (value as Record<Language, string>)[lang];
    else filled[name] = Array.isArray(value) ? value.map(one).join(sep) : one(value);
  }
  return i18n.t(key, { lng: lang, ...filled, interpolation: { escapeValue: false } });
}

/** The label of a field path in `lang`: `citizen.phone` reads 来电号码; unknown paths 该字段. */
export function fieldLabel(lang: Language, path: string): string {
  // The longest known tail: workorder.citizen.phone → citizen.phone → phone; indexes left out.
  const parts = path.split('.').filter((p) => p && !/^\d+$/.test(p));
  for (let i = 0; i < parts.length; i++) {
    const tail = parts.slice(i).join('.');
    for (const key of [`field.${tail}`, `field.${tail.toLowerCase()}`]) if (hasMessage(key)) return i18n.t(key, { lng: lang });
  }
  return i18n.t('field.unknown', { lng: lang });
}

/** Whether the catalogue has `key` (field labels and worded values are looked up by pattern). */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key);
}

/**
 * The reader's language from an Accept-Language header, q-values honoured: any Chinese
 * (zh, zh-CN, zh-Hans, zh-TW…) reads zh-CN, any English en; otherwise zh-CN.
 */
export function negotiateLanguage(header: string | undefined): Language {
  if (!header) return DEFAULT_LANGUAGE;
  const ranked = new Negotiator({ headers: { 'accept-language': header } }).languages();
  for (const tag of ranked) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'zh') return 'zh-CN';
    if (primary === 'en') return 'en';
    if (primary === '*') return DEFAULT_LANGUAGE;
  }
  return DEFAULT_LANGUAGE;
}
