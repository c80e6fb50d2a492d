// HTTP hardening for every response: security headers, CORS closed unless configured,
// and JSON bodies limited in nesting depth (the size limit is Fastify's bodyLimit, 1 MiB).
import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.js';
import { setting } from '../core/config.js';

export const MAX_JSON_DEPTH = 64;

/** Origins allowed by JIESU_CORS_ORIGINS (comma-separated, exact `scheme://host[:port]`); none by default. */
export const corsOrigins = (env = setting('JIESU_CORS_ORIGINS')) =>
  new Set(
    (env ?? '')
      .split(',')
      .map((s) => s.trim().replace(/\/$/, ''))
      .filter(Boolean),
  );

/** The deepest nesting of objects and arrays in a JSON text, counted without recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

// Applied to every response; a page's own content-security-policy (src/http/web.ts) is kept.
const HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
};
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export function installHttpSecurity(app: FastifyInstance<any, any, any, any, any>, origins = corsOrigins()): void {
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonDepth(body as string) > MAX_JSON_DEPTH) {
      done(new AppError(400, 'too_deep', `JSON 嵌套过深 (JSON nested deeper than ${MAX_JSON_DEPTH} levels)`), undefined);
      return;
    }
    void defaultJson(req, body as string, done);
  });

  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        return reply
          .status(204)
          .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE')
          .header('access-control-allow-headers', 'authorization, content-type, idempotency-key, x-access-reason')
          .header('access-control-max-age', '600')
          .send();
      }
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    for (const [k, v] of Object.entries(HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', API_CSP);
    // HSTS only when the client reached us over TLS (directly or through a proxy that says so).
    const proto = String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]!
      .trim();
    if (req.protocol === 'https' || (setting('JIESU_TRUST_PROXY') && proto === 'https')) {
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    }
    return payload;
  });
}
