// Every error the API sends is JSON {error:{code, message, field?, params?}} with a fitting
// status. An AppError carries a stable code, a catalogue key and its parameters; the error
// handler renders the message in the reader's language (src/core/i18n.ts). `message` itself
// is the Chinese text, for logs and the CLI.
import { translate, type Language, type MessageKey, type MessageParams } from './i18n.js';

export type { MessageKey, MessageParams } from './i18n.js';

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly key: MessageKey,
    readonly params: MessageParams = {},
    readonly field?: string,
  ) {
    super(translate('zh-CN', key, params));
  }

  /** The message in `lang`. */
  messageIn(lang: Language): string {
    return translate(lang, this.key, this.params);
  }
}

/**
 * A failure told to an operator at a terminal (the CLI, start-up), never sent to an API reader:
 * its text may name settings and files. The API answers it as any 500 (src/http/errors.ts).
 */
export function operatorError(status: number, code: string, text: string): AppError {
  const e = new AppError(status, code, 'http.internal');
  Object.defineProperty(e, 'message', { value: text });
  return e;
}

/** Entities a 404 can name: the keys `notFound.<entity>` of the catalogue. */
export type NotFoundEntity = MessageKey extends infer K ? (K extends `notFound.${infer E}` ? E : never) : never;

export const badRequest = (key: MessageKey, params: MessageParams = {}, field?: string) => new AppError(400, 'validation_failed', key, params, field);
export const unauthorized = (key: MessageKey = 'auth.required') => new AppError(401, 'unauthorized', key);
export const forbidden = (key: MessageKey = 'auth.forbidden', params: MessageParams = {}) => new AppError(403, 'forbidden', key, params);
/** 404 naming what was sought: `notFound('workorder', 987654321)` reads 「找不到工单 987654321」. */
export const notFound = (entity: NotFoundEntity, id?: string | number, params: MessageParams = {}) =>
  new AppError(404, 'not_found', `notFound.${entity}`, id === undefined ? params : { id, ...params });
export const conflict = (code: string, key: MessageKey, params: MessageParams = {}) => new AppError(409, code, key, params);
