// Every error the API sends is JSON {error:{code, message, field?, params?}} with a fitting
// status. An AppError carries a stable code, a catalogue key and its parameters; the error
// handler renders the message in the reader's language (src/core/i18n.ts). `message` itself
// is the Chinese text, for logs and the CLI.
import { hasMessage, translate, type Language, type MessageKey, type MessageParams } from './i18n.js';

export type { MessageKey, MessageParams } from './i18n.js';

// Transitional: a plain text where a key belongs is sent as it is, until every throw names a key.
type KeyOrText = MessageKey | (string & Record<never, never>);

export class AppError extends Error {
  readonly params: MessageParams;
  readonly field?: string;
  constructor(
    readonly status: number,
    readonly code: string,
    readonly key: KeyOrText,
    params: MessageParams | string = {},
    field?: string,
  ) {
    super(hasMessage(key) ? translate('zh-CN', key, typeof params === 'string' ? {} : params) : key);
    this.params = typeof params === 'string' ? {} : params;
    this.field = typeof params === 'string' ? params : field;
  }

  /** The message in `lang`. */
  messageIn(lang: Language): string {
    return hasMessage(this.key) ? translate(lang, this.key, this.params) : this.message;
  }
}

/** Entities a 404 can name: the keys `notFound.<entity>` of the catalogue. */
export type NotFoundEntity = MessageKey extends infer K ? (K extends `notFound.${infer E}` ? E : never) : never;

export const badRequest = (key: KeyOrText, params: MessageParams | string = {}, field?: string) => new AppError(400, 'validation_failed', key, params, field);
export const unauthorized = (key: KeyOrText = 'auth.required') => new AppError(401, 'unauthorized', key);
export const forbidden = (key: KeyOrText = 'auth.forbidden', params: MessageParams = {}) => new AppError(403, 'forbidden', key, params);
/** 404 naming what was sought: `notFound('workorder', 987654321)` reads 「找不到工单 987654321」. */
export const notFound = (entity: NotFoundEntity | (string & Record<never, never>), id?: string | number, params: MessageParams = {}) => {
  const key = `notFound.${entity}`;
  if (!hasMessage(key)) return new AppError(404, 'not_found', `${entity} not found`);
  return new AppError(404, 'not_found', key, id === undefined ? params : { id, ...params });
};
export const conflict = (code: string, key: KeyOrText, params: MessageParams = {}) => new AppError(409, code, key, params);
