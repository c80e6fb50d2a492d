// One error format in the reader's language: {error:{code, message, field?, params?}}.
// AppErrors name a catalogue key; Fastify's validation errors (ajv) are put in words from
// the field labels (field.<path>) and one template per JSON-schema keyword.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import { hasMessage, negotiateLanguage, translate, type Language, type MessageKey, type MessageParams } from '../core/i18n.js';
import type { App } from './types.js';

export interface ErrorBody {
  status: number;
  error: { code: string; message: string; field?: string; params?: MessageParams };
}

/** The language the request's reader asked for (Accept-Language), zh-CN by default. */
export function requestLanguage(req: FastifyRequest): Language {
  const h = req.headers['accept-language'];
  return negotiateLanguage(Array.isArray(h) ? h.join(',') : h);
}

/** Answers that carry text say in which language (Content-Language). */
export function installLanguage(app: App): void {
  app.addHook('onSend', async (req, reply: FastifyReply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (!reply.hasHeader('content-language') && /json|text|xml|spreadsheet|csv/.test(type)) {
      reply.header('content-language', requestLanguage(req));
    }
    return payload;
  });
}

/** Allowed values of an enum in words where the catalogue has them (statuses, roles…). */
function allowedInWords(lang: Language, field: string, values: unknown[]): string {
  const last = field.split('.').pop() ?? '';
  const prefix = last === 'roles' || last === 'role' ? 'role' : last === 'status' ? 'status' : last === 'action' ? 'action' : undefined;
  const words = values.map((v) => {
    const key = prefix ? `${prefix}.${String(v)}` : undefined;
    return key && hasMessage(key) ? translate(lang, key) : String(v);
  });
  return words.join(lang === 'en' ? ', ' : '、');
}

interface AjvError {
  keyword: string;
  instancePath?: string;
  params: Record<string, unknown>;
  message?: string;
}

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

function validationBody(lang: Language, context: string | undefined, v: AjvError): ErrorBody {
  const p = v.params;
  const path = (v.instancePath ?? '').split('/').filter(Boolean);
  if (typeof p.missingProperty === 'string') path.push(p.missingProperty);
  const field = path.join('.') || String(context ?? '');
  const label = field;
  const limit = typeof p.limit === 'number' ? p.limit : undefined;
  let key: MessageKey = 'validation.invalid';
  let params: MessageParams = { field: label };
  switch (v.keyword) {
    case 'required':
      key = 'validation.required';
      break;
    case 'minLength':
      key = limit === 1 ? 'validation.required' : 'validation.minLength';
      params = { field: label, limit: limit ?? 1 };
      break;
    case 'maxLength':
      key = 'validation.maxLength';
      params = { field: label, limit: limit ?? 0 };
      break;
    case 'pattern':
      // Text() requires one non-space character: blank text is missing text.
      key = p.pattern === '\\S' ? 'validation.required' : 'validation.pattern';
      break;
    case 'enum':
      key = 'validation.enum';
      params = { field: label, allowed: allowedInWords(lang, field, (p.allowedValues as unknown[]) ?? []) };
      break;
    case 'const':
      key = 'validation.enum';
      params = { field: label, allowed: allowedInWords(lang, field, [p.allowedValue]) };
      break;
    case 'type': {
      key = 'validation.type';
      const type = str(p.type).split(',')[0]!;
      params = { field: label, type: hasMessage(`type.${type}`) ? translate(lang, `type.${type}` as MessageKey) : type };
      break;
    }
    case 'format': {
      const f = str(p.format);
      key =
        f === 'date-time'
          ? 'validation.formatDateTime'
          : f === 'date'
            ? 'validation.formatDate'
            : f === 'email'
              ? 'validation.formatEmail'
              : f === 'uri' || f === 'url'
                ? 'validation.formatUri'
                : 'validation.format';
      break;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minItems':
    case 'maxItems':
      key = `validation.${v.keyword}`;
      params = { field: label, limit: limit ?? 0 };
      break;
    case 'uniqueItems':
      key = 'validation.uniqueItems';
      break;
    case 'additionalProperties':
      key = 'validation.additionalProperties';
      params = { name: str(p.additionalProperty) };
      return {
        status: 400,
        error: { code: 'validation_failed', message: translate(lang, key, params), field: [...path, str(p.additionalProperty)].join('.') },
      };
  }
  return { status: 400, error: { code: 'validation_failed', message: translate(lang, key, params), ...(field ? { field } : {}) } };
}

/** The status and body for any error thrown while answering, in `lang`. */
export function toErrorBody(err: FastifyError | AppError, lang: Language): ErrorBody {
  // An AppError of 500 (a missing PII key, say) is for the operator's log, not the reader.
  if (err instanceof AppError && err.status < 500) {
    const params = Object.keys(err.params).length ? { params: err.params } : {};
    return { status: err.status, error: { code: err.code, message: err.messageIn(lang), ...(err.field ? { field: err.field } : {}), ...params } };
  }
  const fe = err as FastifyError & { code?: string };
  if (fe.validation && fe.validation.length > 0) return validationBody(lang, fe.validationContext, fe.validation[0] as AjvError);
  const pgCode = typeof fe.code === 'string' && /^[0-9A-Z]{5}$/.test(fe.code) ? fe.code : undefined;
  if (pgCode) {
    // Safety net: a database constraint caught input the service did not check.
    if (pgCode === '23505') return { status: 409, error: { code: 'conflict', message: translate(lang, 'http.alreadyExists') } };
    if (pgCode.startsWith('22') || pgCode.startsWith('23')) {
      return { status: 400, error: { code: 'validation_failed', message: translate(lang, 'http.invalidValue') } };
    }
  }
  const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
  if (status === 500) return { status, error: { code: 'internal', message: translate(lang, 'http.internal') } };
  return frameworkErrorBody(status, fe, lang);
}

/** Errors Fastify raises itself (bad JSON, too large, wrong content type): a fixed message each. */
export function frameworkErrorBody(status: number, fe: { code?: string }, lang: Language): ErrorBody {
  const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 429 ? 'rate_limited' : 'bad_request';
  const key: MessageKey =
    status === 413
      ? 'http.payloadTooLarge'
      : status === 415
        ? 'http.unsupportedMediaType'
        : status === 429
          ? 'http.rateLimited'
          : fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'
            ? 'validation.body'
            : 'http.badRequest';
  return { status, error: { code, message: translate(lang, key) } };
}
